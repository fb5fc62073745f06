"""The organisation, its settings and their rooms."""

from __future__ import annotations

from django.contrib import admin

from .. import services
from ..models import Organisation, Room, Setting
from .base import ADD, CHANGE, DELETE, VIEW, KeyflowAdmin, is_superuser
from .refusals import adopt


@admin.register(Organisation)
class OrganisationAdmin(KeyflowAdmin):
    setting_lookup = "settings__id"
    superuser_can = frozenset({VIEW, ADD, CHANGE, DELETE})
    list_display = ("name",)
    search_fields = ("name",)


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
        (None, {"fields": ("organisation", "name", "ofsted_urn", "address", "email", "settling_review_weeks")}),
        ("How allocation suggestions weigh each factor (0 switches it off)", {"fields": (
            "weight_sessions", "weight_caseload", "weight_room", "weight_sen_experience", "weight_sibling",
            "weight_parent_preference",
        )}),
    )

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return readonly if is_superuser(request) else (*readonly, "organisation")

    def setting_id_of(self, obj) -> int | None:
        return obj.pk


@admin.register(Room)
class RoomAdmin(KeyflowAdmin):
    manager_can = frozenset({VIEW, ADD, CHANGE})
    superuser_can = frozenset({VIEW, ADD, CHANGE, DELETE})
    list_display = ("name", "age_range", "ratio")
    superuser_list_display = ("setting",)
    superuser_list_filter = ("setting",)
    search_fields = ("name",)
    fields = ("setting", "name", "min_age_months", "max_age_months", "children_per_adult")

    @admin.display(description="Ages (months)")
    def age_range(self, room: Room) -> str:
        return f"{room.min_age_months}–{room.max_age_months}"

    @admin.display(description="Staff : children")
    def ratio(self, room: Room) -> str:
        return room.ratio
