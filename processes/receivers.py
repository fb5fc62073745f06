from __future__ import annotations

from django.dispatch import receiver
from django_fsm.signals import post_transition

from .models import Child
from .services.audit import audit_record


@receiver(post_transition, sender=Child)
def audit_lifecycle_transition(sender, instance: Child, name, source, target, method_kwargs=None, **kwargs):
    method_kwargs = method_kwargs or {}
    reason = method_kwargs.get("description") or ""
    audit_record(
        actor=method_kwargs.get("by"), action="transition", record=instance,
        summary=f"{instance.name}: {source} → {target}" + (f" ({reason})" if reason else ""),
        changes={"transition": name, "from": source, "to": target, "reason": reason},
    )
