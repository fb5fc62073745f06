from __future__ import annotations

from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from django_fsm.signals import post_transition

from .models import AuditEvent, Child, ImportJob, LifecycleState
from .services.audit import audit_record
from .services.keyperson import key_persons_release
from .text import text_length_check


@receiver(post_transition, sender=Child)
def audit_lifecycle_transition(sender, instance: Child, name, source, target, method_kwargs=None, **kwargs):
    method_kwargs = method_kwargs or {}
    reason = method_kwargs.get("description") or ""
    audit_record(
        actor=method_kwargs.get("by"), action="transition", record=instance,
        summary=f"{instance.name}: {source} → {target}" + (f" ({reason})" if reason else ""),
        changes={"transition": name, "from": source, "to": target, "reason": reason},
    )


@receiver(post_transition, sender=Child)
def release_key_persons_of_a_leaver(sender, instance: Child, name, source, target, method_kwargs=None, **kwargs):
    # A child who has left has no key person: otherwise every leaver stays in a caseload (blocking the next
    # allocation) and keeps their records open to staff who no longer need them.
    if target not in (LifecycleState.LEFT, LifecycleState.WITHDRAWN):
        return
    method_kwargs = method_kwargs or {}
    why = method_kwargs.get("description") or ""
    reason = "Left the setting" if target == LifecycleState.LEFT else "Withdrawn" + (f": {why}" if why else "")
    key_persons_release(child=instance, by=method_kwargs.get("by"), reason=reason,
                        ends_on=instance.left_on or timezone.localdate())


@receiver(post_transition, sender=Child)
def end_the_transitions_of_a_leaver(sender, instance: Child, name, source, target, method_kwargs=None, **kwargs):
    # A child who is leaving moves room no more and needs no new key person: the move or change ends with them
    # (its workflow's open steps are cancelled on transition_ended, workflows.receivers).
    if target not in (LifecycleState.LEAVING, LifecycleState.LEFT, LifecycleState.WITHDRAWN):
        return
    from .models import KeyPersonChange, RoomMove, TransitionStatus
    from .signals import transition_ended

    by = (method_kwargs or {}).get("by")
    reason = f"{instance.name} is {LifecycleState(target).label.lower()}"
    for model, kind in ((RoomMove, "room_move"), (KeyPersonChange, "key_person_change")):
        if model.objects.filter(child=instance, status=TransitionStatus.OPEN).update(
                status=TransitionStatus.CANCELLED, end_reason=reason):
            audit_record(actor=by, action="cancel", record=instance, summary=f"{kind.replace('_', ' ').capitalize()} "
                         f"ended: {reason}")
            transition_ended.send(sender=model, child=instance, kind=kind, reason=reason, by=by)


@receiver(pre_save)
def refuse_over_long_text(sender, instance, raw=False, **kwargs):
    # Every domain record, whichever service, admin page or command writes it. The audit trail is exempt:
    # it quotes what was already checked, and a refused audit row would hide the change it records. An import
    # job holds the uploaded file itself (up to csv_import.MAX_BYTES); each of its cells is checked as it is
    # written to its own record.
    if raw or sender._meta.app_label != "processes" or sender in (AuditEvent, ImportJob):
        return
    text_length_check(instance)
