"""Meetings as iCalendar (RFC 5545): the parents' invitation, its update and cancellation, and staff feeds.

One UID per meeting for its whole life; each change raises SEQUENCE and is sent with METHOD:REQUEST, a
cancellation with METHOD:CANCEL and STATUS:CANCELLED (RFC 5546), so a calendar program replaces or removes the
entry it already holds instead of adding a second one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from icalendar import Calendar, Event

PRODID = "-//Keyflow//Key person system//EN"


def _calendar(method: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    return calendar


def event(*, uid: str, starts_at: dt.datetime, minutes: int, summary: str, location: str = "", sequence: int = 0,
          cancelled: bool = False, organizer: str = "") -> Event:
    item = Event()
    item.add("uid", uid)
    item.add("dtstamp", timezone.now())
    item.add("dtstart", starts_at)
    item.add("dtend", starts_at + dt.timedelta(minutes=minutes))
    item.add("sequence", sequence)
    item.add("summary", summary)
    if location:
        item.add("location", location)
    if organizer:
        item.add("organizer", f"mailto:{organizer}")
    item.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return item


def invitation(*, uid: str, starts_at: dt.datetime, minutes: int, summary: str, location: str, sequence: int,
               cancelled: bool, organizer: str = "") -> bytes:
    """One meeting, for the parents' e-mail: REQUEST (new or changed) or CANCEL."""
    calendar = _calendar("CANCEL" if cancelled else "REQUEST")
    calendar.add_component(event(uid=uid, starts_at=starts_at, minutes=minutes, summary=summary, location=location,
                                 sequence=sequence, cancelled=cancelled, organizer=organizer))
    return calendar.to_ical()


def feed(events: Iterable[Event], *, name: str) -> bytes:
    """A subscribed calendar (no METHOD: RFC 5545 section 3.7.2 leaves it out of a published feed)."""
    calendar = _calendar(None)
    calendar.add("x-wr-calname", name)
    for item in events:
        calendar.add_component(item)
    return calendar.to_ical()
