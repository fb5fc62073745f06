"""Children, their parents and carers, and the lifecycle steps run from the list of children."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Prefetch, QuerySet
from django.utils.html import format_html_join

from .. import services, sessions
from ..access import children_visible_to
from ..errors import RuleViolation
from ..models import AssignmentRole, Child, ChildGuardian, Guardian, KeyPersonAssignment
from ..services.children import EDITABLE_FIELDS as CHILD_EDITABLE_FIELDS
from ..services.guardians import GUARDIAN_FIELDS
from .base import (
    ADD,
    CHANGE,
    DELETE,
    VIEW,
    KeyflowAdmin,
    SessionsField,
    is_superuser,
    managed_setting_id,
    setting_choices,
)
from .refusals import adopt


@admin.register(Guardian)
class GuardianAdmin(KeyflowAdmin):
    audit_reads = True
    manager_can = frozenset({VIEW, ADD, CHANGE})
    superuser_can = frozenset({VIEW, ADD, CHANGE, DELETE})
    list_display = ("name", "email", "phone", "preferred_language")
    superuser_list_display = ("setting",)
    superuser_list_filter = ("setting",)
    search_fields = ("first_name", "last_name", "email", "phone")
    fields = ("setting", "first_name", "last_name", "email", "phone", "address", "preferred_language")

    delete_service = staticmethod(services.guardian_delete)

    @admin.display(description="Name", ordering="last_name")
    def name(self, guardian: Guardian) -> str:
        return guardian.name

    def save_model(self, request, obj, form, change):
        if change:
            adopt(obj, self.call_service(services.guardian_update, guardian=obj, by=request.user,
                                         **self.changes_from(form)))
            return
        data = form.cleaned_data
        details = {name: data.get(name, "") for name in GUARDIAN_FIELDS - {"first_name", "last_name"}}
        adopt(obj, self.call_service(services.guardian_create, setting=data["setting"], by=request.user,
                                     first_name=data["first_name"], last_name=data["last_name"], **details))


class ChildGuardianInline(admin.TabularInline):
    """A child's parents and carers. A new link goes through ``guardian_link``; existing links are shown,
    not edited or removed, until there is a service that audits those changes."""

    model = ChildGuardian
    extra = 0
    fields = ("guardian", "relationship", "has_parental_responsibility", "is_primary_contact")
    verbose_name = "parent or carer"
    verbose_name_plural = "parents and carers"

    def _may(self, request) -> bool:
        return is_superuser(request) or (request.user.is_active and managed_setting_id(request) is not None)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._may(request)

    def has_add_permission(self, request, obj) -> bool:
        return self._may(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request) -> QuerySet:
        return super().get_queryset(request).select_related("guardian")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not is_superuser(request):
            choices = setting_choices(request, db_field.related_model)
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ChildForm(forms.ModelForm):
    attending = SessionsField(label="Sessions attended")

    class Meta:
        model = Child
        fields = (
            "setting", "first_name", "last_name", "preferred_name", "date_of_birth", "room", "start_date",
            "expected_leaving_date", "destination_school", "home_language", "dietary_needs", "allergies",
            "medical_notes", "collected_by", "known_needs", "preferred_key_person",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "attending" in self.fields:
            self.initial.setdefault("attending", sessions.codes_of(self.instance.attending_sessions or 0))

    def _post_clean(self):
        if "attending" in self.cleaned_data:
            self.instance.attending_sessions = sessions.mask_of(self.cleaned_data["attending"])
        super()._post_clean()


class LifecycleFilter(admin.SimpleListFilter):
    title = "attending"
    parameter_name = "attending"

    def lookups(self, request, model_admin):
        return (("yes", "Attending"), ("no", "Left or withdrawn"))

    def queryset(self, request, queryset):
        gone = ("left", "withdrawn")
        if self.value() == "yes":
            return queryset.exclude(state__in=gone)
        if self.value() == "no":
            return queryset.filter(state__in=gone)
        return queryset


def _transition_action(name: str, description: str):
    def action(modeladmin: ChildAdmin, request, queryset):
        return modeladmin.run_transition(request, queryset, name)

    action.__name__ = name
    action.short_description = description
    action.allowed_permissions = ("transition",)
    return action


@admin.register(Child)
class ChildAdmin(KeyflowAdmin):
    audit_reads = True
    form = ChildForm
    inlines = (ChildGuardianInline,)
    manager_can = superuser_can = frozenset({VIEW, ADD, CHANGE})
    list_display = ("name", "state", "room", "date_of_birth", "start_date", "key_person", "secondary")
    list_select_related = ("room",)
    superuser_list_display = ("setting",)
    list_filter = ("state", LifecycleFilter, ("room", admin.RelatedOnlyFieldListFilter))
    superuser_list_filter = ("setting",)
    search_fields = ("first_name", "last_name", "preferred_name")
    readonly_fields = ("state", "state_changed_at", "registered_at", "left_on", "key_persons")
    fieldsets = (
        (None, {"fields": (
            "setting", "first_name", "last_name", "preferred_name", "date_of_birth", "room",
        )}),
        ("Attendance", {"fields": (
            "start_date", "attending", "expected_leaving_date", "destination_school",
        )}),
        ("Care", {"fields": (
            "home_language", "dietary_needs", "allergies", "medical_notes", "collected_by", "known_needs",
            "preferred_key_person",
        )}),
        ("Lifecycle (changed by the actions on the list of children)", {"fields": (
            "state", "state_changed_at", "registered_at", "left_on", "key_persons",
        )}),
    )
    actions = [
        _transition_action("allocate", "Allocate (key person and secondary in place)"),
        _transition_action("begin_settling_in", "Begin settling in"),
        _transition_action("settle", "Mark as settled"),
        _transition_action("begin_room_move", "Begin a room move"),
        _transition_action("complete_room_move", "Complete the room move"),
        _transition_action("prepare_to_leave", "Prepare to leave"),
        _transition_action("leave", "Mark as left"),
        "withdraw",
    ]

    def scope(self, request, queryset: QuerySet) -> QuerySet:
        # The same rule as every view; a subquery, so a key person's distinct() cannot clash with the admin's.
        return queryset.filter(pk__in=children_visible_to(request.user).values("pk"))

    def get_queryset(self, request) -> QuerySet:
        current = KeyPersonAssignment.objects.current().select_related("staff__user")
        return super().get_queryset(request).prefetch_related(
            Prefetch("assignments", queryset=current, to_attr="current_assignments")
        )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            # Nothing has happened to a child who is being registered.
            return self.fieldsets[:-1]
        return self.fieldsets

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "preferred_key_person":
            field.queryset = field.queryset.filter(is_key_person=True)
        return field

    def has_transition_permission(self, request) -> bool:
        # Superusers get the actions too; the service still decides (only the setting's manager may).
        return is_superuser(request) or self._may(request, CHANGE)

    def _assignment(self, child: Child, role: str) -> str:
        assignments = getattr(child, "current_assignments", None)
        if assignments is None:
            assignments = list(child.assignments.current().select_related("staff__user"))
        return next((a.staff.name for a in assignments if a.role == role), "—")

    @admin.display(description="Key person")
    def key_person(self, child: Child) -> str:
        return self._assignment(child, AssignmentRole.PRIMARY)

    @admin.display(description="Secondary")
    def secondary(self, child: Child) -> str:
        return self._assignment(child, AssignmentRole.SECONDARY)

    @admin.display(description="Key persons now")
    def key_persons(self, child: Child) -> str:
        rows = [
            (AssignmentRole.PRIMARY.label, self.key_person(child)),
            (AssignmentRole.SECONDARY.label, self.secondary(child)),
        ]
        return format_html_join("", "<div>{}: {}</div>", rows)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = {name: data[name] for name in form.changed_data if name in CHILD_EDITABLE_FIELDS}
            if "attending" in form.changed_data:
                changes["attending_sessions"] = sessions.mask_of(data["attending"])
            if changes:
                adopt(obj, self.call_service(services.child_update, child=obj, by=request.user, **changes))
            return
        details = {
            name: data[name] for name in CHILD_EDITABLE_FIELDS - {"first_name", "last_name", "date_of_birth",
                                                                  "start_date", "room", "attending_sessions"}
            if name in data
        }
        child = self.call_service(
            services.child_register, setting=data["setting"], by=request.user,
            first_name=data["first_name"], last_name=data["last_name"], date_of_birth=data["date_of_birth"],
            start_date=data.get("start_date"), room=data.get("room"), sessions_attended=data.get("attending", []),
            **details,
        )
        adopt(obj, child)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ChildGuardian:
            return super().save_formset(request, form, formset, change)
        links = []
        for link in formset.save(commit=False):
            links.append(self.call_service(
                services.guardian_link, child=form.instance, by=request.user, guardian=link.guardian,
                relationship=link.relationship, has_parental_responsibility=link.has_parental_responsibility,
                is_primary_contact=link.is_primary_contact,
            ))
        formset.new_objects = links

    def run_transition(self, request, queryset, name: str, reason: str = ""):
        for child in queryset:
            try:
                moved = services.child_transition(child=child, transition=name, by=request.user, reason=reason)
            except RuleViolation as violation:
                self.report(request, child, violation)
            else:
                self.report(request, moved, f"now {moved.get_state_display().lower()}.")

    @admin.action(description="Withdraw (asks why)", permissions=["transition"])
    def withdraw(self, request, queryset):
        return self.ask_reason(
            request, queryset, action="withdraw", title="Withdraw children",
            intro="These children will be withdrawn from the setting. Why?", submit="Withdraw",
            apply=lambda reason: self.run_transition(request, queryset, "withdraw", reason),
        )
