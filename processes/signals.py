"""Domain events other apps react to inside the same transaction (the workflows start and stop on them)."""

from django.dispatch import Signal

child_registered = Signal()  # child, by
consent_changed = Signal()  # consent, by
key_person_changed = Signal()  # child, assignment, by
staff_absence_recorded = Signal()  # absence, by
sen_concern_raised = Signal()  # concern, by
meeting_arranged = Signal()  # meeting, by
# A child was allocated other than by the allocation workflow's own step (the admin's action, a script): the
# workflows answer it (close the waiting allocation task, start the introduction). The step moves its own flow.
child_allocated_elsewhere = Signal()  # child, by
consent_requested = Signal()  # child, purpose, recipient, by
# Asked, not told: before a withdrawal is confirmed, receivers answer with the open steps it would stop
# (a list of StoppedStep each), so the lower layer can show them without knowing the workflows.
consent_withdrawal_asked = Signal()  # child, purpose, recipient, user -> list[StoppedStep]
staff_absence_ended = Signal()  # absence, by
# A meeting's time, length or place changed, or it was cancelled: the parents are sent the calendar update.
meeting_changed = Signal()  # meeting, by
# A key person offered drop-in slots (seed 004): the parents of their key children are told.
drop_ins_offered = Signal()  # host, slots, by
# Enough accidents or injuries to one child within the setting's weeks (services.injury_patterns_sweep): the
# workflows give the key person and the safeguarding lead a task each.
injury_pattern_found = Signal()  # pattern
# A supervision was held (services.supervision_hold): after its commit, its actions about a key child become
# tasks (workflows.supervision, started by a Celery task: notifications.receivers).
supervision_held = Signal()  # supervision, by
leaving_recorded = Signal()  # plan, by: a leaving date and destination recorded for the first time
# A room move or a change of key person was planned (the workflows start its process) or ended before its
# time (cancelled, the child leaving: the workflows close its process).
room_move_planned = Signal()  # move, by
key_person_change_planned = Signal()  # change, by
transition_ended = Signal()  # child, kind ("room_move" or "key_person_change"), reason, by
