"""The demo setting `make run` loads: Little Acorns Nursery, with staff, families and children at every stage.

Everything below is made up. The tables at the top are the data; the functions after them build it through
the same services the app uses (child_register, guardian_link, key_person_assign, child_transition,
consent_record, staff_absence_record), so the demo carries the audit trail, the lifecycle log and whatever the
workflows hang on the services' signals. Only the records that have no service (organisation, setting, rooms,
users, staff) are created directly.

Dates are relative to today (timezone.localdate()) and every "random" choice comes from one seeded
random.Random, so two builds on the same day are identical.

To add a child at a given stage, add a row to CHILDREN. Each stage is reached by running the steps in
STAGE_STEPS, one small function per step of a child's time here (step_allocate, step_first_day,
step_begin_settling_in, step_settle...). When a workflow should drive a step instead (e.g. completing the
allocation task of workflows.allocation), replace that one function and every child passing through the step
follows.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, ProtectedError
from django.utils import timezone

from . import sessions
from .models import (
    SenConcern,
    AssignmentRole,
    Child,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    ConsentStatus,
    Guardian,
    KeyPersonAssignment,
    LifecycleState,
    Organisation,
    Room,
    Setting,
    Staff,
    StaffAbsence,
)
from .services import (
    child_register,
    child_transition,
    child_update,
    consent_record,
    guardian_link,
    key_person_assign,
    key_person_end,
    staff_absence_record,
)

S = LifecycleState

# ---------------------------------------------------------------------------------------------------------
# The data
# ---------------------------------------------------------------------------------------------------------

SEED = 20260901
DEMO_PASSWORD = "keyflow-demo"
ORGANISATION_NAME = "Acorn Early Years Ltd"
SETTING_NAME = "Little Acorns Nursery"
SETTING_DETAILS = {
    "ofsted_urn": "EY563218",
    "address": "12 Chestnut Walk, Oakbridge, OB4 7QT",
    "email": "office@littleacorns.example.org",
}
TOWN = "Oakbridge"
STREETS = (
    "Mill Lane", "Church Road", "Victoria Street", "Orchard Close", "Station Road", "Park Avenue",
    "Elm Grove", "Meadow Way", "Queen's Road", "Willow Crescent", "Brook Street", "Hawthorn Drive",
)
SCHOOLS = (
    "Oakbridge Primary School",
    "St Anne's C of E Primary School",
    "Our Lady of Lourdes Catholic Primary School",
    "Chestnut Walk Infant School",
    "Meadowbank Primary Academy",
)

# key: (name, youngest in months, up to (not including) months, children per adult, leaves for school)
ROOMS = {
    "babies": ("Babies 0–2", 0, 24, 3, False),
    "toddlers": ("Toddlers 2–3", 24, 36, 4, False),
    "preschool": ("Pre-school 3–5", 36, 60, 8, True),
}

_WEEK = sessions.CODES
PATTERNS = {
    "full_week": _WEEK,
    "mornings": tuple(c for c in _WEEK if c.endswith("_am")),
    "afternoons": tuple(c for c in _WEEK if c.endswith("_pm")),
    "mon_thu": tuple(c for c in _WEEK if c[:3] in ("mon", "tue", "wed", "thu")),
    "mon_wed": tuple(c for c in _WEEK if c[:3] in ("mon", "tue", "wed")),
    "wed_fri": tuple(c for c in _WEEK if c[:3] in ("wed", "thu", "fri")),
    "tue_thu": tuple(c for c in _WEEK if c[:3] in ("tue", "thu")),
    "thu_fri": tuple(c for c in _WEEK if c[:3] in ("thu", "fri")),
    "mwf": tuple(c for c in _WEEK if c[:3] in ("mon", "wed", "fri")),
}

SENCO_EXPERIENCE = (
    "Level 3 SENCO award; eight years supporting children with autism and speech and language needs; "
    "has led EHC needs assessment requests; Makaton trained."
)
DEPUTY_EXPERIENCE = (
    "Four years in a specialist nursery for children with complex medical needs; trained to support "
    "children with a hearing impairment."
)

# username, first name, last name, job title, room, roles, working pattern, max caseload, buddy, SEN experience.
# The buddy is the colleague who is secondary key person for this person's key children: the one who steps
# in when they are away (seed policies: "a secondary key worker available ... should the key worker be absent").
STAFF = [
    ("manager", "Sarah", "Whitfield", "Nursery manager", None, {"manager", "dsl"}, "full_week", 6, None, ""),
    ("senco", "Priya", "Sharma", "SENCO and pre-school practitioner", "preschool", {"senco", "key_person"},
     "mon_thu", 6, "hannah.clarke", SENCO_EXPERIENCE),
    ("keyperson1", "Jade", "Thompson", "Toddler room leader", "toddlers", {"key_person"}, "full_week", 8,
     "liam.oconnor", ""),
    ("keyperson2", "Tom", "Okafor", "Early years teacher", "preschool", {"key_person"}, "full_week", 10,
     "hannah.clarke", ""),
    ("chloe.evans", "Chloe", "Evans", "Baby room leader", "babies", {"key_person"}, "full_week", 6,
     "agnieszka.nowak", ""),
    ("agnieszka.nowak", "Agnieszka", "Nowak", "Nursery practitioner", "babies", {"key_person"}, "mon_wed", 6,
     "chloe.evans", ""),
    ("megan.hughes", "Megan", "Hughes", "Nursery practitioner", "babies", {"key_person"}, "mornings", 6,
     "chloe.evans", ""),
    ("aisha.begum", "Aisha", "Begum", "Nursery practitioner", "toddlers", {"key_person"}, "mornings", 6,
     "keyperson1", ""),
    ("liam.oconnor", "Liam", "O'Connor", "Nursery practitioner", "toddlers", {"key_person"}, "wed_fri", 6,
     "keyperson1", ""),
    ("hannah.clarke", "Hannah", "Clarke", "Deputy manager", "preschool", {"key_person", "dsl"}, "full_week", 8,
     "keyperson2", DEPUTY_EXPERIENCE),
    ("zainab.hussain", "Zainab", "Hussain", "Nursery practitioner", "preschool", {"key_person"}, "wed_fri", 7,
     "keyperson2", ""),
]

# Who is away now: (username, days before today, days after today, reason). Their key children's secondary
# covers for them meanwhile.
ABSENCES = [
    ("hannah.clarke", 2, 4, "Annual leave"),
]

# The log-ins `load_demo` prints: (username, what they are).
LOGINS = [
    ("manager", "manager"),
    ("senco", "SENCO"),
    ("keyperson1", "key person, Toddlers"),
    ("keyperson2", "key person, Pre-school"),
]

PR, NO_PR = True, False
# Parents and carers by family: (first name, last name, relationship, parental responsibility). The first one
# listed is the primary contact. Siblings share a family, and so share its parents/carers.
FAMILIES = {
    "bennett": [("Laura", "Bennett", "Mother", PR), ("Mark", "Bennett", "Father", PR)],
    "adeyemi": [("Funmilayo", "Adeyemi", "Mother", PR), ("Tunde", "Adeyemi", "Father", PR)],
    "kowalski": [("Magdalena", "Kowalska", "Mother", PR), ("Piotr", "Kowalski", "Father", PR)],
    "khan": [("Sana", "Khan", "Mother", PR), ("Imran", "Khan", "Father", PR)],
    "robinson": [("Kelly", "Robinson", "Mother", PR)],
    "campbell": [("Fiona", "Campbell", "Mother", PR), ("Ross", "Campbell", "Father", PR)],
    "davies": [("Rhian", "Davies", "Mother", PR), ("Gareth", "Davies", "Father", PR)],
    "fletcher": [("Emma", "Fletcher", "Mother", PR), ("Sophie", "Fletcher", "Mother", PR)],
    "nguyen": [("Linh", "Nguyen", "Mother", PR), ("Minh", "Nguyen", "Father", PR)],
    "popescu": [("Elena", "Popescu", "Mother", PR), ("Andrei", "Popescu", "Father", PR)],
    "walsh": [("Claire", "Walsh", "Mother", PR), ("Sean", "Walsh", "Father", PR)],
    "patel": [("Nisha", "Patel", "Mother", PR), ("Rajesh", "Patel", "Father", PR)],
    "whitaker": [("Rebecca", "Whitaker", "Mother", PR), ("James", "Whitaker", "Father", PR)],
    "kaur": [("Jaspreet", "Kaur", "Mother", PR), ("Harpreet", "Singh", "Father", PR)],
    "brennan": [("Daniel", "Brennan", "Father", PR)],
    "osei": [("Abena", "Osei", "Mother", PR), ("Kwame", "Osei", "Father", PR)],
    "wisniewski": [("Katarzyna", "Wiśniewska", "Mother", PR), ("Tomasz", "Wiśniewski", "Father", PR)],
    "macdonald": [("Kirsty", "MacDonald", "Mother", PR)],
    "rahman": [("Shirin", "Rahman", "Mother", PR), ("Abdul", "Rahman", "Father", PR)],
    "marshall": [("Gemma", "Marshall", "Mother", PR), ("Paul", "Marshall", "Father", PR)],
    "ionescu": [("Ioana", "Ionescu", "Mother", PR), ("Mihai", "Ionescu", "Father", PR)],
    # Harrison lives with his grandmother, who brings him and is the first contact, but has no parental
    # responsibility: consent has to come from his mother.
    "cole": [("Margaret", "Cole", "Grandmother", NO_PR), ("Stacey", "Cole", "Mother", PR)],
    "ahmed": [("Mariam", "Ahmed", "Mother", PR), ("Omar", "Ahmed", "Father", PR)],
    "price": [("Natalie", "Price", "Mother", PR)],
    "mensah": [("Akosua", "Mensah", "Mother", PR), ("Kofi", "Mensah", "Father", PR)],
    "johnson": [("Kerry", "Johnson", "Mother", PR), ("Dean", "Johnson", "Father", PR)],
    "murphy": [("Siobhan", "Murphy", "Mother", PR), ("Conor", "Murphy", "Father", PR)],
    "iqbal": [("Farah", "Iqbal", "Mother", PR), ("Asif", "Iqbal", "Father", PR)],
    "richardson": [("Helen", "Richardson", "Mother", PR), ("David", "Richardson", "Father", PR)],
    "williams": [("Carys", "Williams", "Mother", PR)],
    "chowdhury": [("Rumana", "Chowdhury", "Mother", PR), ("Faisal", "Chowdhury", "Father", PR)],
    "edwards": [("Lucy", "Edwards", "Mother", PR), ("Ben", "Edwards", "Father", PR)],
    "turner": [("Chelsea", "Turner", "Mother", PR), ("Lee", "Turner", "Father", PR)],
    "lewandowski": [("Anna", "Lewandowska", "Mother", PR), ("Marek", "Lewandowski", "Father", PR)],
    "moore": [("Victoria", "Moore", "Mother", PR), ("Alex", "Moore", "Father", PR)],
    "harris": [("Joanne", "Harris", "Mother", PR), ("Craig", "Harris", "Father", PR)],
    "eze": [("Chioma", "Eze", "Mother", PR), ("Emeka", "Eze", "Father", PR)],
    "scott": [("Amy", "Scott", "Mother", PR)],
    "lawson": [("Rachel", "Lawson", "Mother", PR), ("Matthew", "Lawson", "Father", PR)],
    "reid": [("Nicola", "Reid", "Mother", PR), ("Andrew", "Reid", "Father", PR)],
}

# first name, last name, family, room, age (0 = youngest the room takes, 1 = oldest), stage, sessions,
# home language, extras. Pre-school "age" runs up to the oldest child not yet at school, so 0.5 and over is
# always in the year leaving for school next summer (early in the school year, everyone in the room is).
# Extras: child fields (allergies, dietary_needs, known_needs, preferred_name), "prefers" (the username of the
# parents' preferred key person), "photos" (granted / declined / withdrawn; default granted once started),
# "senco_observation", "share_professional" (the named recipient), "reason" (for leaving or withdrawing).
CHILDREN: list[tuple[str, str, str, str, float, str, str, str, dict[str, Any]]] = [
    # Babies 0–2
    ("Olivia", "Bennett", "bennett", "babies", 0.85, S.SETTLED, "full_week", "English", {}),
    ("Noah", "Adeyemi", "adeyemi", "babies", 0.70, S.SETTLED, "mon_wed", "English", {}),
    ("Zofia", "Kowalska", "kowalski", "babies", 0.60, S.SETTLED, "tue_thu", "Polish", {}),
    ("Inaya", "Khan", "khan", "babies", 0.55, S.SETTLED, "mornings", "Urdu", {}),
    ("Alfie", "Robinson", "robinson", "babies", 0.75, S.SETTLED, "full_week", "English",
     {"allergies": "Cow's milk protein allergy: oat milk only.", "dietary_needs": "Dairy-free."}),
    ("Ava", "Campbell", "campbell", "babies", 0.90, S.SETTLED, "mwf", "English", {}),
    ("Harry", "Davies", "davies", "babies", 0.50, S.SETTLED, "thu_fri", "English", {}),
    ("Maisie", "Fletcher", "fletcher", "babies", 0.45, S.SETTLING_IN, "mon_wed", "English", {}),
    ("Arlo", "Nguyen", "nguyen", "babies", 0.40, S.ALLOCATED, "mornings", "Vietnamese", {}),
    ("Rosie", "Bennett", "bennett", "babies", 0.28, S.REGISTERED, "full_week", "English",
     {"prefers": "chloe.evans"}),
    ("Teodor", "Popescu", "popescu", "babies", 0.35, S.REGISTERED, "mon_wed", "Romanian", {}),
    ("Jacob", "Walsh", "walsh", "babies", 0.80, S.LEFT, "full_week", "English",
     {"reason": "The family moved to Leeds."}),
    # Toddlers 2–3
    ("Riya", "Patel", "patel", "toddlers", 0.60, S.SETTLED, "full_week", "English", {}),
    ("Oscar", "Whitaker", "whitaker", "toddlers", 0.40, S.SETTLED, "mornings", "English",
     {"dietary_needs": "Vegetarian."}),
    ("Amelia", "Kaur", "kaur", "toddlers", 0.70, S.SETTLED, "tue_thu", "Punjabi", {}),
    ("Leo", "Brennan", "brennan", "toddlers", 0.50, S.SETTLED, "mon_wed", "English", {}),
    ("Ruby", "Osei", "osei", "toddlers", 0.30, S.SETTLED, "full_week", "English",
     {"allergies": "Egg allergy (mild): no egg in meals or baking.", "photos": ConsentStatus.WITHDRAWN}),
    ("Jakub", "Wiśniewski", "wisniewski", "toddlers", 0.80, S.SETTLED, "mornings", "Polish",
     {"photos": ConsentStatus.DECLINED}),
    ("Isla", "MacDonald", "macdonald", "toddlers", 0.20, S.SETTLED, "wed_fri", "English", {}),
    ("Ayesha", "Rahman", "rahman", "toddlers", 0.65, S.SETTLED, "mwf", "Bengali", {"senco_observation": True}),
    ("Theo", "Marshall", "marshall", "toddlers", 0.97, S.IN_TRANSITION, "full_week", "English", {}),
    ("Mia", "Ionescu", "ionescu", "toddlers", 0.10, S.SETTLING_IN, "mon_wed", "Romanian", {}),
    ("Harrison", "Cole", "cole", "toddlers", 0.15, S.ALLOCATED, "thu_fri", "English", {}),
    ("Layla", "Ahmed", "ahmed", "toddlers", 0.05, S.REGISTERED, "mornings", "Arabic",
     {"dietary_needs": "Halal."}),
    ("Sienna", "Price", "price", "toddlers", 0.30, S.WITHDRAWN, "mon_wed", "English",
     {"reason": "Parents accepted a place at a nursery nearer their work."}),
    # Pre-school 3–5
    ("Ayaan", "Khan", "khan", "preschool", 0.90, S.LEAVING, "full_week", "Urdu", {}),
    ("Arjun", "Patel", "patel", "preschool", 0.85, S.LEAVING, "mornings", "English", {}),
    ("Grace", "Mensah", "mensah", "preschool", 0.80, S.LEAVING, "mon_thu", "English", {}),
    ("Evie", "Johnson", "johnson", "preschool", 0.95, S.SETTLED, "full_week", "English", {}),
    ("Jack", "Murphy", "murphy", "preschool", 0.70, S.SETTLED, "mon_wed", "English", {}),
    ("Sofia", "Popescu", "popescu", "preschool", 0.75, S.SETTLED, "mon_wed", "Romanian", {}),
    ("Hamza", "Iqbal", "iqbal", "preschool", 0.60, S.SETTLED, "mornings", "Urdu", {"dietary_needs": "Halal."}),
    ("Poppy", "Richardson", "richardson", "preschool", 0.65, S.SETTLED, "mon_thu", "English",
     {"known_needs": "Autism (diagnosed last year). Uses a visual timetable and ear defenders; finds "
                     "transitions between activities hard. EHC needs assessment requested.",
      "share_professional": "Dr Amelia Grant, community paediatrician, Oakbridge Child Development Centre"}),
    ("Thomas", "Williams", "williams", "preschool", 0.58, S.SETTLED, "tue_thu", "English",
     {"preferred_name": "Tom"}),
    ("Nadia", "Chowdhury", "chowdhury", "preschool", 0.88, S.SETTLED, "full_week", "Bengali", {}),
    ("Max", "Edwards", "edwards", "preschool", 0.40, S.SETTLED, "tue_thu", "English", {}),
    ("Lily-Mae", "Turner", "turner", "preschool", 0.30, S.SETTLED, "full_week", "English",
     {"allergies": "Peanut and tree nut allergy: adrenaline auto-injector (EpiPen) kept in the office.",
      "dietary_needs": "Nut-free."}),
    ("Antoni", "Lewandowski", "lewandowski", "preschool", 0.35, S.SETTLED, "mornings", "Polish", {}),
    ("Isabella", "Moore", "moore", "preschool", 0.25, S.SETTLED, "mwf", "English", {"preferred_name": "Bella"}),
    ("George", "Harris", "harris", "preschool", 0.20, S.SETTLED, "wed_fri", "English",
     {"known_needs": "Moderate hearing loss: wears hearing aids in both ears. Visited by the sensory support "
                     "teacher each half term."}),
    ("Filip", "Kowalski", "kowalski", "preschool", 0.15, S.SETTLED, "tue_thu", "Polish", {}),
    ("Amara", "Eze", "eze", "preschool", 0.10, S.SETTLED, "mon_wed", "English",
     {"allergies": "Coeliac disease.", "dietary_needs": "Gluten-free."}),
    ("Henry", "Scott", "scott", "preschool", 0.05, S.SETTLING_IN, "thu_fri", "English", {}),
    ("Ella", "Lawson", "lawson", "preschool", 0.12, S.REGISTERED, "mornings", "English", {}),
    ("Marcus", "Reid", "reid", "preschool", 0.50, S.LEFT, "mon_wed", "English",
     {"reason": "Moved to a nursery nearer home."}),
]


# ---------------------------------------------------------------------------------------------------------
# The builder
# ---------------------------------------------------------------------------------------------------------


class DemoError(Exception):
    """The demo cannot be built as asked (e.g. a demo username is taken by somebody else)."""


@dataclass
class ChildSpec:
    first_name: str
    last_name: str
    family: str
    room: str
    age: float
    stage: str
    pattern: str
    language: str
    extras: dict[str, Any]
    date_of_birth: dt.date = dt.date.min
    start_date: dt.date | None = None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass
class DemoContext:
    today: dt.date
    rng: random.Random
    setting: Setting
    rooms: dict[str, Room]
    staff: dict[str, Staff]
    buddies: dict[str, str]
    families: dict[str, list[tuple[Guardian, tuple]]] = field(default_factory=dict)
    phones: int = 0

    @property
    def manager(self):
        return self.staff["manager"].user

    @property
    def senco(self):
        return self.staff["senco"].user

    def primary_of(self, child: Child) -> Staff | None:
        assignment = child.assignments.current().filter(role=AssignmentRole.PRIMARY).select_related(
            "staff__user").first()
        return assignment.staff if assignment else None


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
    from .demo_sen import build_sen_stories

    build_sen_stories(ctx)
    return setting


def build_setting() -> tuple[Setting, dict[str, Room]]:
    organisation, _ = Organisation.objects.get_or_create(name=ORGANISATION_NAME)
    setting = Setting.objects.create(organisation=organisation, name=SETTING_NAME, **SETTING_DETAILS)
    rooms = {
        key: Room.objects.create(setting=setting, name=name, min_age_months=low, max_age_months=high,
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
        staff[username] = Staff.objects.create(
            user=user, setting=setting, room=rooms.get(room), job_title=title,
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


# --- One function per lifecycle step. Each is safe to run when something else (a workflow listening to the
# --- services' signals) has already done its part: it does only what is still missing.


def _open_task(child: Child, node: str):
    """The child's open workflow task at `node`, if the workflows app has one waiting."""
    from viewflow.workflow.models import Task

    for task in Task.objects.filter(process__childprocess__child=child, status__in=("NEW", "ASSIGNED")):
        if task.flow_task.name == node:
            return task
    return None


def _complete(child: Child, node: str, by, **data) -> bool:
    """Complete the child's open task at `node` through the workflow service, as the person would."""
    from workflows.services import task_complete

    task = _open_task(child, node)
    if task is None:
        return False
    task_complete(process_id=task.process_id, task_id=task.pk, by=by, data=data)
    return True


def step_allocate(ctx: DemoContext, child: Child, spec: ChildSpec) -> Child:
    """Registered → allocated: a key person and a secondary, chosen as the manager would, through the
    allocation workflow when one is waiting (which then starts the introduction)."""
    current = {a.role: a.staff for a in child.assignments.current().select_related("staff__user")}
    primary = current.get(AssignmentRole.PRIMARY)
    why = ""
    if primary is None:
        primary, why = choose_key_person(ctx, child)
    secondary = current.get(AssignmentRole.SECONDARY) or choose_secondary(ctx, child, primary)
    if _complete(child, "allocate", ctx.manager, primary=primary.pk, secondary=secondary.pk, notes=why,
                 starts_on=_assignment_start(ctx, child).isoformat()):
        child.refresh_from_db()
        return child
    if AssignmentRole.PRIMARY not in current:
        key_person_assign(child=child, staff=primary, role=AssignmentRole.PRIMARY, by=ctx.manager,
                          starts_on=_assignment_start(ctx, child), reason=why)
    if AssignmentRole.SECONDARY not in current:
        key_person_assign(child=child, staff=secondary, role=AssignmentRole.SECONDARY, by=ctx.manager,
                          starts_on=_assignment_start(ctx, child),
                          reason=f"Covers for {primary.user.first_name} when they are away.")
    return _advance(ctx, child, "allocate", S.ALLOCATED, by=ctx.manager)


def step_introduce(ctx: DemoContext, child: Child, spec: ChildSpec) -> Child:
    """The introduction workflow: meeting the parents before the first day, and "all about me"."""
    key_person = ctx.primary_of(child)
    if key_person is None:
        return child
    by = key_person.user
    meeting = _moment(ctx, (child.start_date or ctx.today) - dt.timedelta(days=3), 10, 0)
    _complete(child, "arrange_meeting", by, starts_at=timezone.localtime(meeting).strftime("%Y-%m-%d %H:%M"),
              duration_minutes=45, location="The room", with_whom="Both parents")
    _complete(child, "all_about_me", by, routines="Sleeps after lunch; snack mid-morning.",
              likes="Sand, water play, stories", dislikes="Loud noises", sleep="One nap, about an hour",
              home_language=child.home_language, allergies=child.allergies, feeding=child.dietary_needs)
    return child


def _visits_text(start: dt.date) -> str:
    return "\n".join(f"{start + dt.timedelta(days=i)} 09:30 {minutes}" + (" with parent" if i < 2 else "")
                      for i, minutes in enumerate((60, 90, 120)))


def step_plan_settling(ctx: DemoContext, child: Child, spec: ChildSpec) -> Child:
    """The settling-in workflow's plan: short visits growing longer, agreed with the parents."""
    key_person = ctx.primary_of(child)
    if key_person and _complete(child, "plan", key_person.user,
                                visits=_visits_text((child.start_date or ctx.today) - dt.timedelta(days=7))):
        child.refresh_from_db()
        # Record the first visit: the rest wait in the key person's inbox.
        _complete(child, "record_visit", key_person.user, how_it_went="Clung to mum at first, then played with the sand.")
    return child


def step_finish_settling(ctx: DemoContext, child: Child, spec: ChildSpec) -> Child:
    key_person = ctx.primary_of(child)
    if key_person is None:
        return child
    while _complete(child, "record_visit", key_person.user, how_it_went="A happy visit; waved goodbye."):
        pass
    held = min(ctx.today, (child.start_date or ctx.today) + dt.timedelta(weeks=4))
    _complete(child, "review", key_person.user, held_on=held.isoformat(), outcome="settled",
              parents_view="Happy with how they have settled.")
    child.refresh_from_db()
    return child


def step_first_day(ctx: DemoContext, child: Child, spec: ChildSpec) -> Child:
    """The registration form, signed on the first day: photographs for the learning journal."""
    photos = spec.extras.get("photos", ConsentStatus.GRANTED)
    consent_record(
        child=child, guardian=_parent_with_responsibility(ctx, spec), purpose=ConsentPurpose.PHOTOGRAPHS,
        status=ConsentStatus.DECLINED if photos == ConsentStatus.DECLINED else ConsentStatus.GRANTED,
        method=ConsentMethod.SIGNED_FORM, by=ctx.manager, given_at=_moment(ctx, spec.start_date, 8, 30),
        notes="Registration form.",
    )
    return child


def step_begin_settling_in(ctx: DemoContext, child: Child, spec: ChildSpec) -> Child:
    key_person = ctx.primary_of(child)
    return _advance(ctx, child, "begin_settling_in", S.SETTLING_IN, by=key_person.user if key_person else None,
                    reason="First settling-in session with a parent.")


def step_settle(ctx: DemoContext, child: Child, spec: ChildSpec) -> Child:
    key_person = ctx.primary_of(child)
    return _advance(ctx, child, "settle", S.SETTLED, by=key_person.user if key_person else None,
                    reason="Settling-in review with the parents: happy to stay for full sessions.")


def step_while_settled(ctx: DemoContext, child: Child, spec: ChildSpec) -> Child:
    """Decisions parents made later, where the story needs them (see the CHILDREN extras)."""
    parent = _parent_with_responsibility(ctx, spec)
    if spec.extras.get("photos") == ConsentStatus.WITHDRAWN:
        halfway = spec.start_date + (ctx.today - spec.start_date) / 2
        consent_record(
            child=child, guardian=parent, purpose=ConsentPurpose.PHOTOGRAPHS, status=ConsentStatus.WITHDRAWN,
            method=ConsentMethod.EMAIL, by=ctx.manager, given_at=_moment(ctx, halfway, 17, 45),
            notes="Asked us to stop taking photographs for the learning journal.",
        )
    if spec.extras.get("senco_observation"):
        consent_record(
            child=child, guardian=parent, purpose=ConsentPurpose.SENCO_OBSERVATION,
            status=ConsentStatus.GRANTED, method=ConsentMethod.IN_PERSON, by=ctx.senco,
            given_at=_moment(ctx, ctx.today - dt.timedelta(days=7), 17, 30),
            notes="Key person and parents share a concern about her speech; the SENCO will observe her.",
        )
    if spec.extras.get("share_professional"):
        consent_record(
            child=child, guardian=parent, purpose=ConsentPurpose.SHARE_PROFESSIONAL,
            recipient=spec.extras["share_professional"], status=ConsentStatus.GRANTED,
            method=ConsentMethod.SIGNED_FORM, by=ctx.senco,
            given_at=_moment(ctx, ctx.today - dt.timedelta(days=30), 9, 0),
        )
    return child


def step_begin_room_move(ctx: DemoContext, child: Child, spec: ChildSpec) -> Child:
    return _advance(ctx, child, "begin_room_move", S.IN_TRANSITION, by=ctx.manager,
                    reason="Turns three soon: visits to Pre-school with the key person have started.")


def step_prepare_to_leave(ctx: DemoContext, child: Child, spec: ChildSpec) -> Child:
    reason = spec.extras.get("reason")
    if reason:  # leaving early, not for school: the leaving date is the day the parents gave
        child = child_update(child=child, by=ctx.manager, expected_leaving_date=ctx.today)
    else:
        reason = f"Starting reception at {child.destination_school} in September."
        consent_record(
            child=child, guardian=_parent_with_responsibility(ctx, spec), purpose=ConsentPurpose.SHARE_SCHOOL,
            status=ConsentStatus.GRANTED, method=ConsentMethod.SIGNED_FORM, by=ctx.manager,
            given_at=_moment(ctx, ctx.today - dt.timedelta(days=3), 17, 0),
            notes=f"Learning journal and transition report to {child.destination_school}.",
        )
    return _advance(ctx, child, "prepare_to_leave", S.LEAVING, by=ctx.manager, reason=reason)


def step_leave(ctx: DemoContext, child: Child, spec: ChildSpec) -> Child:
    child = _advance(ctx, child, "leave", S.LEFT, by=ctx.manager, reason=spec.extras.get("reason", ""))
    for assignment in child.assignments.current():
        key_person_end(assignment=assignment, by=ctx.manager, reason="Left the setting.")
    return child


def step_withdraw(ctx: DemoContext, child: Child, spec: ChildSpec) -> Child:
    return _advance(ctx, child, "withdraw", S.WITHDRAWN, by=ctx.manager, reason=spec.extras["reason"])


_TO_SETTLING_IN = (step_allocate, step_introduce, step_first_day, step_plan_settling, step_begin_settling_in)
_TO_SETTLED = (*_TO_SETTLING_IN, step_finish_settling, step_settle, step_while_settled)
STAGE_STEPS: dict[str, tuple[Callable[[DemoContext, Child, ChildSpec], Child], ...]] = {
    S.REGISTERED: (),  # waiting for the manager to allocate a key person
    S.ALLOCATED: (step_allocate,),  # starting soon: introductions to the parents in the key person's inbox
    S.SETTLING_IN: _TO_SETTLING_IN,
    S.SETTLED: _TO_SETTLED,
    S.IN_TRANSITION: (*_TO_SETTLED, step_begin_room_move),
    S.LEAVING: (*_TO_SETTLED, step_prepare_to_leave),
    S.LEFT: (*_TO_SETTLED, step_prepare_to_leave, step_leave),
    S.WITHDRAWN: (step_withdraw,),
}


def _advance(ctx: DemoContext, child: Child, transition: str, target: str, *, by, reason: str = "") -> Child:
    child.refresh_from_db()
    if child.state == target:  # a workflow got there first
        return child
    return child_transition(child=child, transition=transition, by=by or ctx.manager, reason=reason)


def choose_key_person(ctx: DemoContext, child: Child) -> tuple[Staff, str]:
    """The room's key person with room for another key child who best fits: the parents' preference first,
    then the seed policies' factors as the setting weighs them (sessions worked, caseload, SEN experience)."""
    setting = ctx.setting
    candidates = [s for s in ctx.staff.values() if s.is_key_person and s.room_id == child.room_id]
    loads = dict(
        KeyPersonAssignment.objects.current().filter(role=AssignmentRole.PRIMARY, staff__in=candidates)
        .values_list("staff").annotate(n=Count("pk")).values_list("staff", "n")
    )
    loads = {s.pk: loads.get(s.pk, 0) for s in candidates}
    open_ = [s for s in candidates if loads[s.pk] < s.max_caseload]
    if not open_:
        raise DemoError(f"No key person in {child.room} has room for {child.name}: raise a max caseload.")
    wanted = sessions.count(child.attending_sessions) or 1
    preferred = child.preferred_key_person_id
    for staff in open_:
        if staff.pk == preferred:
            return staff, "The parents' preference."

    def score(staff: Staff) -> float:
        overlap = sessions.count(staff.working_sessions & child.attending_sessions) / wanted
        headroom = (staff.max_caseload - loads[staff.pk]) / staff.max_caseload
        sen = 1 if child.known_needs and staff.sen_experience else 0
        return setting.weight_sessions * overlap + setting.weight_caseload * headroom + \
            setting.weight_sen_experience * sen

    best = max(open_, key=score)  # max() keeps the first of equals: the STAFF table's order breaks ties
    worked = sessions.count(best.working_sessions & child.attending_sessions)
    why = f"Works {worked} of {child.first_name}'s {wanted} sessions; {loads[best.pk]} key children before."
    if child.known_needs and best.sen_experience:
        why += " SEN experience."
    return best, why


def choose_secondary(ctx: DemoContext, child: Child, primary: Staff) -> Staff:
    buddy = ctx.staff.get(ctx.buddies.get(primary.user.username, ""))
    if buddy is not None and buddy.pk != primary.pk:
        return buddy
    others = [s for s in ctx.staff.values() if s.is_key_person and s.room_id == child.room_id and s != primary]
    return max(others, key=lambda s: sessions.count(s.working_sessions & child.attending_sessions))


def build_absences(ctx: DemoContext) -> None:
    for username, before, after, reason in ABSENCES:
        staff_absence_record(
            staff=ctx.staff[username], by=ctx.manager, starts_on=ctx.today - dt.timedelta(days=before),
            ends_on=ctx.today + dt.timedelta(days=after), reason=reason,
        )


# --- Dates


def date_of_birth_in(ctx: DemoContext, *, room: str, age: float) -> dt.date:
    """A date of birth `age` of the way through the room's age range, as of today.

    The pre-school's oldest are bounded by school, not by 60 months: a child goes to reception in the
    September after their fourth birthday, so nobody born before the current school year's leavers is here.
    """
    _name, low, high, _ratio, leaves_for_school = ROOMS[room]
    youngest = _months_before(ctx.today, low)
    oldest = _months_before(ctx.today, high) + dt.timedelta(days=1)
    if leaves_for_school:
        oldest = max(oldest, dt.date(_leavers_year(ctx.today) - 5, 9, 1))
    span = (youngest - oldest).days
    offset = min(max(round(age * span) + ctx.rng.randint(-5, 5), 0), span)
    return youngest - dt.timedelta(days=offset)


def start_date_for(ctx: DemoContext, *, stage: str, date_of_birth: dt.date) -> dt.date:
    today, rng = ctx.today, ctx.rng
    if stage in (S.REGISTERED, S.WITHDRAWN):
        return _monday_on_or_after(today + dt.timedelta(days=rng.randint(21, 63)))
    if stage == S.ALLOCATED:
        return _monday_on_or_after(today + dt.timedelta(days=rng.randint(3, 10)))
    if stage == S.SETTLING_IN:
        start = _monday_on_or_before(today - dt.timedelta(days=rng.randint(5, 18)))
    else:  # settled some while ago, having started at six months old or more
        latest = today - dt.timedelta(days=70)
        earliest = min(max(date_of_birth + dt.timedelta(days=190), today - dt.timedelta(days=3 * 365)), latest)
        start = _monday_on_or_before(earliest + dt.timedelta(days=rng.randint(0, (latest - earliest).days)))
    return start if start > date_of_birth else _monday_on_or_after(date_of_birth + dt.timedelta(days=1))


def school_leaving_details(ctx: DemoContext, spec: ChildSpec) -> dict[str, Any]:
    """Pre-schoolers leave at the end of the summer term before reception; the year leaving next summer
    already knows its school."""
    year = _school_start_year(spec.date_of_birth)
    leaving = _summer_term_end(year)
    if leaving <= ctx.today:  # the summer holidays: a day nursery keeps them until school starts
        leaving = max(_last_weekday_of_august(year), ctx.today + dt.timedelta(days=1))
    details: dict[str, Any] = {"expected_leaving_date": leaving}
    if year == _leavers_year(ctx.today):
        details["destination_school"] = ctx.rng.choice(SCHOOLS)
    return details


def _leavers_year(today: dt.date) -> int:
    """The year of the summer in which the current school year's leavers go."""
    return today.year + 1 if today.month >= 9 else today.year


def _school_start_year(date_of_birth: dt.date) -> int:
    return date_of_birth.year + (5 if date_of_birth.month >= 9 else 4)


def _summer_term_end(year: int) -> dt.date:
    day = dt.date(year, 7, 22)
    return day - dt.timedelta(days=(day.weekday() - 4) % 7)  # the Friday on or before 22 July


def _last_weekday_of_august(year: int) -> dt.date:
    day = dt.date(year, 8, 31)
    return day - dt.timedelta(days=max(day.weekday() - 4, 0))


def _months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _monday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def _monday_on_or_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _assignment_start(ctx: DemoContext, child: Child) -> dt.date:
    """Allocated a fortnight before the first day; a child starting soon is allocated today."""
    if child.start_date is None:
        return ctx.today
    return min(child.start_date - dt.timedelta(days=14), ctx.today)


def _moment(ctx: DemoContext, day: dt.date, hour: int, minute: int) -> dt.datetime:
    """A time of day on `day`, in the setting's time zone, never later than now."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
    return min(moment, timezone.now())


def _parent_with_responsibility(ctx: DemoContext, spec: ChildSpec) -> Guardian:
    return next(guardian for guardian, row in ctx.families[spec.family] if row[3])


def _address(rng: random.Random) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"  # the letters a postcode's last part may use
    return (f"{rng.randint(2, 98)} {rng.choice(STREETS)}, {TOWN}, "
            f"OB{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}")


def _ascii(name: str) -> str:
    """An e-mail-safe version of a name: Wiśniewska → wisniewska, O'Connor → oconnor."""
    name = name.replace("ł", "l").replace("Ł", "L")
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum() or ch == "-")


# ---------------------------------------------------------------------------------------------------------
# Summary and reset
# ---------------------------------------------------------------------------------------------------------


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
    from django_fsm_log.models import StateLog

    children = Child.objects.filter(setting=setting)
    StateLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Child), object_id__in=children.values("pk")
    ).delete()
    try:
        # Children first (their assignments and consents go with them), then what those protected.
        children.delete()
        Guardian.objects.filter(setting=setting).delete()
        StaffAbsence.objects.filter(staff__setting=setting).delete()
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


__all__ = ["DemoError", "DemoResult", "demo_counts", "demo_delete", "demo_load", "demo_login_line", "demo_setting"]
