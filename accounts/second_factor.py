"""Who must give a second factor (a TOTP code from an authenticator app) after their password.

Decided once, at log-in, and kept in the session: a pending step sends every page to the setup or the code
page until it is done, without costing a query on each request.
"""

from __future__ import annotations

from django.conf import settings
from django_otp import user_has_device

from processes.access import staff_of

PENDING = "keyflow_second_factor"
VERIFY, SETUP = "verify", "setup"


def must_use_second_factor(user) -> bool:
    """Managers and SENCOs see every child's SEN, health and family details; superusers see everything."""
    if not settings.KEYFLOW_REQUIRE_2FA_FOR_MANAGERS:
        return False
    staff = staff_of(user)
    return bool(user.is_superuser or (staff and (staff.is_manager or staff.is_senco)))


def second_factor_step(user) -> str | None:
    """What is still owed after the password: VERIFY (a code), SETUP (an app first) or nothing.

    Whoever has set up an app is always asked for its code, required or not.
    """
    if user_has_device(user, confirmed=True):
        return VERIFY
    if must_use_second_factor(user):
        return SETUP
    return None


def second_factor_pending(request) -> str | None:
    if not request.user.is_authenticated or request.user.is_verified():
        return None
    return request.session.get(PENDING)


def second_factor_reset(*, user, by) -> int:
    """Forget a user's authenticator apps (a lost or stolen phone) and end their sessions everywhere.

    Their manager or a superuser only. At the next log-in they set up an app again if they must.
    """
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from processes.access import is_manager_of
    from processes.errors import NotPermitted
    from processes.services import audit_record

    from .sessions import sessions_end_for

    staff = staff_of(user)
    if not (by.is_active and by.is_superuser) and not (staff and is_manager_of(by, staff.setting_id)):
        raise NotPermitted("Only the setting's manager can reset a colleague's two-factor log-in.")
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).count()
        TOTPDevice.objects.filter(user=user).delete()
        audit_record(actor=by, action="two_factor_reset", record=user, record_type="auth.User",
                     setting_id=staff.setting_id if staff else None,
                     summary=f"Reset the two-factor log-in of {user.get_username()} ({removed} app(s) removed)")
    sessions_end_for(user=user)
    return removed
