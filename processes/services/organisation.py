"""Setting a nursery up: the organisation, its settings and their rooms.

An organisation and a new setting are an installation administrator's work (a superuser); the setting's
manager keeps its details, its allocation weights, its review periods and its rooms.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ..errors import RuleViolation
from ..models import Organisation, OrganisationMember, Room, Setting
from .audit import audit_record
from .changes import require_setting_admin, require_superuser, unknown_fields, update_checked, validate

SETTING_FIELDS = frozenset({
    "name", "ofsted_urn", "address", "email", "settling_review_weeks", "sen_review_weeks", "consent_follow_up_weeks",
    "open_days", "opens_at", "midday_at", "closes_at", "absence_check_at", "absence_welfare_days",
    "injury_pattern_count", "injury_pattern_weeks", "supervision_every_weeks",
    "weight_sessions", "weight_caseload", "weight_room", "weight_sen_experience", "weight_sibling",
    "weight_parent_preference",
})
ROOM_FIELDS = frozenset({"name", "min_age_months", "max_age_months", "children_per_adult"})

# How far ahead each of the setting's periods may reach. A settling-in review after a term is no longer about
# settling in; an SEN support cycle runs six to eight weeks as a rule (SEND Code 6.52), so half a year is the
# outside; asking declining parents again after more than a year is not following up.
PERIOD_LIMITS_WEEKS = {"settling_review_weeks": 13, "sen_review_weeks": 26, "consent_follow_up_weeks": 52,
                       "injury_pattern_weeks": 26, "supervision_every_weeks": 26}
MAX_WEIGHT = 10
# The oldest child a nursery room takes: the September after their fifth birthday at the latest (school age).
MAX_ROOM_AGE_MONTHS = 72


def _check_setting(setting: Setting) -> None:
    for name, most in PERIOD_LIMITS_WEEKS.items():
        weeks = getattr(setting, name)
        if weeks is None or not 1 <= weeks <= most:
            label = Setting._meta.get_field(name).verbose_name
            raise RuleViolation(f"{str(label).capitalize()} must be between 1 and {most} weeks.", field=name)
    for name in SETTING_FIELDS:
        if name.startswith("weight_") and getattr(setting, name) > MAX_WEIGHT:
            raise RuleViolation(f"A weight runs from 0 (switched off) to {MAX_WEIGHT}.", field=name)
    # One accident is not a pattern; more than ten before anyone looks again is no watch at all.
    if not 2 <= (setting.injury_pattern_count or 0) <= 10:
        raise RuleViolation("An injury pattern is between 2 and 10 records.", field="injury_pattern_count")
    if not setting.name.strip():
        raise RuleViolation("Give the setting a name.", field="name")
    validate(setting)


@transaction.atomic
def organisation_create(*, by, name: str) -> Organisation:
    require_superuser(by, "add an organisation")
    organisation = Organisation(name=name.strip())
    validate(organisation)
    organisation.save()
    audit_record(actor=by, action="create", record=organisation, summary=f"Added the organisation {organisation}")
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, by, name: str) -> Organisation:
    require_superuser(by, "rename an organisation")
    return update_checked(organisation, by=by, changes={"name": name.strip()}, check=lambda o, _: validate(o),
                          summary=lambda o, diff: f"Renamed the organisation {diff['name'][0]} to {o}")


@transaction.atomic
def setting_create(*, organisation: Organisation, by, name: str, **details: Any) -> Setting:
    require_superuser(by, "add a setting")
    unknown_fields(details, SETTING_FIELDS)
    setting = Setting(organisation=organisation, name=name.strip(), **details)
    _check_setting(setting)
    setting.save()
    audit_record(actor=by, action="create", record=setting, setting_id=setting.pk,
                 summary=f"Added the setting {setting} to {organisation}")
    return setting


@transaction.atomic
def setting_update(*, setting: Setting, by, organisation: Organisation | None = None, **changes: Any) -> Setting:
    """The setting's details, allocation weights and review periods; only an installation administrator moves
    a setting to another organisation."""
    require_setting_admin(by, setting.pk, "change the setting's details")
    unknown_fields(changes, SETTING_FIELDS)
    if organisation is not None:
        changes["organisation"] = organisation

    def check(setting: Setting, diff: dict) -> None:
        if "organisation" in diff:
            require_superuser(by, "move a setting to another organisation")
        _check_setting(setting)

    return update_checked(setting, by=by, changes=changes, check=check,
                          summary=lambda s, diff: f"Changed {', '.join(diff)} of the setting", setting_id=setting.pk)


def _check_room(room: Room) -> None:
    if not room.name.strip():
        raise RuleViolation("Give the room a name.", field="name")
    if room.min_age_months is not None and room.max_age_months is not None:
        if room.min_age_months >= room.max_age_months:
            raise RuleViolation("The room's youngest age must be below its oldest.", field="max_age_months")
        if room.max_age_months > MAX_ROOM_AGE_MONTHS:
            raise RuleViolation(f"A nursery room takes children up to {MAX_ROOM_AGE_MONTHS} months old.",
                                field="max_age_months")
    if room.children_per_adult is not None and room.children_per_adult < 1:
        raise RuleViolation("A room has at least one child per adult.", field="children_per_adult")
    clash = Room.objects.filter(setting_id=room.setting_id, name__iexact=room.name.strip()).exclude(pk=room.pk)
    if clash.exists():
        raise RuleViolation(f"The setting already has a room called {room.name.strip()}.", field="name")
    validate(room)


@transaction.atomic
def room_create(*, setting: Setting, by, name: str, min_age_months: int, max_age_months: int,
                children_per_adult: int) -> Room:
    require_setting_admin(by, setting.pk, "add a room")
    room = Room(setting=setting, name=name.strip(), min_age_months=min_age_months, max_age_months=max_age_months,
                children_per_adult=children_per_adult)
    _check_room(room)
    room.save()
    audit_record(actor=by, action="create", record=room,
                 summary=f"Added the room {room} ({min_age_months}–{max_age_months} months, {room.ratio})")
    return room


@transaction.atomic
def room_update(*, room: Room, by, **changes: Any) -> Room:
    require_setting_admin(by, room.setting_id, "change a room")
    unknown_fields(changes, ROOM_FIELDS)
    if isinstance(changes.get("name"), str):
        changes["name"] = changes["name"].strip()
    return update_checked(room, by=by, changes=changes, check=lambda r, _: _check_room(r),
                          summary=lambda r, diff: f"Changed {', '.join(diff)} of the room {r}")


@transaction.atomic
def room_delete(*, room: Room, by) -> None:
    """A room nobody was ever recorded in; a room with children (even past ones) keeps their history."""
    require_setting_admin(by, room.setting_id, "remove a room")
    room = Room.objects.select_for_update().get(pk=room.pk)
    if room.children.exists():
        raise RuleViolation(f"Children are recorded in {room}: it cannot be removed, only left empty.")
    audit_record(actor=by, action="delete", record=room, summary=f"Removed the room {room}")
    room.delete()


@transaction.atomic
def organisation_member_add(*, organisation: Organisation, user, by, title: str = "") -> OrganisationMember:
    """Give someone the organisation's view: every setting's figures, no child's record (processes.access).
    An installation administrator's decision: for a local authority, only with the settings' agreement."""
    require_superuser(by, "give someone an organisation's view")
    if OrganisationMember.objects.filter(user=user).exists():
        raise RuleViolation(f"{user.get_username()} already has an organisation's view.", field="user")
    member = OrganisationMember(organisation=organisation, user=user, title=title.strip())
    validate(member, exclude=["user"])
    member.save()
    audit_record(actor=by, action="create", record=member,
                 summary=f"Gave {user.get_username()} the figures of {organisation}'s settings"
                         f"{f' as {member.title}' if member.title else ''}")
    return member
