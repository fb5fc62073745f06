"""Builds the demo setting `make run` loads, through the same services and workflows the app uses.

Organisation, setting, rooms and staff come from the set-up services (as the installation itself: by=None);
each child is registered, linked to their family and taken through the steps of their stage (demo.steps);
then the staff absence and the SEN stories (demo.sen). The demo carries the audit trail, the lifecycle log and
whatever the workflows hang on the services' signals.

Dates are relative to today (timezone.localdate()) and every "random" choice comes from one seeded
random.Random, so two builds on the same day are identical.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from processes import sessions
from processes.models import Child, Organisation, Room, Setting, Staff
from processes.services import (
    child_register,
    guardian_link,
    organisation_create,
    room_create,
    setting_create,
    staff_absence_record,
    staff_create,
)

from .context import ChildSpec, DemoContext, DemoError
from .data import (
    ABSENCES,
    CHILDREN,
    DEMO_PASSWORD,
    FAMILIES,
    ORGANISATION_NAME,
    PATTERNS,
    ROOMS,
    SEED,
    SETTING_DETAILS,
    SETTING_NAME,
    STAFF,
    STREETS,
    TOWN,
)
from .dates import date_of_birth_in, school_leaving_details, start_date_for
from .injuries import build_injury_and_supervision_stories
from .leaving import build_leaving_stories
from .meetings import build_meeting_stories
from .organisation import build_organisation
from .register import build_register
from .reset import demo_counts, demo_delete
from .room_care import build_room_care
from .sen import build_sen_stories
from .steps import STAGE_STEPS, S
from .transitions import build_transition_stories

# The installation itself, not a person: the set-up services let a command on the server set a setting up.
SYSTEM = None


@dataclass
class DemoResult:
    created: bool
    setting: Setting
    counts: dict[str, Any]
    seconds: float = 0.0


def demo_setting() -> Setting | None:
    return Setting.objects.filter(name=SETTING_NAME).first()


@transaction.atomic
def demo_load(*, reset: bool = False) -> DemoResult:
    """Build the demo setting, unless it is already there. With reset, delete it first and build it again."""
    started = time.monotonic()
    existing = demo_setting()
    if existing is not None and not reset:
        return DemoResult(created=False, setting=existing, counts=demo_counts(existing))
    if existing is not None:
        demo_delete(existing)
    setting = demo_build(today=timezone.localdate())
    return DemoResult(created=True, setting=setting, counts=demo_counts(setting),
                      seconds=time.monotonic() - started)


@transaction.atomic
def demo_build(*, today: dt.date) -> Setting:
    User = get_user_model()
    usernames = [row[0] for row in STAFF]
    taken = sorted(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    if taken:
        raise DemoError(
            f"These demo usernames already belong to other accounts: {', '.join(taken)}. "
            "Rename or remove those accounts, or load the demo into a fresh database."
        )
    rng = random.Random(SEED)
    setting, rooms = build_setting()
    staff = build_staff(setting=setting, rooms=rooms)
    ctx = DemoContext(today=today, rng=rng, setting=setting, rooms=rooms, staff=staff,
                      buddies={row[0]: row[8] for row in STAFF if row[8]})
    specs = plan_children(ctx)
    # In the order the children joined, so the key persons' caseloads fill up as they would have.
    for spec in sorted(specs, key=lambda s: (s.start_date, s.name)):
        build_child(ctx, spec)
    build_absences(ctx)
    build_sen_stories(ctx)
    build_room_care(ctx)
    build_meeting_stories(ctx)
    build_organisation(ctx)  # a second setting of the chain, and its area manager (demo.organisation)
    build_register(ctx)
    build_injury_and_supervision_stories(ctx)
    build_leaving_stories(ctx)
    build_transition_stories(ctx)
    return setting



def build_setting() -> tuple[Setting, dict[str, Room]]:
    organisation = Organisation.objects.filter(name=ORGANISATION_NAME).first() or organisation_create(
        by=SYSTEM, name=ORGANISATION_NAME)
    setting = setting_create(organisation=organisation, by=SYSTEM, name=SETTING_NAME, **SETTING_DETAILS)
    rooms = {
        key: room_create(setting=setting, by=SYSTEM, name=name, min_age_months=low, max_age_months=high,
                         children_per_adult=ratio)
        for key, (name, low, high, ratio, _school) in ROOMS.items()
    }
    return setting, rooms


def build_staff(*, setting: Setting, rooms: dict[str, Room]) -> dict[str, Staff]:
    User = get_user_model()
    # One hash for all: hashing is deliberately slow and every demo user has the same published password.
    password = make_password(DEMO_PASSWORD)
    staff = {}
    for username, first, last, title, room, roles, pattern, max_caseload, _buddy, sen in STAFF:
        user = User.objects.create(
            username=username, first_name=first, last_name=last, password=password,
            email=f"{_ascii(first)}.{_ascii(last)}@littleacorns.example.org",
            is_staff="manager" in roles,  # the admin is the manager's (processes.admin)
        )
        staff[username] = staff_create(
            setting=setting, user=user, by=SYSTEM, room=rooms.get(room), job_title=title,
            is_key_person="key_person" in roles, is_senco="senco" in roles, is_manager="manager" in roles,
            is_dsl="dsl" in roles, working_sessions=sessions.mask_of(PATTERNS[pattern]), sen_experience=sen,
            max_caseload=max_caseload,
        )
    return staff


def plan_children(ctx: DemoContext) -> list[ChildSpec]:
    """Turn the CHILDREN table into specs with dates, drawing from the seeded generator in table order."""
    specs = []
    for row in CHILDREN:
        spec = ChildSpec(*row)
        spec.date_of_birth = date_of_birth_in(ctx, room=spec.room, age=spec.age)
        spec.start_date = start_date_for(ctx, stage=spec.stage, date_of_birth=spec.date_of_birth)
        specs.append(spec)
    return specs


def build_child(ctx: DemoContext, spec: ChildSpec) -> Child:
    details = {k: v for k, v in spec.extras.items()
               if k in ("allergies", "dietary_needs", "known_needs", "preferred_name")}
    if "prefers" in spec.extras:
        details["preferred_key_person"] = ctx.staff[spec.extras["prefers"]]
    if ROOMS[spec.room][4] and spec.stage not in (S.LEFT, S.WITHDRAWN):
        details.update(school_leaving_details(ctx, spec))
    child = child_register(
        setting=ctx.setting, by=ctx.manager, first_name=spec.first_name, last_name=spec.last_name,
        date_of_birth=spec.date_of_birth, start_date=spec.start_date, room=ctx.rooms[spec.room],
        sessions_attended=PATTERNS[spec.pattern], home_language=spec.language, **details,
    )
    link_family(ctx, child, spec)
    for step in STAGE_STEPS[spec.stage]:
        child = step(ctx, child, spec)
    return child


def link_family(ctx: DemoContext, child: Child, spec: ChildSpec) -> None:
    known = ctx.families.get(spec.family)
    if known is None:
        address = _address(ctx.rng)
        known = []
        for row in FAMILIES[spec.family]:
            first, last, relationship, responsibility = row
            link = guardian_link(
                child=child, by=ctx.manager, relationship=relationship,
                has_parental_responsibility=responsibility, is_primary_contact=not known,
                first_name=first, last_name=last, email=f"{_ascii(first)}.{_ascii(last)}@example.org",
                phone=f"07700 900{ctx.phones:03d}", address=address, preferred_language=spec.language,
            )
            ctx.phones += 1
            known.append((link.guardian, row))
        ctx.families[spec.family] = known
        return
    # A sibling: the same parents/carers, linked again.
    for position, (guardian, (_f, _l, relationship, responsibility)) in enumerate(known):
        guardian_link(child=child, by=ctx.manager, guardian=guardian, relationship=relationship,
                      has_parental_responsibility=responsibility, is_primary_contact=position == 0)


def build_absences(ctx: DemoContext) -> None:
    for username, before, after, reason in ABSENCES:
        staff_absence_record(
            staff=ctx.staff[username], by=ctx.manager, starts_on=ctx.today - dt.timedelta(days=before),
            ends_on=ctx.today + dt.timedelta(days=after), reason=reason,
        )



def _address(rng: random.Random) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"  # the letters a postcode's last part may use
    return (f"{rng.randint(2, 98)} {rng.choice(STREETS)}, {TOWN}, "
            f"OB{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}")


def _ascii(name: str) -> str:
    """An e-mail-safe version of a name: Wiśniewska → wisniewska, O'Connor → oconnor."""
    name = name.replace("ł", "l").replace("Ł", "L")
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum() or ch == "-")

