"""Every page of every role in a real browser (Debian's chromium), at a desktop, a tablet and a phone: nothing
scrolls sideways, nothing logs a console error or breaks the Content-Security-Policy, and axe-core finds no
serious or critical accessibility violation.

The pages come from the URLconf, so a page added later is visited too (its path parameters filled from the
records made here; a URL only a POST or a download answers is left out by name below). One browser, one page
per role, reused for every visit: the whole walk stays within a few minutes.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from processes import services
from processes.csv_import import import_job_create, import_job_run
from processes.models import AssignmentRole, ConsentMethod, ConsentPurpose, ConsentStatus

from . import senkit as sk
from .accidentkit import accident
from .conftest import BROWSER_TESTS
from .factories import ChildFactory, ChildGuardianFactory, RoomFactory
from .flowkit import allocate, complete, register, the_task
from .transitionkit import plan_move, settled_child

pytestmark = BROWSER_TESTS

VIEWPORTS = {"desktop": (1366, 768), "tablet": (768, 1024), "phone": (390, 844)}
# Not pages: a form's POST target, a download, the JSON API, the admin (Django's own), the ways in and out.
NOT_PAGES = re.compile(r"^(api-|admin:|login$|logout$|password-reset|two-factor-verify$|child-export$"
                       r"|import-template$|records-export$|dashboard-export$|calendar-feed$|pack-pdf$|register-csv$"
                       r"|.*-(claim|release|read|preference|retry|done)$)")
AXE_SCRIPT = Path(__import__("axe_playwright_python").__file__).with_name("axe.min.js")

# Listens before any of the page's own scripts run: a blocked inline style or script is reported here.
LISTEN = """
window.__keyflow_csp = [];
document.addEventListener('securitypolicyviolation', e =>
    window.__keyflow_csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '')));
"""


def _names(resolver=None, prefix="") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            found += _names(entry, prefix + (f"{entry.namespace}:" if entry.namespace else ""))
        elif isinstance(entry, URLPattern) and entry.name:
            found.append((prefix + entry.name, entry))
    return found


def page_urls(ids: dict[str, int]) -> list[str]:
    """Every page in the URLconf, its parameters filled from `ids` (by name); one without a value is reported."""
    urls, unfilled = [], []
    for name, pattern in _names():
        if NOT_PAGES.match(name):
            continue
        params = list(getattr(pattern.pattern, "converters", {}) or {})
        if any(p not in ids for p in params):
            unfilled.append(name)
            continue
        urls.append(reverse(name, kwargs={p: ids[p] for p in params}))
    assert not unfilled, f"pages with parameters this walk cannot fill; add their ids: {unfilled}"
    return sorted(set(urls))


def _world(setting, room, manager, senco, key_person, other_key_person) -> dict[str, int]:
    """A small setting with one of everything the pages show: an allocated child with an allergy in "all about
    me", one still to allocate, a SEN concern under way, finished and open tasks, notifications."""
    ruby = register(setting=setting, room=room, manager=manager, first_name="Ruby")
    allocation = the_task(ruby, "allocate")
    allocate(ruby, manager, key_person, other_key_person, notes="Knows the family from the baby room")
    complete(the_task(ruby, "arrange_meeting"), key_person.user,
             starts_at=(timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%d %H:%M"), duration_minutes=30)
    complete(the_task(ruby, "all_about_me"), key_person.user, routines="Naps after lunch", likes="Trains",
             allergies="PEANUTS - severe, carries EpiPen")
    register(setting=setting, room=room, manager=manager, first_name="Oliver")  # waiting for allocation
    noah = ChildFactory(setting=setting, room=room, first_name="Noah", last_name="O'Connor-Wolstenholme")
    ChildGuardianFactory(child=noah)
    services.key_person_assign(child=noah, staff=key_person, role=AssignmentRole.PRIMARY, by=manager.user)
    concern = sk.raise_concern(noah, key_person.user)
    sk.tell_parents(noah, key_person.user)
    open_task = the_task(ruby, "plan")
    link = ruby.guardian_links.get()
    consent = services.consent_record(child=ruby, guardian=link.guardian, purpose=ConsentPurpose.PHOTOGRAPHS,
                                      status=ConsentStatus.GRANTED, method=ConsentMethod.SIGNED_FORM, by=manager.user)
    today = timezone.localdate()
    absence = services.staff_absence_record(staff=other_key_person, by=manager.user, reason="Training course",
                                            starts_on=today + dt.timedelta(days=20),
                                            ends_on=today + dt.timedelta(days=21))
    services.staff_sign_in(staff=key_person, by=key_person.user, room=room)  # the register: a room with a day
    services.child_sign_in(child=noah, by=key_person.user, brought_by="Grandma")
    # An import the manager brought in, refused with its rows to correct (processes.csv_import).
    job = import_job_create(setting=setting, by=manager.user, kind="rooms", content="name,min_age_months,"
                            "max_age_months,children_per_adult\nAttic,36,12,8\n", file_name="rooms.csv")
    import_job_run(job=job)
    bump = accident(ruby, key_person)
    token = services.accident_ack_link_create(accident=bump, by=key_person.user)
    supervision = services.supervision_schedule(staff=key_person, by=manager.user, due_on=today)
    # A room move under way (the room moves pages), and the key children of a key person (a leaver's screen).
    mila = settled_child(setting, room, manager, key_person, other_key_person, first_name="Mila")
    move = plan_move(mila, manager, RoomFactory(setting=setting, name="Pre-school", min_age_months=36,
                                                max_age_months=60), on=today + dt.timedelta(days=14))
    return {"job_id": job.pk, "pk": ruby.pk, "process_id": open_task.process_id, "task_id": open_task.pk,
            "noah": noah.pk, "concern": concern.pk, "done": (allocation.process_id, allocation.pk),
            "consent_id": consent.pk, "link_id": link.pk, "absence_id": absence.pk, "room_id": room.pk,
            "accident_id": bump.pk, "token": token, "supervision_id": supervision.pk, "move_id": move.pk,
            "staff_id": key_person.pk}


def _log_in(context, live_server, user):
    page = context.new_page()
    page.add_init_script(LISTEN)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("pass-word-123")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/)"))
    return page, errors


def check_page(page, errors: list[str], url: str, axe_script: str) -> list[str]:
    """What is wrong with the page open in `page`, in words; [] when nothing is."""
    problems = []
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1]:
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 3).map(e => e.tagName + '.' + e.className)""")
        problems.append(f"scrolls sideways ({width[0]} > {width[1]}): {wide}")
    # A table that only scrolls inside its own box hides its right-hand columns: the children list at 1366 px.
    cut = page.evaluate("""() => [...document.querySelectorAll('.table-wrap')]
        .filter(e => e.scrollWidth > e.clientWidth + 1 && e.offsetParent !== null)
        .map(e => (e.closest('section[id]') || {}).id || e.className)""")
    if cut and width[1] >= 1280:
        problems.append(f"a table overflows its box on a desktop: {cut}")
    if errors:
        problems.append(f"console errors: {errors[:3]}")
    csp = page.evaluate("window.__keyflow_csp || []")
    if csp:
        problems.append(f"CSP violations: {csp[:3]}")
    page.evaluate(axe_script)
    found = page.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
                          ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                          ".map(v => v.id + ': ' + v.nodes.slice(0, 2).map(n => n.target.join(' ')).join(', ')))")
    if found:
        problems.append(f"axe: {found}")
    return [f"{url}: {p}" for p in problems]


@pytest.mark.django_db(transaction=True)
def test_every_page_of_every_role_fits_a_phone_a_tablet_and_a_desktop_without_errors(
    live_server, browser, setting, room, manager, senco, key_person, other_key_person
):
    ids = _world(setting, room, manager, senco, key_person, other_key_person)
    urls = page_urls(ids) + ["/no-such-page/"]  # the 404 page is a page too
    axe_script = AXE_SCRIPT.read_text()
    problems = []
    for who in (manager, senco, key_person):
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page, errors = _log_in(context, live_server, who.user)
        for size, (width, height) in VIEWPORTS.items():
            page.set_viewport_size({"width": width, "height": height})
            for url in urls:
                errors.clear()
                if page.request.get(live_server.url + url, max_redirects=0).status == 405:
                    continue  # a form's POST target: not a page (Chromium will not show an empty 405)
                response = page.goto(live_server.url + url)
                if response is None:
                    continue
                if response.status in (403, 404):
                    # A refusal is a page too (the app's own, checked like the rest); the browser logs its status.
                    errors[:] = [e for e in errors if f"status of {response.status}" not in e]
                problems += [f"{who.user.username} {size} {p}" for p in check_page(page, errors, url, axe_script)]
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.django_db(transaction=True)
def test_the_login_page_fits_every_size_without_errors(live_server, browser):
    axe_script = AXE_SCRIPT.read_text()
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(LISTEN)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    problems = []
    for width, height in VIEWPORTS.values():
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/accounts/login/")
        problems += check_page(page, errors, "/accounts/login/", axe_script)
    context.close()
    assert not problems, "\n".join(problems)


SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


@pytest.mark.skipif(not __import__("os").environ.get("KEYFLOW_SCREENSHOTS"),
                    reason="writes docs/screenshots/: run scripts/screenshots.py")
@pytest.mark.django_db(transaction=True)
def test_screenshots_of_the_main_pages(live_server, browser, setting, room, manager, senco, key_person,
                                       other_key_person):
    """The README's pictures: the main pages as the manager sees them, at each size (PNG, top of the page)."""
    ids = _world(setting, room, manager, senco, key_person, other_key_person)
    pages = {
        "inbox": reverse("inbox"),
        "child-record": reverse("child-detail", args=[ids["pk"]]),
        # A finished step: what was decided, by whom and when.
        "task": reverse("task-detail", kwargs=dict(zip(("process_id", "task_id"), ids["done"]))),
        "dashboard": reverse("dashboard"),
        "sen-record": reverse("sen-record", args=[ids["noah"]]),
    }
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page, _ = _log_in(context, live_server, manager.user)
    for size, (width, height) in VIEWPORTS.items():
        page.set_viewport_size({"width": width, "height": height})
        for name, url in pages.items():
            page.goto(live_server.url + url)
            tall = min(page.evaluate("document.documentElement.scrollHeight"), 2 * height)
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{size}.png"), full_page=True,
                            clip={"x": 0, "y": 0, "width": width, "height": tall})
    context.close()
    assert len(list(SCREENSHOTS.glob("*.png"))) >= len(pages) * len(VIEWPORTS)
