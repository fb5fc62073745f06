"""A forgotten password: the manager sends the colleague a link to choose a new one.

There is no public "forgot password" form: it would let anyone find out which addresses have accounts and
fill a colleague's mailbox. The manager knows who is asking, and the link goes only to the address on the
account. The link works once (it is bound to the current password) and for PASSWORD_RESET_TIMEOUT; nothing
of it is stored: the worker makes it when it sends the e-mail.
"""

from __future__ import annotations

from django.db import transaction

from processes.access import is_manager_of, staff_of
from processes.errors import NotPermitted, RuleViolation
from processes.services import audit_record


def password_reset_send(*, user, by) -> None:
    """E-mail `user` a one-time link to set a new password. Their setting's manager or a superuser only."""
    staff = staff_of(user) if user.is_active else None
    if not (by.is_active and by.is_superuser) and not (staff and is_manager_of(by, staff.setting_id)):
        raise NotPermitted("Only the setting's manager can send a colleague a password reset link.")
    if not user.is_active:
        raise RuleViolation(f"{user.get_username()} no longer has an active account.")
    if not user.email:
        raise RuleViolation(f"{user.get_username()} has no e-mail address: add one to their account first.")
    from .tasks import password_reset_email

    with transaction.atomic():
        audit_record(actor=by, action="password_reset_sent", record=user, record_type="auth.User",
                     setting_id=staff.setting_id if staff else None,
                     summary=f"Sent {user.get_username()} a link to choose a new password")
        transaction.on_commit(lambda: password_reset_email.delay(user_id=user.pk), robust=True)
