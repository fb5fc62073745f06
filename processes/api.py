"""JSON API for the child's SEN record: raise a concern, record a parent's consent, read the record.

The same access rules (processes.access) and services as the pages; a broken rule answers with its own
message and status (keyflow.api_errors). The SEN steps themselves go through the task API of workflows.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from .access import child_for, sen_child_for
from .api_input import TEXT_MAX, DbId, api_ids, api_valid
from .api_schema import ERRORS
from .errors import RuleViolation
from .models import ConsentMethod, ConsentPurpose, ConsentStatus, Guardian, LearningArea
from .sen_record import sen_concerns_of
from .services import child_read, consent_record, sen_concern_raise


# DRF's CharField refuses NUL bytes; the sizes are the columns' (processes.models).
class ConcernIn(serializers.Serializer):
    areas = serializers.ListField(child=serializers.ChoiceField(choices=LearningArea.choices), allow_empty=False,
                                  max_length=len(LearningArea.choices))
    observed = serializers.CharField(max_length=TEXT_MAX)
    since = serializers.DateField()


class ConsentIn(serializers.Serializer):
    guardian = DbId()
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    status = serializers.ChoiceField(choices=ConsentStatus.choices)
    method = serializers.ChoiceField(choices=ConsentMethod.choices)
    recipient = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_MAX)


def _child_id(request, pk: int, what: str) -> None:
    api_ids(request, record_type="processes.Child", record_id=pk, what=f"child ({what})", pk=pk)


def _concern_json(concern) -> dict:
    return {
        "id": concern.pk, "status": concern.status, "areas": concern.areas, "observed": concern.observed,
        "since": concern.since, "raised_at": concern.raised_at,
        "conversations": [{"kind": c.kind, "held_on": c.held_on, "with_whom": c.with_whom,
                           "parents_view": c.parents_view, "notes": c.notes} for c in concern.conversations.all()],
        "observations": [{"observed_on": o.observed_on, "notes": o.notes} for o in concern.observations.all()],
        "decisions": [{"decision": d.decision, "reasons": d.reasons, "review_on": d.review_on,
                       "refer_to": d.refer_to} for d in concern.decisions.all()],
        "referrals": [{"recipient": r.recipient, "sent_on": r.sent_on, "concluded_on": r.concluded_on,
                       "updates": [{"kind": u.kind, "on": u.on, "notes": u.notes} for u in r.updates.all()]}
                      for r in concern.referrals.all()],
        "plans": [{"cycle": p.cycle, "review_on": p.review_on,
                   "targets": [t.description for t in p.targets.all()]} for p in concern.plans.all()],
    }


CONCERN = inline_serializer("SenConcern", {
    "id": serializers.IntegerField(), "status": serializers.CharField(),
    "areas": serializers.ListField(child=serializers.CharField()), "observed": serializers.CharField(),
    "since": serializers.DateField(), "raised_at": serializers.DateTimeField(),
    **{name: serializers.ListField(child=serializers.DictField())
       for name in ("conversations", "observations", "decisions", "referrals", "plans")},
})
SEN_RECORD = inline_serializer("SenRecord", {
    "child_id": serializers.IntegerField(), "child": serializers.CharField(), "concerns": serializers.ListField(
        child=CONCERN),
})
CONSENT = inline_serializer("ConsentRecorded", {
    "id": serializers.IntegerField(), "purpose": serializers.CharField(), "recipient": serializers.CharField(),
    "status": serializers.CharField(),
})


@extend_schema(request=ConcernIn, responses={200: SEN_RECORD, 201: CONCERN, **ERRORS},
               summary="A child's SEN record (GET), or raise a concern about them (POST).")
@api_view(["GET", "POST"])
def sen_concerns(request, pk: int):
    _child_id(request, pk, "SEN record")
    if request.method == "GET":
        child = child_read(user=request.user, pk=pk, what="SEN record (API)", special_category=True)
        return Response({"child_id": child.pk, "child": child.name,
                         "concerns": [_concern_json(c) for c in sen_concerns_of(child)]})
    data = api_valid(ConcernIn, request.data)
    child = sen_child_for(request.user, pk)
    concern = sen_concern_raise(child=child, by=request.user, **data)
    return Response(_concern_json(concern), status=201)


@extend_schema(request=ConsentIn, responses={201: CONSENT, **ERRORS},
               summary="Record a parent's consent decision: granted, declined or withdrawn.")
@api_view(["POST"])
def consents(request, pk: int):
    _child_id(request, pk, "consents")
    data = api_valid(ConsentIn, request.data)
    child = child_for(request.user, pk)
    guardian = Guardian.objects.filter(pk=data.pop("guardian"), setting_id=child.setting_id).first()
    if guardian is None:
        raise RuleViolation("No such parent or carer.", field="guardian")
    consent = consent_record(child=child, guardian=guardian, by=request.user, **data)
    return Response({"id": consent.pk, "purpose": consent.purpose, "recipient": consent.recipient,
                     "status": consent.status}, status=201)
