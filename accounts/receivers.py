from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from processes.services import audit_record

from .second_factor import PENDING, second_factor_step
from .sessions import sessions_end_for


@receiver(user_logged_in)
def ask_for_second_factor(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    step = second_factor_step(user)
    if step is None:
        request.session.pop(PENDING, None)
    else:
        request.session[PENDING] = step


@receiver(post_save, sender=get_user_model())
def log_out_a_deactivated_user_everywhere(sender, instance, created, **kwargs):
    """A leaver's tablet session must not outlive their account (Django would refuse it on the next request
    too; deleting the sessions also drops what they held)."""
    if created or instance.is_active:
        return

    def end() -> None:
        ended = sessions_end_for(user=instance)
        if ended:
            audit_record(
                actor=None, action="logout", record=instance, record_type="auth.User",
                setting_id=getattr(getattr(instance, "staff", None), "setting_id", None),
                summary=f"Ended {ended} session(s) of {instance.get_username()}: account deactivated",
            )

    transaction.on_commit(end)
