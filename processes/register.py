"""Reading the daily register: each room's children and staff, its ratio now and through the day, and who is
without their key person. A fixed number of queries whatever the number of children (tests/test_register.py).

The rules themselves are processes.ratios (pure); this module only gathers who was where and when.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from . import ratios, sessions
from .models import AssignmentRole, Child, ChildAttendance, KeyPersonAssignment, Room, Setting, Staff, StaffAttendance
from .models.children import ATTENDING


def adult_of(staff: Staff) -> ratios.Adult:
    return ratios.Adult(id=staff.pk, level=staff.qualification_level, qualified_on=staff.qualified_on,
                        first_aid_until=staff.first_aid_until, is_student=staff.is_student,
                        is_competent=staff.is_competent)


def expected_on(child: Child, day: dt.date, setting: Setting) -> bool:
    """Whether the child's booking pattern brings them in on `day` (and the setting is open)."""
    if day.isoweekday() not in setting.open_weekdays or not child.attending_sessions & sessions.day_mask(day):
        return False
    return child.start_date is not None and child.start_date <= day and child.state in ATTENDING


def _local(day: dt.date, at: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, at))


def booked_until(child: Child, day: dt.date, setting: Setting) -> dt.datetime | None:
    """When the child's booked sessions that day end: the collection time late and early are measured from."""
    if day.weekday() >= len(sessions.DAYS):
        return None
    if child.attending_sessions & sessions.BITS[f"{sessions.DAYS[day.weekday()]}_pm"]:
        return _local(day, setting.closes_at)
    if child.attending_sessions & sessions.BITS[f"{sessions.DAYS[day.weekday()]}_am"]:
        return _local(day, setting.midday_at)
    return None


@dataclass
class ChildRow:
    child: Child
    attendance: ChildAttendance | None
    expected: bool
    key_person: Staff | None = None
    secondary: Staff | None = None
    key_person_in: bool = False
    secondary_in: bool = False
    ends_at: dt.datetime | None = None

    @property
    def present(self) -> bool:
        return bool(self.attendance and self.attendance.is_present)

    @property
    def without_key_person(self) -> bool:
        return self.present and not (self.key_person_in or self.secondary_in)

    @property
    def collection(self) -> str:
        """"late" or "early" against the booked sessions, or ""."""
        out = self.attendance.signed_out_at if self.attendance else None
        if out is None or self.ends_at is None:
            return ""
        if out > self.ends_at:
            return "late"
        return "early" if out < self.ends_at - dt.timedelta(minutes=15) else ""

    @property
    def covered_by(self) -> Staff | None:
        """Who looks after the child's key person tasks today (seed 004: the secondary while the key person is
        away, on a different shift or not in)."""
        if self.key_person_in or self.secondary is None:
            return self.key_person
        return self.secondary


@dataclass
class StaffRow:
    staff: Staff
    stay: StaffAttendance | None  # open, in this room

    @property
    def adult(self) -> ratios.Adult:
        return adult_of(self.staff)


@dataclass
class RoomDay:
    room: Room
    day: dt.date
    children: list[ChildRow] = field(default_factory=list)
    staff_in: list[StaffRow] = field(default_factory=list)
    history: list[ratios.Segment] = field(default_factory=list)
    now: ratios.Check | None = None

    @property
    def present(self) -> list[ChildRow]:
        return [r for r in self.children if r.present]

    @property
    def without_key_person(self) -> list[ChildRow]:
        return [r for r in self.children if r.without_key_person]

    @property
    def breaches(self) -> list[ratios.Segment]:
        return [s for s in self.history if s.check.breach]

    @property
    def needs_attention(self) -> bool:
        return bool((self.now and (self.now.breach or self.now.problems)) or self.without_key_person)


def register_day(setting: Setting, day: dt.date, *, room: Room | None = None,
                 now: dt.datetime | None = None) -> list[RoomDay]:
    """Every room of the setting (or one) on `day`, in five queries whatever the number of children."""
    now = now or timezone.now()
    rooms = [room] if room is not None else list(Room.objects.filter(setting=setting).order_by("min_age_months"))
    room_ids = [r.pk for r in rooms]
    # The room's own children, and any signed in to it that day (a transition visit counts where it happens).
    children = list(
        Child.objects.filter(setting=setting).filter(
            Q(room_id__in=room_ids, state__in=ATTENDING) | Q(attendances__day=day, attendances__room_id__in=room_ids))
        .distinct().order_by("first_name", "last_name"))
    attendance = {a.child_id: a for a in ChildAttendance.objects.filter(setting=setting, day=day,
                                                                         child__in=[c.pk for c in children])}
    holders: dict[int, dict[str, Staff]] = defaultdict(dict)
    for a in (KeyPersonAssignment.objects.current().filter(child__in=[c.pk for c in children])
              .select_related("staff__user")):
        holders[a.child_id][a.role] = a.staff
    stays = list(StaffAttendance.objects.filter(setting=setting, day=day).select_related("staff__user"))
    until = min(now, _local(day, setting.closes_at)) if day == timezone.localdate(now) else max(
        [_local(day, setting.closes_at)] + [s.signed_out_at for s in stays if s.signed_out_at]
        + [a.signed_out_at for a in attendance.values() if a.signed_out_at])
    in_building = {s.staff_id for s in stays if s.signed_in_at <= now and s.signed_out_at is None}

    days = []
    for r in rooms:
        rd = RoomDay(room=r, day=day)
        child_stays = []
        for child in children:
            row = attendance.get(child.pk)
            in_room = row.room_id == r.pk if row and row.signed_in_at else child.room_id == r.pk
            if not in_room:
                continue
            roles = holders.get(child.pk, {})
            primary, secondary = roles.get(AssignmentRole.PRIMARY), roles.get(AssignmentRole.SECONDARY)
            rd.children.append(ChildRow(
                child=child, attendance=row, expected=expected_on(child, day, setting), key_person=primary,
                secondary=secondary, key_person_in=bool(primary and primary.pk in in_building),
                secondary_in=bool(secondary and secondary.pk in in_building),
                ends_at=booked_until(child, day, setting)))
            if row and row.signed_in_at:
                child_stays.append(ratios.Stay(child.date_of_birth, row.signed_in_at, row.signed_out_at))
        room_stays = [s for s in stays if s.room_id == r.pk]
        rd.staff_in = [StaffRow(staff=s.staff, stay=s) for s in room_stays if s.signed_out_at is None]
        adult_stays = [ratios.Stay(adult_of(s.staff), s.signed_in_at, s.signed_out_at) for s in room_stays]
        rd.history = ratios.timeline(child_stays, adult_stays, on=day, until=until)
        rd.now = ratios.check([row.child.date_of_birth for row in rd.present],
                              [row.adult for row in rd.staff_in], day)
        days.append(rd)
    return days


def setting_staff(setting: Setting) -> list[Staff]:
    return list(Staff.objects.filter(setting=setting, user__is_active=True).select_related("user"))


def attendance_by_day(setting: Setting, start: dt.date, end: dt.date) -> dict[dt.date, int]:
    """Children signed in on each day from `start` to `end` (for the dashboard's charts): one query."""
    counts = dict(ChildAttendance.objects.filter(setting=setting, day__range=(start, end), signed_in_at__isnull=False)
                  .values_list("day").annotate(n=Count("id")).values_list("day", "n"))
    return {start + dt.timedelta(days=i): counts.get(start + dt.timedelta(days=i), 0)
            for i in range((end - start).days + 1)}


def _breaches(settings: list[Setting], start: dt.date, end: dt.date):
    """Each stretch any room of `settings` spent below the ratios from `start` to `end`, as (setting id, room id,
    day, segment): two queries whatever the number of settings, rooms or days."""
    closing = {s.pk: s.closes_at for s in settings}
    children = defaultdict(list)
    for setting_id, room_id, day, born, came, went in ChildAttendance.objects.filter(
            setting_id__in=list(closing), day__range=(start, end), signed_in_at__isnull=False).values_list(
            "setting_id", "room_id", "day", "child__date_of_birth", "signed_in_at", "signed_out_at"):
        children[setting_id, day, room_id].append(ratios.Stay(born, came, went))
    adults = defaultdict(list)
    for stay in StaffAttendance.objects.filter(setting_id__in=list(closing),
                                               day__range=(start, end)).select_related("staff"):
        adults[stay.setting_id, stay.day, stay.room_id].append(
            ratios.Stay(adult_of(stay.staff), stay.signed_in_at, stay.signed_out_at))
    now = timezone.now()
    for (setting_id, day, room_id), stays in children.items():
        until = min(now, _local(day, closing[setting_id]))
        for seg in ratios.timeline(stays, adults.get((setting_id, day, room_id), []), on=day, until=until):
            if seg.check.breach:
                yield setting_id, room_id, day, seg


def ratio_breaches_by_day(setting: Setting, start: dt.date, end: dt.date) -> dict[dt.date, int]:
    """Minutes any room spent below the ratios on each day from `start` to `end` (the dashboard's charts): two
    queries whatever the span."""
    minutes = {start + dt.timedelta(days=i): 0 for i in range((end - start).days + 1)}
    for _, _, day, seg in _breaches([setting], start, end):
        minutes[day] += int((seg.end - seg.start).total_seconds() // 60)
    return minutes


@dataclass
class Breaches:
    minutes: int = 0
    times: int = 0  # separate stretches below the ratios (back-to-back changes of who is in count once)


def ratio_breaches_on(settings: list[Setting], day: dt.date) -> dict[int, Breaches]:
    """Each setting's minutes and stretches below the ratios on `day` (the organisation's figures): two queries
    whatever the number of settings."""
    out = {s.pk: Breaches() for s in settings}
    last_end: dict[tuple[int, int], dt.datetime] = {}
    for setting_id, room_id, _, seg in sorted(_breaches(settings, day, day), key=lambda b: (b[0], b[1], b[3].start)):
        figures = out[setting_id]
        figures.minutes += int((seg.end - seg.start).total_seconds() // 60)
        figures.times += last_end.get((setting_id, room_id)) != seg.start
        last_end[setting_id, room_id] = seg.end
    return out
