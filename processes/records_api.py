"""The JSON API for a setting's records: rooms, staff, children, parents and carers, key person assignments and
staff absences. Reads start from the same who-sees-what querysets as the pages (processes.access); every write
is the service the pages call. Lists come in pages (limit/offset) and take django-filter filters; a filter that
cannot be read is a 400 naming it, like any other refusal (keyflow.api_errors).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.response import Response

from . import records_serializers as s
from .access import children_visible_to, may_see_sen, sees_whole_setting, setting_manager, staff_of
from .api_input import api_valid
from .api_schema import ERRORS
from .errors import RuleViolation
from .ids import id_in_range
from .models import Child, Guardian, KeyPersonAssignment, Room, Staff, StaffAbsence
from .services import (
    child_read,
    child_register,
    child_update,
    guardian_link,
    guardian_update,
    key_person_assign,
    room_create,
    room_update,
    staff_absence_record,
    staff_update,
)


class StrictFilterBackend(filters.DjangoFilterBackend):
    """A filter value that cannot be read is refused with its name, as every other input of the API is."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            name, messages = next(iter(filterset.errors.items()))
            raise RuleViolation(f"{name}: {' '.join(messages)}", field=name)
        return filterset.qs


class RecordsView(generics.GenericAPIView):
    filter_backends = [StrictFilterBackend]
    manager_only = False  # lists the pages show the manager alone (staff, absences)
    model: type

    def setting_staff(self) -> Staff:
        staff = staff_of(self.request.user)
        if staff is None:
            raise PermissionDenied("These records are for the staff of a setting.")
        if self.manager_only:
            return setting_manager(self.request.user)
        return staff

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # the schema generator, with no user
            return self.model.objects.none()
        return self.scoped()

    def get_object(self):
        pk = self.kwargs["pk"]
        if not id_in_range(pk):
            raise Http404("No such record.")
        try:
            return self.get_queryset().get(pk=pk)
        except self.model.DoesNotExist:
            raise Http404("No such record.") from None

    def reply(self, record, status: int = 200) -> Response:
        return Response(self.get_serializer(record).data, status=status)


def _listed(summary: str, serializer, write=None, write_summary: str = ""):
    ops = {"get": extend_schema(summary=summary, responses={200: serializer(many=True), **ERRORS})}
    if write is not None:
        ops["post"] = extend_schema(summary=write_summary, request=write, responses={201: serializer, **ERRORS})
    return extend_schema_view(**ops)


def _one(summary: str, serializer, patch=None, patch_summary: str = ""):
    ops = {"get": extend_schema(summary=summary, responses={200: serializer, **ERRORS})}
    if patch is not None:
        ops["patch"] = extend_schema(summary=patch_summary, request=patch, responses={200: serializer, **ERRORS})
    return extend_schema_view(**ops)


# --- rooms ------------------------------------------------------------------------------------------------------

class RoomFilter(filters.FilterSet):
    name = filters.CharFilter(lookup_expr="icontains", max_length=100)

    class Meta:
        model = Room
        fields = ["name"]


class RoomScope(RecordsView):
    serializer_class = s.RoomOut
    filterset_class = RoomFilter

    model = Room

    def scoped(self) -> QuerySet[Room]:
        return Room.objects.filter(setting_id=self.setting_staff().setting_id).order_by("min_age_months", "pk")


@_listed("The setting's rooms, youngest first.", s.RoomOut, s.RoomIn, "Add a room (the manager).")
class RoomList(RoomScope, generics.ListAPIView):
    def post(self, request):
        data = api_valid(s.RoomIn, request.data)
        return self.reply(room_create(setting=self.setting_staff().setting, by=request.user, **data), 201)


@_one("One room.", s.RoomOut, s.RoomPatch, "Change a room (the manager).")
class RoomDetail(RoomScope):
    def get(self, request, pk: int):
        return self.reply(self.get_object())

    def patch(self, request, pk: int):
        data = api_valid(s.RoomPatch, request.data)
        return self.reply(room_update(room=self.get_object(), by=request.user, **data))


# --- staff --------------------------------------------------------------------------------------------------------

class StaffFilter(filters.FilterSet):
    room = filters.NumberFilter(field_name="room_id", min_value=1, max_value=2**63 - 1)
    is_key_person = filters.BooleanFilter()

    class Meta:
        model = Staff
        fields = ["room", "is_key_person"]


class StaffScope(RecordsView):
    serializer_class = s.StaffOut
    filterset_class = StaffFilter
    manager_only = True

    model = Staff

    def scoped(self) -> QuerySet[Staff]:
        return Staff.objects.filter(setting_id=self.setting_staff().setting_id).select_related("user") \
            .order_by("user__first_name", "user__last_name", "pk")


@_listed("The setting's staff, with their roles, working pattern and caseload limit (the manager).", s.StaffOut)
class StaffList(StaffScope, generics.ListAPIView):
    pass


@_one("One member of staff (the manager).", s.StaffOut, s.StaffPatch, "Change their room, roles, pattern or "
      "caseload limit (the manager).")
class StaffDetail(StaffScope):
    def get(self, request, pk: int):
        return self.reply(self.get_object())

    def patch(self, request, pk: int):
        data = api_valid(s.StaffPatch, request.data)
        staff = self.get_object()
        if "room" in data:
            data["room"] = _room_of(staff.setting_id, data["room"])
        return self.reply(staff_update(staff=staff, by=request.user, **data))


def _room_of(setting_id: int, pk: int | None) -> Room | None:
    if pk is None:
        return None
    room = Room.objects.filter(pk=pk, setting_id=setting_id).first()
    if room is None:
        raise RuleViolation("No such room.", field="room")
    return room


# --- children -----------------------------------------------------------------------------------------------------

class ChildFilter(filters.FilterSet):
    room = filters.NumberFilter(field_name="room_id", min_value=1, max_value=2**63 - 1)
    state = filters.ChoiceFilter(choices=Child._meta.get_field("state").choices)
    name = filters.CharFilter(field_name="last_name", lookup_expr="icontains", max_length=100)

    class Meta:
        model = Child
        fields = ["room", "state", "name"]


class ChildScope(RecordsView):
    serializer_class = s.ChildOut
    filterset_class = ChildFilter

    model = Child

    def scoped(self) -> QuerySet[Child]:
        self.setting_staff()
        return children_visible_to(self.request.user).order_by("first_name", "last_name", "pk")

    def get_serializer_context(self):
        staff = staff_of(self.request.user)
        # Known SEN: the key persons (the only children they see are their own), the SENCO and the manager; not
        # the DSL, who sees every child's ordinary record (processes.access.may_see_sen).
        sees_sen = bool(staff and (staff.is_manager or staff.is_senco or not sees_whole_setting(staff)))
        return {**super().get_serializer_context(), "sees_sen": sees_sen}


@_listed("The children this user may see, as the children list shows them.", s.ChildOut, s.ChildIn,
         "Register a child (the manager).")
class ChildList(ChildScope, generics.ListAPIView):
    def post(self, request):
        data = api_valid(s.ChildIn, request.data)
        setting = self.setting_staff().setting
        data["room"] = _room_of(setting.pk, data.get("room"))
        return self.reply(child_register(setting=setting, by=request.user, **data), 201)


@_one("One child's record (the read is audited).", s.ChildOut, s.ChildPatch, "Change a child's details (the "
      "manager).")
class ChildDetail(ChildScope):
    def get(self, request, pk: int):
        self.setting_staff()
        return self.reply(child_read(user=request.user, pk=pk, what="record (API)"))

    def patch(self, request, pk: int):
        data = api_valid(s.ChildPatch, request.data)
        child = self.get_object()
        if "room" in data:
            data["room"] = _room_of(child.setting_id, data["room"])
        if "sessions" in data:
            data["attending_sessions"] = s.sessions_mask(data.pop("sessions"))
        if "known_needs" in data and not may_see_sen(request.user, child):
            raise PermissionDenied("Only the manager changes a child's record.")
        return self.reply(child_update(child=child, by=request.user, **data))


# --- parents and carers -------------------------------------------------------------------------------------------

class GuardianFilter(filters.FilterSet):
    child = filters.NumberFilter(field_name="child_links__child_id", min_value=1, max_value=2**63 - 1)

    class Meta:
        model = Guardian
        fields = ["child"]


class GuardianScope(RecordsView):
    serializer_class = s.GuardianOut
    filterset_class = GuardianFilter

    model = Guardian

    def scoped(self) -> QuerySet[Guardian]:
        self.setting_staff()
        children = children_visible_to(self.request.user)
        return Guardian.objects.filter(child_links__child__in=children).distinct() \
            .prefetch_related("child_links").order_by("last_name", "first_name", "pk")

    def get_serializer_context(self):
        visible = set(children_visible_to(self.request.user).values_list("pk", flat=True))
        return {**super().get_serializer_context(), "visible_children": visible}


@_listed("The parents and carers of the children this user may see.", s.GuardianOut, s.GuardianIn,
         "Add a parent or carer to a child, or link a sibling's (the manager).")
class GuardianList(GuardianScope, generics.ListAPIView):
    def post(self, request):
        data = api_valid(s.GuardianIn, request.data)
        child = _visible_child(request.user, data.pop("child"))
        existing = data.pop("guardian", None)
        if existing is not None:
            data = {k: data[k] for k in ("relationship", "has_parental_responsibility", "is_primary_contact")}
            data["guardian"] = Guardian.objects.filter(pk=existing, setting_id=child.setting_id).first()
            if data["guardian"] is None:
                raise RuleViolation("No such parent or carer.", field="guardian")
        link = guardian_link(child=child, by=request.user, **data)
        return self.reply(link.guardian, 201)


@_one("One parent or carer.", s.GuardianOut, s.GuardianPatch, "Change a parent or carer's details (the "
      "manager).")
class GuardianDetail(GuardianScope):
    def get(self, request, pk: int):
        return self.reply(self.get_object())

    def patch(self, request, pk: int):
        data = api_valid(s.GuardianPatch, request.data)
        return self.reply(guardian_update(guardian=self.get_object(), by=request.user, **data))


def _visible_child(user, pk: int) -> Child:
    child = children_visible_to(user).filter(pk=pk).first()
    if child is None:
        raise RuleViolation("No such child.", field="child")
    return child


# --- key person assignments ---------------------------------------------------------------------------------------

class AssignmentFilter(filters.FilterSet):
    child = filters.NumberFilter(field_name="child_id", min_value=1, max_value=2**63 - 1)
    staff = filters.NumberFilter(field_name="staff_id", min_value=1, max_value=2**63 - 1)
    role = filters.ChoiceFilter(choices=KeyPersonAssignment._meta.get_field("role").choices)
    current = filters.BooleanFilter(field_name="ends_on", lookup_expr="isnull")

    class Meta:
        model = KeyPersonAssignment
        fields = ["child", "staff", "role", "current"]


@_listed("Key person assignments (current and past) of the children this user may see.", s.AssignmentOut,
         s.AssignmentIn, "Make someone a child's key person or secondary (the manager).")
class AssignmentList(RecordsView, generics.ListAPIView):
    serializer_class = s.AssignmentOut
    filterset_class = AssignmentFilter

    model = KeyPersonAssignment

    def scoped(self) -> QuerySet[KeyPersonAssignment]:
        self.setting_staff()
        return KeyPersonAssignment.objects.filter(child__in=children_visible_to(self.request.user)) \
            .order_by("child_id", "-starts_on", "-pk")

    def post(self, request):
        data = api_valid(s.AssignmentIn, request.data)
        child = _visible_child(request.user, data.pop("child"))
        staff = Staff.objects.filter(pk=data.pop("staff"), setting_id=child.setting_id).select_related("user").first()
        if staff is None:
            raise RuleViolation("No such member of staff.", field="staff")
        return self.reply(key_person_assign(child=child, staff=staff, by=request.user, **data), 201)


# --- staff absences -----------------------------------------------------------------------------------------------

class AbsenceFilter(filters.FilterSet):
    staff = filters.NumberFilter(field_name="staff_id", min_value=1, max_value=2**63 - 1)
    ends_after = filters.DateFilter(field_name="ends_on", lookup_expr="gte")

    class Meta:
        model = StaffAbsence
        fields = ["staff", "ends_after"]


@_listed("Staff absences (the manager), the latest first.", s.AbsenceOut, s.AbsenceIn,
         "Record an absence: the key person's tasks go to the secondary while it lasts.")
class AbsenceList(RecordsView, generics.ListAPIView):
    serializer_class = s.AbsenceOut
    filterset_class = AbsenceFilter
    manager_only = True

    model = StaffAbsence

    def scoped(self) -> QuerySet[StaffAbsence]:
        return StaffAbsence.objects.filter(staff__setting_id=self.setting_staff().setting_id) \
            .order_by("-starts_on", "-pk")

    def post(self, request):
        data = api_valid(s.AbsenceIn, request.data)
        manager = self.setting_staff()
        staff = Staff.objects.filter(pk=data.pop("staff"), setting_id=manager.setting_id).first()
        if staff is None:
            raise RuleViolation("No such member of staff.", field="staff")
        return self.reply(staff_absence_record(staff=staff, by=request.user, **data), 201)
