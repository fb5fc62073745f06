"""What the records API (processes.records_api) answers and accepts. Input is checked here before any service
runs (types, sizes, ids in the database's range); the rules themselves are the services'."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import sessions as week
from .api_input import DbId
from .errors import RuleViolation
from .models import AssignmentRole, Child, Guardian, KeyPersonAssignment, Room, Staff, StaffAbsence
from .text import ACCOUNT, LINE, REASON


def _sessions(**kwargs) -> serializers.ListField:
    return serializers.ListField(child=serializers.ChoiceField(choices=week.CODES), max_length=len(week.CODES),
                                 **kwargs)


def sessions_mask(codes: list[str]) -> int:
    try:
        return week.mask_of(codes)
    except ValueError as exc:
        raise RuleViolation(str(exc), field="sessions") from None


class RoomOut(serializers.ModelSerializer):
    class Meta:
        model = Room
        fields = ["id", "name", "min_age_months", "max_age_months", "children_per_adult"]


class RoomIn(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    min_age_months = serializers.IntegerField(min_value=0, max_value=72)
    max_age_months = serializers.IntegerField(min_value=1, max_value=72)
    children_per_adult = serializers.IntegerField(min_value=1, max_value=13)


class RoomPatch(RoomIn):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, partial=True, **kwargs)


class StaffOut(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    name = serializers.CharField()
    working_pattern = serializers.SerializerMethodField()

    class Meta:
        model = Staff
        fields = ["id", "username", "name", "job_title", "room", "is_key_person", "is_senco", "is_manager", "is_dsl",
                  "working_pattern", "max_caseload"]

    def get_working_pattern(self, staff) -> list[str]:
        return week.codes_of(staff.working_sessions)


class StaffPatch(serializers.Serializer):
    room = DbId(allow_null=True, required=False)
    job_title = serializers.CharField(max_length=100, allow_blank=True, required=False)
    is_key_person = serializers.BooleanField(required=False)
    is_senco = serializers.BooleanField(required=False)
    is_manager = serializers.BooleanField(required=False)
    is_dsl = serializers.BooleanField(required=False)
    max_caseload = serializers.IntegerField(min_value=0, max_value=20, required=False)
    working_pattern = _sessions(required=False)

    def validate(self, data):
        if "working_pattern" in data:
            data["working_sessions"] = sessions_mask(data.pop("working_pattern"))
        return data


class ChildOut(serializers.ModelSerializer):
    name = serializers.CharField()
    sessions = serializers.SerializerMethodField()
    known_needs = serializers.SerializerMethodField()

    class Meta:
        model = Child
        fields = ["id", "name", "first_name", "last_name", "preferred_name", "date_of_birth", "start_date", "room",
                  "state", "sessions", "home_language", "allergies", "dietary_needs", "known_needs",
                  "expected_leaving_date"]

    def get_sessions(self, child) -> list[str]:
        return week.codes_of(child.attending_sessions)

    def get_known_needs(self, child) -> str | None:
        """Null for those who see the child's ordinary record but not their SEN (the DSL)."""
        return child.known_needs if self.context.get("sees_sen") else None


class _ChildFields(serializers.Serializer):
    preferred_name = serializers.CharField(max_length=100, allow_blank=True, required=False)
    start_date = serializers.DateField(allow_null=True, required=False)
    room = DbId(allow_null=True, required=False)
    home_language = serializers.CharField(max_length=60, required=False)
    allergies = serializers.CharField(max_length=ACCOUNT, allow_blank=True, required=False)
    dietary_needs = serializers.CharField(max_length=ACCOUNT, allow_blank=True, required=False)
    known_needs = serializers.CharField(max_length=ACCOUNT, allow_blank=True, required=False)


class ChildIn(_ChildFields):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField()
    sessions = _sessions(required=False, default=list)

    def validate(self, data):
        data["sessions_attended"] = data.pop("sessions")
        return data


class ChildPatch(_ChildFields):
    first_name = serializers.CharField(max_length=100, required=False)
    last_name = serializers.CharField(max_length=100, required=False)
    date_of_birth = serializers.DateField(required=False)
    sessions = _sessions(required=False)


class LinkOut(serializers.Serializer):
    child = serializers.IntegerField(source="child_id")
    relationship = serializers.CharField()
    has_parental_responsibility = serializers.BooleanField()
    is_primary_contact = serializers.BooleanField()


class GuardianOut(serializers.ModelSerializer):
    children = serializers.SerializerMethodField()

    class Meta:
        model = Guardian
        fields = ["id", "first_name", "last_name", "email", "phone", "address", "preferred_language", "children"]

    @extend_schema_field(LinkOut(many=True))
    def get_children(self, guardian) -> list[dict]:
        visible = self.context.get("visible_children", set())
        return LinkOut([link for link in guardian.child_links.all() if link.child_id in visible], many=True).data


class _GuardianDetails(serializers.Serializer):
    first_name = serializers.CharField(max_length=100, required=False)
    last_name = serializers.CharField(max_length=100, required=False)
    email = serializers.EmailField(max_length=254, allow_blank=True, required=False)
    phone = serializers.CharField(max_length=40, allow_blank=True, required=False)
    address = serializers.CharField(max_length=ACCOUNT, allow_blank=True, required=False)
    preferred_language = serializers.CharField(max_length=60, allow_blank=True, required=False)


class GuardianIn(_GuardianDetails):
    child = DbId()
    guardian = DbId(required=False, help_text="A parent or carer already on record (a sibling's): link them.")
    relationship = serializers.CharField(max_length=60)
    has_parental_responsibility = serializers.BooleanField(default=True)
    is_primary_contact = serializers.BooleanField(default=False)

    def validate(self, data):
        if "guardian" not in data and not (data.get("first_name", "").strip() and data.get("last_name", "").strip()):
            raise serializers.ValidationError({"first_name": "Give the parent or carer's names, or the guardian "
                                               "already on record."})
        return data


class GuardianPatch(_GuardianDetails):
    pass


class AssignmentOut(serializers.ModelSerializer):
    class Meta:
        model = KeyPersonAssignment
        fields = ["id", "child", "staff", "role", "starts_on", "ends_on", "reason", "end_reason"]


class AssignmentIn(serializers.Serializer):
    child = DbId()
    staff = DbId()
    role = serializers.ChoiceField(choices=AssignmentRole.choices)
    starts_on = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=REASON, allow_blank=True, required=False, default="")
    over_caseload_reason = serializers.CharField(max_length=REASON, allow_blank=True, required=False, default="")


class AbsenceOut(serializers.ModelSerializer):
    class Meta:
        model = StaffAbsence
        fields = ["id", "staff", "starts_on", "ends_on", "reason"]


class AbsenceIn(serializers.Serializer):
    staff = DbId()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    reason = serializers.CharField(max_length=LINE)
