"""Domain events other apps react to inside the same transaction (the workflows start and stop on them)."""

from django.dispatch import Signal

child_registered = Signal()  # child, by
consent_changed = Signal()  # consent, by
key_person_changed = Signal()  # child, assignment, by
staff_absence_recorded = Signal()  # absence, by
sen_concern_raised = Signal()  # concern, by
meeting_arranged = Signal()  # meeting, by
consent_requested = Signal()  # child, purpose, recipient, by
