"""The calendar's reads: meetings, settling-in visits and drop-in slots of a week, in a fixed number of queries
whatever their number, and a member of staff's own entries for their iCalendar feed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from processes import calendar_ics
from processes.access import children_visible_to, staff_of
from processes.models import DropInSlot, MeetingStatus, ParentMeeting, SettlingSession, Staff
from processes.models.children import ATTENDING


@dataclass(frozen=True)
class Entry:
    starts_at: dt.datetime
    minutes: int
    kind: str
    title: str
    who: str
    url: str = ""
    status: str = ""
    slot_id: int | None = None

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.minutes)


def _name(staff: Staff | None) -> str:
    return staff.user.get_full_name() if staff is not None else ""


def week_entries(user, *, monday: dt.date, days: int = 7, staff_id: int | None = None,
                 room_id: int | None = None) -> list[Entry]:
    """Three queries: meetings, visits and drop-in slots (each with what it shows, joined)."""
    staff = staff_of(user)
    if staff is None:
        return []
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time.min))
    end = start + dt.timedelta(days=days)
    children = children_visible_to(user)
    meetings = ParentMeeting.objects.filter(child__in=children, starts_at__gte=start, starts_at__lt=end)
    visits = SettlingSession.objects.filter(child__in=children, on__gte=monday,
                                            on__lt=monday + dt.timedelta(days=days))
    slots = DropInSlot.objects.filter(setting_id=staff.setting_id, meeting__isnull=True, starts_at__gte=start,
                                      starts_at__lt=end)
    if staff_id:
        meetings = meetings.filter(host_id=staff_id)
        visits = visits.filter(child__assignments__staff_id=staff_id, child__assignments__ends_on__isnull=True)
        slots = slots.filter(host_id=staff_id)
    if room_id:
        meetings, visits = meetings.filter(child__room_id=room_id), visits.filter(child__room_id=room_id)
        slots = slots.filter(host__room_id=room_id)
    entries = [
        Entry(m.starts_at, m.duration_minutes, m.get_kind_display(), m.child.name, _name(m.host),
              reverse("meeting-detail", args=[m.pk]), m.get_status_display())
        for m in meetings.exclude(status=MeetingStatus.CANCELLED).select_related("child", "host__user")
    ]
    entries += [
        Entry(timezone.make_aware(dt.datetime.combine(v.on, v.starts_at)), v.duration_minutes, "Settling-in visit",
              v.child.name, "", reverse("child-detail", args=[v.child_id]), "Recorded" if v.recorded else "")
        for v in visits.select_related("child")
    ]
    entries += [Entry(s.starts_at, s.duration_minutes, "Drop-in slot (free)", s.location or "Drop-in",
                      _name(s.host), slot_id=s.pk) for s in slots.select_related("host__user")]
    return sorted(entries, key=lambda e: (e.starts_at, e.title))


def feed_for(staff: Staff, *, today: dt.date | None = None) -> bytes:
    """The staff member's own meetings, their key children's visits and their drop-in slots, from a month ago.

    Nothing of special category: a meeting reads as its kind and the child's first name and initial, never
    why it was asked for or what was discussed (a phone's calendar is seen by more than its owner)."""
    today = today or timezone.localdate()
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=31), dt.time.min))
    mine = Q(host=staff) | Q(host__isnull=True, child__assignments__staff=staff,
                             child__assignments__ends_on__isnull=True)
    meetings = ParentMeeting.objects.filter(mine, starts_at__gte=since).select_related("child").distinct()
    visits = SettlingSession.objects.filter(child__assignments__staff=staff, child__assignments__ends_on__isnull=True,
                                            on__gte=since.date()).select_related("child")
    slots = DropInSlot.objects.filter(host=staff, meeting__isnull=True, starts_at__gte=since)
    events = [calendar_ics.event(uid=m.uid, starts_at=m.starts_at, minutes=m.duration_minutes, sequence=m.sequence,
                                 summary=f"{m.get_kind_display()}: {_short(m.child)}", location=m.location,
                                 cancelled=m.status == MeetingStatus.CANCELLED) for m in meetings]
    events += [calendar_ics.event(uid=f"settling-visit-{v.pk}@keyflow", minutes=v.duration_minutes,
                                  starts_at=timezone.make_aware(dt.datetime.combine(v.on, v.starts_at)),
                                  summary=f"Settling-in visit: {_short(v.child)}") for v in visits]
    events += [calendar_ics.event(uid=f"drop-in-{s.pk}@keyflow", starts_at=s.starts_at, minutes=s.duration_minutes,
                                  summary="Drop-in slot (free)", location=s.location) for s in slots]
    return calendar_ics.feed(events, name=f"Keyflow: {staff.user.get_full_name()}")


def _short(child) -> str:
    return f"{child.first_name} {child.last_name[:1]}."


def due_progress_meetings(user, *, today: dt.date | None = None) -> list:
    """Children whose last progress meeting (arranged or held) is older than a term, as the setting counts
    terms (`Setting.progress_meetings_per_year`): one query, whatever their number."""
    from django.db.models import Max

    staff = staff_of(user)
    if staff is None or not staff.setting.progress_meetings_per_year:
        return []
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=365 // staff.setting.progress_meetings_per_year)
    last = Max("meetings__starts_at", filter=Q(meetings__kind="progress",
                                               meetings__status__in=(MeetingStatus.ARRANGED, MeetingStatus.HELD)))
    children = children_visible_to(user).filter(state__in=ATTENDING, start_date__lte=today).annotate(last=last)
    cutoff = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    return list(children.filter(Q(last__isnull=True) | Q(last__lt=cutoff)).order_by("first_name", "last_name")[:50])
