"""What the demo holds (the summary `load_demo` prints), taking it away again (--reset), and its log-ins."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import ProtectedError
from django_fsm_log.models import StateLog

from processes.models import (
    Child,
    Consent,
    DropInSlot,
    Guardian,
    KeyPersonAssignment,
    Room,
    SenConcern,
    Setting,
    Staff,
    StaffAbsence,
    StaffAttendance,
)

from .context import DemoError
from .data import DEMO_PASSWORD, LOGINS


def demo_counts(setting: Setting) -> dict[str, Any]:
    children = Child.objects.filter(setting=setting)
    return {
        "rooms": Room.objects.filter(setting=setting).count(),
        "staff": Staff.objects.filter(setting=setting).count(),
        "children": children.count(),
        "states": dict(Counter(children.values_list("state", flat=True))),
        "guardians": Guardian.objects.filter(setting=setting).count(),
        "assignments": KeyPersonAssignment.objects.filter(child__setting=setting).count(),
        "consents": Consent.objects.filter(child__setting=setting).count(),
        "absences": StaffAbsence.objects.filter(staff__setting=setting).count(),
        "sen_concerns": SenConcern.objects.filter(child__setting=setting).count(),
    }


def demo_delete(setting: Setting) -> None:
    """Delete the demo setting and everything in it, its users included; other settings are untouched.

    The audit trail stays (it outlives the records it describes by design); the children's lifecycle log
    (django-fsm-log, a generic relation the database cannot cascade) goes with them.
    """
    children = Child.objects.filter(setting=setting)
    StateLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Child), object_id__in=children.values("pk")
    ).delete()
    try:
        # Children first (their assignments and consents go with them), then what those protected.
        children.delete()
        Guardian.objects.filter(setting=setting).delete()
        StaffAbsence.objects.filter(staff__setting=setting).delete()
        DropInSlot.objects.filter(setting=setting).delete()
        StaffAttendance.objects.filter(setting=setting).delete()
        get_user_model().objects.filter(staff__setting=setting).delete()
        organisation = setting.organisation
        setting.delete()
        if not organisation.settings.exists():
            organisation.delete()
    except ProtectedError as exc:
        kinds = sorted({str(type(obj)._meta.verbose_name_plural) for obj in exc.protected_objects})
        raise DemoError(f"The demo setting cannot be deleted: other records still point at it ({', '.join(kinds)}).") \
            from None


def demo_login_line(base_url: str) -> str:
    logins = ", ".join(f"{username} / {DEMO_PASSWORD} ({what})" for username, what in LOGINS)
    return f"Log in at {base_url.rstrip('/')}/ as: {logins}"
