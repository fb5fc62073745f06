"""Staff, their roles and working patterns, and their absences."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model

from .. import services, sessions
from ..models import Staff, StaffAbsence
from ..services.staff import STAFF_FIELDS
from .base import ADD, CHANGE, DELETE, VIEW, KeyflowAdmin, SessionsField
from .refusals import adopt


class StaffForm(forms.ModelForm):
    working = SessionsField(label="Working pattern", help_text="The sessions they work.")

    class Meta:
        model = Staff
        exclude = ("working_sessions",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "working" in self.fields:
            self.initial.setdefault("working", sessions.codes_of(self.instance.working_sessions or 0))

    def _post_clean(self):
        if "working" in self.cleaned_data:
            self.instance.working_sessions = sessions.mask_of(self.cleaned_data["working"])
        super()._post_clean()


# Admin actions on staff that belong to an upper layer, which adds them from its own admin module (Django's
# admin autodiscovery imports it): accounts/admin.py. Each is an ordinary admin action,
# ``action(modeladmin, request, queryset)``; ``modeladmin.for_each`` reports each member of staff on its own.
STAFF_ACTIONS: list[Callable] = []


def staff_admin_action(action: Callable) -> Callable:
    """Offer ``action`` on the admin's list of staff (for the layers above processes)."""
    if action not in STAFF_ACTIONS:
        STAFF_ACTIONS.append(action)
    return action


@admin.register(Staff)
class StaffAdmin(KeyflowAdmin):
    form = StaffForm
    manager_can = frozenset({VIEW, CHANGE})
    superuser_can = frozenset({VIEW, ADD, CHANGE, DELETE})
    list_display = ("name", "job_title", "roles_display", "room", "max_caseload")
    list_select_related = ("user", "room")
    superuser_list_display = ("setting",)
    superuser_list_filter = ("setting",)
    list_filter = ("is_manager", "is_senco", "is_dsl", "is_key_person", ("room", admin.RelatedOnlyFieldListFilter))
    search_fields = ("user__first_name", "user__last_name", "user__username", "job_title")
    fieldsets = (
        (None, {"fields": ("user", "setting", "room", "job_title")}),
        ("Roles", {"fields": ("is_key_person", "is_senco", "is_manager", "is_dsl")}),
        ("Key person work", {"fields": ("working", "max_caseload", "sen_experience")}),
        ("Ratios (EYFS)", {"fields": ("qualification_level", "qualified_on", "first_aid_until", "is_student",
                                      "is_competent")}),
    )

    @admin.display(description="Name", ordering="user__first_name")
    def name(self, staff: Staff) -> str:
        return staff.name

    @admin.display(description="Roles")
    def roles_display(self, staff: Staff) -> str:
        return ", ".join(staff.roles)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return (*readonly, "user") if obj is not None else readonly

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # Only people who are not yet anybody's staff: one profile per log-in.
            kwargs["queryset"] = get_user_model()._default_manager.filter(staff__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    delete_service = staticmethod(services.staff_delete)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        changes = self.changes_from(form, exclude=("working", "user", "setting"))
        if "working" in form.changed_data or not change:
            changes["working_sessions"] = sessions.mask_of(data.get("working", []))
        if change:
            adopt(obj, self.call_service(services.staff_update, staff=obj, by=request.user, **changes))
            return
        details = {name: data[name] for name in STAFF_FIELDS - {"working_sessions"} if name in data}
        adopt(obj, self.call_service(services.staff_create, setting=data["setting"], user=data["user"],
                                     by=request.user, **{**details, "working_sessions": changes["working_sessions"]}))

    # Filled by the layers above (accounts: a password reset link, a second factor reset), which the domain
    # does not import: see staff_admin_action.
    actions = STAFF_ACTIONS


class StaffAbsenceForm(forms.ModelForm):
    class Meta:
        model = StaffAbsence
        fields = ("staff", "starts_on", "ends_on", "reason")


@admin.register(StaffAbsence)
class StaffAbsenceAdmin(KeyflowAdmin):
    """Absences are recorded through the service, which hands the key person's tasks to their secondary."""

    form = StaffAbsenceForm
    setting_lookup = "staff__setting_id"
    manager_can = superuser_can = frozenset({VIEW, ADD})
    list_display = ("staff", "starts_on", "ends_on", "reason", "recorded_by")
    list_select_related = ("staff__user", "recorded_by")
    list_filter = (("staff", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("staff__user__first_name", "staff__user__last_name", "reason")
    date_hierarchy = "starts_on"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        absence = self.call_service(
            services.staff_absence_record, staff=data["staff"], by=request.user,
            starts_on=data["starts_on"], ends_on=data["ends_on"], reason=data["reason"],
        )
        adopt(obj, absence)
