"""What sets notifications off. Staff are told in the app inside the transaction that made the event (so the
notice exists exactly when the task does); e-mails leave after commit."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from processes.signals import (
    consent_requested,
    drop_ins_offered,
    key_person_changed,
    meeting_arranged,
    meeting_changed,
    supervision_held,
)
from workflows.models import InboxEntry
from workflows.signals import task_rerouted

from . import inbox, parents
from .services import notifications_save


@receiver(post_save, sender=InboxEntry)
def tell_whose_inbox_a_task_lands_in(sender, instance: InboxEntry, created: bool, **kwargs) -> None:
    if created and not kwargs.get("raw"):
        notifications_save(inbox.landed_rows(instance))


@receiver(task_rerouted)
def tell_who_a_task_is_passed_to(sender, task, previous, by, **kwargs) -> None:
    entry = InboxEntry.objects.get(task_id=task.pk)
    entry.task = task
    notifications_save(inbox.rerouted_rows(entry))


def _letter_for(child_id: int, callback):
    callback.keyflow_letter_for = child_id
    return callback


@receiver(key_person_changed)
def tell_the_parents_who_the_key_persons_are(sender, child, assignment, by, **kwargs) -> None:
    # After commit: an allocation changes the key person and the secondary in one transaction, and the
    # parents get one letter naming both.
    from .tasks import email_parents_key_persons

    # The primary and the secondary change in one transaction: queue the letter once. A callback already
    # waiting for this commit says so; one of a rolled-back transaction is gone with it.
    waiting = transaction.get_connection().run_on_commit
    if any(getattr(callback, "keyflow_letter_for", None) == child.pk for _, callback, _ in waiting):
        return
    transaction.on_commit(_letter_for(child.pk, lambda: email_parents_key_persons.delay(child_id=child.pk)),
                          robust=True)


@receiver(meeting_arranged)
def invite_the_parents(sender, meeting, by, **kwargs) -> None:
    parents.meeting_invitation_send(meeting=meeting)


@receiver(consent_requested)
def ask_the_parents_for_consent(sender, child, purpose, recipient="", by=None, **kwargs) -> None:
    parents.consent_request_send(child=child, purpose=purpose, recipient=recipient or "")


@receiver(meeting_changed)
def send_the_parents_the_change(sender, meeting, by, **kwargs) -> None:
    parents.meeting_invitation_send(meeting=meeting)


@receiver(drop_ins_offered)
def tell_the_parents_of_drop_ins(sender, host, slots, by, **kwargs) -> None:
    parents.drop_ins_send(host_id=host.pk, slot_ids=[s.pk for s in slots])


@receiver(supervision_held)
def start_the_tasks_agreed_at_supervision(sender, supervision, by, **kwargs) -> None:
    """Not inside the supervision's transaction: its statements stay few, and a rolled-back one starts nothing."""
    from .tasks import start_supervision_actions

    transaction.on_commit(lambda: start_supervision_actions.delay(supervision_id=supervision.pk), robust=True)
