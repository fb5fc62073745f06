from __future__ import annotations

import shutil

import pytest
from django.db import connection

from processes import services
from processes.models import AssignmentRole

from .factories import ChildFactory, ChildGuardianFactory, RoomFactory, SettingFactory, StaffFactory

# The room move and key person change fixtures (tests/transitionkit.py).
from .transitionkit import new_key_person, new_secondary, preschool, settled  # noqa: F401

# Browser tests drive Debian's chromium through Playwright, never a downloaded browser.
CHROMIUM = "/usr/bin/chromium"
BROWSER_TESTS = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed (make install does it)"),
]


@pytest.fixture
def browser(monkeypatch):
    """A headless chromium; each test opens its own pages (a tablet-sized viewport is the tests' choice)."""
    # Playwright's sync API runs an event loop in this thread; set only for this test, never for production.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session", autouse=True)
def _no_connection_outlives_the_run(django_db_setup, django_db_blocker):
    """The live server's request threads keep their PostgreSQL connections (CONN_MAX_AGE) after the browser
    has gone; end them before the test database is dropped, which would otherwise fail with a warning."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture(autouse=True)
def _fast_and_eager(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def pytest_collection_modifyitems(config, items):
    """Tests that need PostgreSQL's row locks run only where DATABASE_URL points at PostgreSQL (CI)."""
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL); CI runs it")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip)


@pytest.fixture
def setting(db):
    return SettingFactory(name="Little Caterpillars")


@pytest.fixture
def room(setting):
    return RoomFactory(setting=setting, name="Toddlers", min_age_months=24, max_age_months=36)


@pytest.fixture
def manager(setting):
    return StaffFactory(setting=setting, manager=True, user__username="manager")


@pytest.fixture
def manager_admin_client(client, manager):
    """The setting's manager, logged in to the Django admin."""
    manager.user.is_staff = True
    manager.user.save()
    client.force_login(manager.user)
    return client


@pytest.fixture
def senco(setting, room):
    return StaffFactory(setting=setting, senco=True, room=room, user__username="senco")


@pytest.fixture
def key_person(setting, room):
    return StaffFactory(setting=setting, room=room, user__username="keyperson")


@pytest.fixture
def other_key_person(setting, room):
    return StaffFactory(setting=setting, room=room, user__username="otherkp")


@pytest.fixture
def child(setting, room):
    return ChildFactory(setting=setting, room=room)


@pytest.fixture
def guardian_link(child):
    return ChildGuardianFactory(child=child)


@pytest.fixture
def allocated_child(child, manager, key_person, other_key_person):
    """A child with a key person and a secondary, allocated through the services."""
    services.key_person_assign(child=child, staff=key_person, role=AssignmentRole.PRIMARY, by=manager.user)
    services.key_person_assign(child=child, staff=other_key_person, role=AssignmentRole.SECONDARY, by=manager.user)
    return services.child_transition(child=child, transition="allocate", by=manager.user)


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def introduced(setting, room, manager, key_person, other_key_person):
    """A child allocated a key person and a secondary: their introduction to the parents is open."""
    from .flowkit import allocate, register

    child = register(setting=setting, room=room, manager=manager)
    allocate(child, manager, key_person, other_key_person)
    return child


@pytest.fixture
def leaver(allocated_child, manager):
    """A settled child who has been here a year, a parent linked, leaving for school in 60 days (leavingkit)."""
    from .leavingkit import plan_leaving, started_a_year_ago
    from .leavingkit import settled as settle

    ChildGuardianFactory(child=allocated_child)
    started_a_year_ago(allocated_child)
    child = settle(allocated_child, manager)
    plan_leaving(child, manager)
    return type(child).objects.get(pk=child.pk)


@pytest.fixture
def met(leaver, key_person):
    """The report written and the parents met: the consent to send the records is next."""
    from .leavingkit import meet_parents, write_report

    write_report(leaver, key_person.user)
    meet_parents(leaver, key_person.user)
    return leaver
