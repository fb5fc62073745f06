"""Everything Keyflow holds about one child, for a subject access request (UK GDPR Art 15).

`child_records` gathers it section by section as plain data; `export_zip` packs it as JSON (complete,
machine-readable) and HTML (the same, readable by the parents). The service that calls these checks who
may ask and audits the export (processes.services.subject_access).
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone
from django_fsm_log.models import StateLog

from . import hooks
from .lawful_basis import SECTIONS
from .models import (
    AllAboutMe,
    AuditEvent,
    Child,
    EhcRequest,
    Guardian,
    LeavingPlan,
    MeetingAction,
    PackLink,
    RecordsPack,
    Referral,
    ReferralUpdate,
    SencoDecision,
    SenConversation,
    SenMeeting,
    SenObservation,
    SupportPlan,
    SupportReview,
    SupportTarget,
    TargetProgress,
    TransitionReport,
)


def _rows(queryset) -> list[dict[str, Any]]:
    return [{"id": row["pk"], **row["fields"]} for row in serializers.serialize("python", queryset)]


def _sen_records(child: Child) -> dict[str, Any]:
    concern = {"concern__child": child}
    return {
        "sen_concerns": _rows(child.sen_concerns.order_by("pk")),
        "sen_conversations": _rows(SenConversation.objects.filter(**concern).order_by("pk")),
        "senco_observations": _rows(SenObservation.objects.filter(**concern).order_by("pk")),
        "senco_decisions": _rows(SencoDecision.objects.filter(**concern).order_by("pk")),
        "sen_meetings": _rows(SenMeeting.objects.filter(**concern).order_by("pk")),
        "referrals": _rows(Referral.objects.filter(**concern).order_by("pk")),
        "referral_updates": _rows(ReferralUpdate.objects.filter(referral__concern__child=child).order_by("pk")),
        "sen_support_plans": _rows(SupportPlan.objects.filter(**concern).order_by("pk")),
        "sen_support_targets": _rows(SupportTarget.objects.filter(plan__concern__child=child).order_by("pk")),
        "sen_support_reviews": _rows(SupportReview.objects.filter(plan__concern__child=child).order_by("pk")),
        "sen_target_progress": _rows(TargetProgress.objects.filter(review__plan__concern__child=child).order_by("pk")),
        "ehc_requests": _rows(EhcRequest.objects.filter(**concern).order_by("pk")),
    }


def _leaving_records(child: Child) -> dict[str, Any]:
    packs = RecordsPack.objects.filter(plan__child=child).order_by("pk")
    pack_fields = [f.name for f in RecordsPack._meta.concrete_fields if f.name not in ("id", "pdf")]
    return {
        "leaving_plan": _rows(LeavingPlan.objects.filter(child=child)),
        "transition_report": _rows(TransitionReport.objects.filter(plan__child=child)),
        # The PDF itself is the report above (and the SEN records), as it was sent: described, not repeated.
        "records_packs": [{"id": row["pk"], **row["fields"]}
                          for row in serializers.serialize("python", packs, fields=pack_fields)],
        "records_pack_downloads": _rows(PackLink.objects.filter(pack__plan__child=child).order_by("pk")
                                        .defer("token_hash", "code_hash")),
    }


def child_records(child: Child) -> dict[str, Any]:
    """Each kind of record about the child; every section is present, empty or not."""
    guardians = Guardian.objects.filter(child_links__child=child).order_by("pk")
    return {
        "child": _rows(Child.objects.filter(pk=child.pk)),
        "guardians": _rows(guardians),
        "guardian_links": _rows(child.guardian_links.order_by("pk")),
        "consents": _rows(child.consents.order_by("recorded_at", "pk")),
        "key_person_history": _rows(child.assignments.order_by("starts_on", "pk")),
        # What the apps above hold (processes.hooks): the workflows and their tasks.
        **{records.section: records.export(child) for records in hooks.held_records()},
        "parent_meetings": _rows(child.meetings.order_by("pk")),
        "meeting_next_steps": _rows(MeetingAction.objects.filter(meeting__child=child).order_by("pk")),
        "two_year_checks": _rows(child.two_year_checks.order_by("pk")),
        "all_about_me": _rows(AllAboutMe.objects.filter(child=child)),
        "settling_in_sessions": _rows(child.settling_sessions.order_by("pk")),
        "settling_in_reviews": _rows(child.settling_reviews.order_by("pk")),
        "accident_records": _rows(child.accidents.order_by("pk")),
        **_sen_records(child),
        "legal_holds": _rows(child.legal_holds.order_by("pk")),
        "records_passed_on": _rows(child.records_passed_on.order_by("pk")),
        **_leaving_records(child),
        "lifecycle_log": _rows(StateLog.objects.for_(child).order_by("timestamp", "pk")),
        "audit_events": _rows(AuditEvent.objects.filter(child_id=child.pk).order_by("at", "pk")),
    }


def _readable(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, (dict, list)):
        return json.dumps(value, cls=DjangoJSONEncoder, indent=1)
    return str(value)


def export_zip(child: Child) -> bytes:
    records = child_records(child)
    made_at = timezone.now()
    document = {"child_id": child.pk, "setting": str(child.setting), "exported_at": made_at, "records": records,
                "why_we_hold_each_section": {name: dict(zip(("why", "lawful_basis", "kept"), SECTIONS[name]))
                                             for name in records}}
    sections = []
    for name, rows in records.items():
        columns = sorted({key for row in rows for key in row})
        why, basis, kept = SECTIONS[name]
        sections.append({"title": name.replace("_", " ").capitalize(), "why": why, "basis": basis, "kept": kept,
                         "columns": columns,
                         "rows": [[_readable(row.get(c)) for c in columns] for row in rows]})
    html = render_to_string("processes/subject_access.html", {
        "child": child, "setting": child.setting, "made_at": made_at, "sections": sections,
    })
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("records.json", json.dumps(document, cls=DjangoJSONEncoder, indent=2))
        archive.writestr("records.html", html)
    return buffer.getvalue()
