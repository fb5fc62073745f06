"""Key person assignments: added (ending whoever held the role) or ended, never edited."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils import timezone

from .. import services
from ..models import KeyPersonAssignment
from .base import ADD, VIEW, KeyflowAdmin, is_superuser
from .refusals import adopt


class CurrentFilter(admin.SimpleListFilter):
    title = "current"
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return (("yes", "Current"), ("no", "Ended"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(ends_on__isnull=True)
        if self.value() == "no":
            return queryset.filter(ends_on__isnull=False)
        return queryset


class KeyPersonAssignmentForm(forms.ModelForm):
    starts_on = forms.DateField(initial=timezone.localdate, widget=admin.widgets.AdminDateWidget)

    class Meta:
        model = KeyPersonAssignment
        fields = ("child", "staff", "role", "starts_on", "reason", "over_caseload_reason")


@admin.register(KeyPersonAssignment)
class KeyPersonAssignmentAdmin(KeyflowAdmin):
    """History: an assignment is added (ending whoever held the role) or ended, never edited."""

    form = KeyPersonAssignmentForm
    setting_lookup = "child__setting_id"
    manager_can = superuser_can = frozenset({VIEW, ADD})
    list_display = ("child", "staff", "role", "starts_on", "ends_on", "is_current")
    list_select_related = ("child", "staff__user")
    list_filter = ("role", CurrentFilter, ("staff", admin.RelatedOnlyFieldListFilter))
    search_fields = ("child__first_name", "child__last_name", "staff__user__first_name", "staff__user__last_name")
    date_hierarchy = "starts_on"
    actions = ["end_assignments"]

    @admin.display(description="Current", boolean=True)
    def is_current(self, assignment: KeyPersonAssignment) -> bool:
        return assignment.is_current

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "staff":
            field.queryset = field.queryset.filter(is_key_person=True, user__is_active=True)
        return field

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        assignment = self.call_service(
            services.key_person_assign, child=data["child"], staff=data["staff"], role=data["role"],
            by=request.user, starts_on=data["starts_on"], reason=data.get("reason", ""),
            over_caseload_reason=data.get("over_caseload_reason", ""),
        )
        adopt(obj, assignment)

    def has_end_permission(self, request) -> bool:
        return is_superuser(request) or self._may(request, ADD)

    @admin.action(description="End the selected assignments (asks why)", permissions=["end"])
    def end_assignments(self, request, queryset):
        end = self.apply_each(request, queryset.select_related("child", "staff__user"), lambda assignment, reason:
                              services.key_person_end(assignment=assignment, by=request.user, reason=reason), "ended.")
        return self.ask_reason(
            request, queryset, action="end_assignments", title="End key person assignments",
            intro="These assignments will end today. The children keep the rest of their key persons. Why?",
            submit="End the assignments", apply=end,
        )
