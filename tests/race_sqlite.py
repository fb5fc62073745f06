"""The one-completion race on SQLite, on a real file: `python -m tests.race_sqlite DB_PATH page|api|busy`.

pytest-django keeps its SQLite test database in memory (shared cache), where threads meet table locks that
ignore the busy timeout; a production SQLite is a file in IMMEDIATE mode. So this runs in its own process
against a fresh file database, with the settings Keyflow ships, and prints what happened as JSON.
"""

from __future__ import annotations

import json
import os
import sys


def main(db_path: str, via: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    os.environ["EMAIL_URL"] = "memorymail://"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyflow.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test Client's templates and context, as under pytest
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    call_command("migrate", verbosity=0)

    from tests.factories import RoomFactory, SettingFactory, StaffFactory
    from tests.race import race_completions, race_outcome, race_setup

    setting = SettingFactory()
    room = RoomFactory(setting=setting)
    race = race_setup(
        setting=setting, room=room, manager=StaffFactory(setting=setting, manager=True),
        key_person=StaffFactory(setting=setting, room=room), other_key_person=StaffFactory(setting=setting, room=room),
    )
    results = busy_completion(race, db_path) if via == "busy" else race_completions(race, via=via)
    print(json.dumps(race_outcome(race, results)))


def busy_completion(race, db_path: str) -> list:
    """Another process holds the write lock longer than the busy timeout: the completion must be a 409.

    Basic auth, not a session: a session is saved on every request, and that write would queue too.
    """
    import base64
    import sqlite3

    from django.core import mail
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    user = race.managers[0].user
    token = base64.b64encode(f"{user.username}:pass-word-123".encode()).decode()
    connection.close()
    connection.settings_dict["OPTIONS"]["timeout"] = 1
    mail.outbox.clear()  # what setting up the race sent (staff told of their new tasks) is not the question
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        response = Client(raise_request_exception=False).post(
            reverse("api-task-complete", args=[race.task.process_id, race.task.pk]), race.data,
            content_type="application/json", HTTP_AUTHORIZATION=f"Basic {token}")
    finally:
        holder.rollback()
        holder.close()
    return [(response.status_code, response.json().get("detail", "")), ("emails", len(mail.outbox))]


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
