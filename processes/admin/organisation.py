"""The organisation, its settings and their rooms."""

from __future__ import annotations

from django.contrib import admin

from .. import services
from ..models import Organisation, Room, Setting
from ..services.organisation import SETTING_FIELDS
from .base import ADD, CHANGE, DELETE, VIEW, KeyflowAdmin, is_superuser
from .refusals import adopt


@admin.register(Organisation)
class OrganisationAdmin(KeyflowAdmin):
    setting_lookup = "settings__id"
    superuser_can = frozenset({VIEW, ADD, CHANGE, DELETE})
    list_display = ("name",)
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):
        name = form.cleaned_data["name"]
        if change:
            adopt(obj, self.call_service(services.organisation_update, organisation=obj, by=request.user, name=name))
        else:
            adopt(obj, self.call_service(services.organisation_create, by=request.user, name=name))


@admin.register(Setting)
class SettingAdmin(KeyflowAdmin):
    setting_lookup = "pk"
    manager_can = frozenset({VIEW, CHANGE})
    superuser_can = frozenset({VIEW, ADD, CHANGE, DELETE})
    list_display = ("name", "ofsted_urn", "email")
    superuser_list_display = ("organisation",)
    superuser_list_filter = ("organisation",)
    search_fields = ("name", "ofsted_urn")
    fieldsets = (
        (None, {"fields": ("organisation", "name", "ofsted_urn", "address", "email", "settling_review_weeks",
                           "open_days")}),
        ("The register", {"fields": ("opens_at", "midday_at", "closes_at", "absence_check_at",
                                     "absence_welfare_days")}),
        ("How allocation suggestions weigh each factor (0 switches it off)", {"fields": (
            "weight_sessions", "weight_caseload", "weight_room", "weight_sen_experience", "weight_sibling",
            "weight_parent_preference",
        )}),
        ("Watching and supervision", {"fields": ("injury_pattern_count", "injury_pattern_weeks",
                                                 "supervision_every_weeks")}),
    )

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return readonly if is_superuser(request) else (*readonly, "organisation")

    def setting_id_of(self, obj) -> int | None:
        return obj.pk

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = self.changes_from(form, exclude=("organisation",))
            organisation = data.get("organisation") if "organisation" in form.changed_data else None
            adopt(obj, self.call_service(services.setting_update, setting=obj, by=request.user,
                                         organisation=organisation, **changes))
            return
        details = {name: data[name] for name in SETTING_FIELDS - {"name"} if name in data}
        adopt(obj, self.call_service(services.setting_create, organisation=data["organisation"], by=request.user,
                                     name=data["name"], **details))


@admin.register(Room)
class RoomAdmin(KeyflowAdmin):
    manager_can = frozenset({VIEW, ADD, CHANGE})
    superuser_can = frozenset({VIEW, ADD, CHANGE, DELETE})
    list_display = ("name", "age_range", "ratio")
    superuser_list_display = ("setting",)
    superuser_list_filter = ("setting",)
    search_fields = ("name",)
    fields = ("setting", "name", "min_age_months", "max_age_months", "children_per_adult")

    delete_service = staticmethod(services.room_delete)

    @admin.display(description="Ages (months)")
    def age_range(self, room: Room) -> str:
        return f"{room.min_age_months}–{room.max_age_months}"

    @admin.display(description="Staff : children")
    def ratio(self, room: Room) -> str:
        return room.ratio

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            adopt(obj, self.call_service(services.room_update, room=obj, by=request.user,
                                         **self.changes_from(form)))
            return
        adopt(obj, self.call_service(
            services.room_create, setting=data["setting"], by=request.user, name=data["name"],
            min_age_months=data["min_age_months"], max_age_months=data["max_age_months"],
            children_per_adult=data["children_per_adult"],
        ))
