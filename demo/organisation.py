"""The demo's chain: a second setting of the same organisation (a small pre-school), built through the services,
and the organisation's area manager, who sees both settings' figures side by side and no child's name."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from processes import sessions
from processes.models import Setting
from processes.services import (
    child_allocate,
    child_register,
    guardian_link,
    organisation_member_add,
    room_create,
    setting_create,
    staff_create,
)

from .context import DemoContext
from .data import DEMO_PASSWORD
from .reset import demo_delete

SYSTEM = None
SECOND_SETTING = "Oak Tree Pre-school"
AREA_MANAGER = ("areamanager", "Morag", "Fenwick", "Area manager")
SECOND_STAFF = [  # username, first, last, title, manager?
    ("oakmanager", "Hollis", "Pryce", "Manager", True),
    ("oakkp1", "Tamsin", "Oyelaran", "Early years practitioner", False),
    ("oakkp2", "Dev", "Raval", "Early years practitioner", False),
]
# first name, last name, months old, days since starting (None: starts in a fortnight), parent first name
SECOND_CHILDREN = [
    ("Orla", "Finch", 40, 200, "Niamh"),
    ("Kit", "Marsh", 44, 120, "Joel"),
    ("Ezra", "Lund", 38, None, "Freya"),
]


def build_organisation(ctx: DemoContext) -> Setting:
    organisation = ctx.setting.organisation
    User = get_user_model()
    old = Setting.objects.filter(organisation=organisation, name=SECOND_SETTING).first()
    if old is not None:
        demo_delete(old)
    User.objects.filter(username=AREA_MANAGER[0], organisation_membership__organisation=organisation).delete()
    password = make_password(DEMO_PASSWORD)
    setting = setting_create(organisation=organisation, by=SYSTEM, name=SECOND_SETTING,
                             email="office@oaktree.example.org")
    room = room_create(setting=setting, by=SYSTEM, name="Pre-school", min_age_months=36, max_age_months=60,
                       children_per_adult=8)
    staff = {}
    for username, first, last, title, is_manager in SECOND_STAFF:
        user = User.objects.create(username=username, first_name=first, last_name=last, password=password,
                                   email=f"{username}@oaktree.example.org")
        staff[username] = staff_create(setting=setting, user=user, by=SYSTEM, room=room, job_title=title,
                                       is_manager=is_manager, is_key_person=not is_manager,
                                       working_sessions=sessions.ALL)
    manager = staff["oakmanager"].user
    for first, last, months, started, parent in SECOND_CHILDREN:
        born = ctx.today - dt.timedelta(days=months * 30)
        starts = ctx.today - dt.timedelta(days=started) if started else ctx.today + dt.timedelta(days=14)
        child = child_register(setting=setting, by=manager, first_name=first, last_name=last, date_of_birth=born,
                               start_date=starts, room=room, sessions_attended=["mon_am", "tue_am", "wed_am"])
        guardian_link(child=child, by=manager, relationship="Parent", is_primary_contact=True, first_name=parent,
                      last_name=last, email=f"{parent.lower()}.{last.lower()}@example.org")
        if started:
            child_allocate(child=child, primary=staff["oakkp1"], secondary=staff["oakkp2"], by=manager,
                           starts_on=starts, reason="Demo")
    username, first, last, title = AREA_MANAGER
    area = User.objects.create(username=username, first_name=first, last_name=last, password=password,
                               email=f"{username}@acorn.example.org")
    organisation_member_add(organisation=organisation, user=area, by=SYSTEM, title=title)
    return setting
