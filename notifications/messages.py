"""How a notification reads: its e-mail, rendered from templates/notifications/<kind>.txt and .html.

Rendering needs only the row (its `refs` hold the values captured when it was written), except the digest,
which lists the day's notifications, and the meeting invitation, which attaches the meeting as iCalendar.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Channel, Kind, Notification


def absolute(path: str) -> str:
    return settings.KEYFLOW["BASE_URL"].rstrip("/") + path if path else ""


def render_text(template_name: str, context: dict) -> str:
    """A plain-text e-mail body. HTML escaping belongs to the HTML part only: in plain text a parent would
    read "O&#x27;Connor" for O'Connor. The context's autoescape reaches the templates it includes too."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def _context(notification: Notification) -> dict:
    context = {
        "notification": notification, "refs": notification.refs, "recipient_name": notification.recipient_name,
        "setting": notification.setting.name, "url": absolute(notification.refs.get("url", "")),
        "my_notifications_url": absolute(reverse("my-notifications")),
        "base_url": settings.KEYFLOW["BASE_URL"].rstrip("/"),
    }
    for name in ("due_at", "starts_at"):
        if notification.refs.get(name):
            context[name] = dt.datetime.fromisoformat(notification.refs[name])
    for name in ("on", "date"):
        if notification.refs.get(name):
            context[name] = dt.date.fromisoformat(notification.refs[name])
    if notification.kind == Kind.DIGEST:
        since = dt.datetime.fromisoformat(notification.refs["since"])
        until = dt.datetime.fromisoformat(notification.refs["until"])
        context["items"] = list(Notification.objects.filter(
            recipient_user_id=notification.recipient_user_id, channel=Channel.IN_APP,
            created_at__gte=since, created_at__lt=until,
        ).exclude(kind=Kind.DIGEST).order_by("created_at"))
    return context


def email_for(notification: Notification) -> EmailMultiAlternatives:
    context = _context(notification)
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=render_text(f"notifications/{notification.kind}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.email],
        headers={"X-Keyflow-Notification": notification.dedupe_key},
    )
    message.attach_alternative(render_to_string(f"notifications/{notification.kind}.html", context), "text/html")
    if notification.kind == Kind.MEETING_ARRANGED:
        message.attach("invitation.ics", meeting_invitation(notification.refs["meeting_id"]),
                       "text/calendar; method=REQUEST; charset=utf-8")
    return message


def meeting_invitation(meeting_id: int) -> bytes:
    """The meeting as an iCalendar (RFC 5545) event the parents can add to their calendar."""
    from icalendar import Calendar, Event

    from processes.models import ParentMeeting

    meeting = ParentMeeting.objects.select_related("child__setting").get(pk=meeting_id)
    setting = meeting.child.setting
    calendar = Calendar()
    calendar.add("prodid", "-//Keyflow//Key person system//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    # A stable UID: the same meeting sent again updates the parents' calendar entry instead of adding one.
    event.add("uid", f"parent-meeting-{meeting.pk}@keyflow")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.starts_at + dt.timedelta(minutes=meeting.duration_minutes))
    event.add("summary", f"{meeting.get_kind_display()}: {meeting.child.first_name} at {setting.name}")
    event.add("location", meeting.location or setting.address or setting.name)
    if setting.email:
        event.add("organizer", f"mailto:{setting.email}")
    calendar.add_component(event)
    return calendar.to_ical()
