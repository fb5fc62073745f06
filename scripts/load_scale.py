"""A setting the size of a large nursery group, for `make load` (scripts/load.sh); a script, never part of Keyflow.

50 staff by default (5 managers, the rest key persons), each key person with a few key children allocated
through the real allocation task (so their introduction tasks wait in the inbox), and some children still
waiting for a key person (the managers' allocation tasks). Built through the services, like the demo.
Log-ins: load01…loadNN, password LOAD_PASSWORD; --reset rebuilds it.

    .venv/bin/python scripts/load_scale.py [--reset] [--staff 50] [--sessions-file var/load/sessions.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from importlib import import_module
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyflow.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from demo.reset import demo_delete  # noqa: E402
from processes import services  # noqa: E402
from processes.models import Organisation, Room, Setting, Staff  # noqa: E402
from workflows import services as wf  # noqa: E402
from workflows.models import ChildProcess  # noqa: E402

SETTING_NAME = "Load Test Nursery"
LOAD_PASSWORD = "keyflow-load"
MANAGERS = 5


def signed_in_sessions(staff) -> dict[str, str]:
    """username -> session key of a session signed in as them: staff already logged in on their tablets, so
    the run measures the inbox rather than fifty password hashes at once (scripts/locustfile.py)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    sessions = {}
    for member in staff:
        session = store()
        session[SESSION_KEY] = str(member.user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = member.user.get_session_auth_hash()
        session.create()
        sessions[member.user.username] = session.session_key
    return sessions


def load_setting_build(*, staff: int, children_per_key_person: int, waiting: int, reset: bool,
                       sessions_file: str | None = None) -> None:
    started = time.monotonic()
    existing = Setting.objects.filter(name=SETTING_NAME).first()
    if existing and not reset:
        print(f'"{SETTING_NAME}" is already there; --reset rebuilds it.')
        return
    if existing:
        demo_delete(existing)
    managers, key_persons, room = _staff(staff)
    boss = managers[0].user
    # Each key person's caseload sits under their maximum, so every allocation is accepted first time.
    for i, kp in enumerate(key_persons):
        secondary = key_persons[(i + 1) % len(key_persons)]
        for n in range(children_per_key_person):
            child = _child(room, boss, f"K{i:02d}x{n}")
            task = ChildProcess.objects.get(child=child, kind="allocation").task_set.get(status="NEW")
            wf.task_complete(process_id=task.process_id, task_id=task.pk, by=boss,
                             data={"primary": kp.pk, "secondary": secondary.pk})
    for n in range(waiting):
        _child(room, boss, f"W{n:03d}")
    if sessions_file:
        Path(sessions_file).write_text(json.dumps(signed_in_sessions(managers + key_persons)))
    print(f'Built "{SETTING_NAME}" in {time.monotonic() - started:.0f}s: {len(managers)} managers, '
          f"{len(key_persons)} key persons, {len(key_persons) * children_per_key_person} allocated children, "
          f"{waiting} waiting. Log in as load01…load{staff:02d} / {LOAD_PASSWORD}.")


@transaction.atomic
def _staff(count: int):
    organisation = Organisation.objects.create(name="Load Test Provider")
    setting = Setting.objects.create(organisation=organisation, name=SETTING_NAME)
    room = Room.objects.create(setting=setting, name="Pre-school", min_age_months=24, max_age_months=60,
                               children_per_adult=8)
    password = make_password(LOAD_PASSWORD)
    managers, key_persons = [], []
    for n in range(1, count + 1):
        user = get_user_model().objects.create(username=f"load{n:02d}", password=password,
                                               first_name="Load", last_name=f"Staff {n:02d}")
        is_manager = n <= MANAGERS
        member = Staff.objects.create(user=user, setting=setting, room=room, is_manager=is_manager,
                                      is_key_person=not is_manager, max_caseload=12)
        (managers if is_manager else key_persons).append(member)
    return managers, key_persons, room


def _child(room, by, name: str):
    today = timezone.localdate()
    child = services.child_register(
        setting=room.setting, by=by, first_name="Child", last_name=name, room=room,
        date_of_birth=today - dt.timedelta(days=3 * 365), start_date=today + dt.timedelta(days=30),
        sessions_attended=["mon_am", "tue_am", "wed_am"],
    )
    services.guardian_link(child=child, by=by, relationship="Mother", first_name="Parent", last_name=name,
                           email=f"parent-{name.lower()}@example.org")
    return child


def main() -> None:
    parser = argparse.ArgumentParser(description=f'Build the "{SETTING_NAME}" setting for the load test.')
    parser.add_argument("--staff", type=int, default=50)
    parser.add_argument("--children-per-key-person", type=int, default=4)
    parser.add_argument("--waiting", type=int, default=40, help="Children still waiting for allocation.")
    parser.add_argument("--reset", action="store_true", help="Delete the load setting first.")
    parser.add_argument("--sessions-file", help="Write a signed-in session per member of staff here (JSON).")
    args = parser.parse_args()
    load_setting_build(staff=args.staff, children_per_key_person=args.children_per_key_person,
                       waiting=args.waiting, reset=args.reset, sessions_file=args.sessions_file)


if __name__ == "__main__":
    main()
