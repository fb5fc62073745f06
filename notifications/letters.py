"""Letters to parents and carers."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from processes.models import AssignmentRole, Child
from processes.services import audit_record


def key_persons_letter_send(*, child_id: int) -> int:
    """Tell the parents/carers who their child's key person and secondary are (EYFS: parents must be told
    the key person's name). Returns how many were e-mailed."""
    child = Child.objects.select_related("setting").get(pk=child_id)
    current = {a.role: a.staff for a in child.assignments.current().select_related("staff__user")}
    recipients = [
        link.guardian for link in child.guardian_links.select_related("guardian")
        if link.has_parental_responsibility and link.guardian.email
    ]
    context = {"child": child, "setting": child.setting, "key_person": current.get(AssignmentRole.PRIMARY),
               "secondary": current.get(AssignmentRole.SECONDARY)}
    for guardian in recipients:
        context["guardian"] = guardian
        message = EmailMultiAlternatives(
            subject=f"{child.first_name}'s key person at {child.setting}",
            body=render_to_string("notifications/key_persons.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[guardian.email],
        )
        message.attach_alternative(render_to_string("notifications/key_persons.html", context), "text/html")
        message.send()
    audit_record(actor=None, action="notify", record=child,
                 summary=f"Told {len(recipients)} parent(s)/carer(s) who {child.first_name}'s key persons are")
    return len(recipients)
