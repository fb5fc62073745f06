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
    if notification.kind == Kind.MEETING_ARRANGED and notification.refs.get("meeting_id"):
        method = "CANCEL" if notification.refs.get("cancelled") else "REQUEST"
        message.attach("invitation.ics", meeting_invitation(notification.refs["meeting_id"], notification.refs),
                       f"text/calendar; method={method}; charset=utf-8")
    return message


def meeting_invitation(meeting_id: int, refs: dict | None = None) -> bytes:
    """The meeting as an iCalendar (RFC 5545) event the parents can add to their calendar: the version this
    e-mail announced (its time, place and SEQUENCE captured in `refs`), under the meeting's one UID."""
    from processes import calendar_ics
    from processes.models import ParentMeeting

    meeting = ParentMeeting.objects.select_related("child__setting").get(pk=meeting_id)
    refs = refs or {}
    setting = meeting.child.setting
    starts_at = dt.datetime.fromisoformat(refs["starts_at"]) if refs.get("starts_at") else meeting.starts_at
    return calendar_ics.invitation(
        uid=meeting.uid, starts_at=starts_at, minutes=refs.get("duration_minutes", meeting.duration_minutes),
        summary=f"{meeting.get_kind_display()}: {meeting.child.first_name} at {setting.name}",
        location=(refs.get("location", meeting.location) or setting.address or setting.name),
        sequence=refs.get("sequence", meeting.sequence), cancelled=bool(refs.get("cancelled")),
        organizer=setting.email)
