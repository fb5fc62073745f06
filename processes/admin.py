"""The Django admin for Keyflow's records, held to the same rules as every other entry point.

Three things make it safe to hand to a nursery manager:

* Scoping. A manager (``is_staff`` with a manager's Staff profile) sees only their own setting's records in
  every list, every change page and every foreign-key choice; anybody else's record is "not found". Children
  come from ``access.children_visible_to``, the queryset every view starts from. Superusers see everything.
* Writes go through ``processes.services``. Registering and changing a child, assigning and ending key persons,
  recording consent and staff absence, linking a parent and every lifecycle step call the same service a view
  would, so the rules, the audit row and the signals the workflows listen to are the same. A refusal
  (RuleViolation, NotPermitted, Conflict) is shown on the form or as a message and nothing is written.
* History stays whole. Key person assignments, consents and audit events are never changed or deleted here;
  children are never deleted (retention purges will be a service of their own).

Permissions come from Keyflow's roles, not from Django's per-model permissions: giving a key person
``is_staff`` and "view child" must not let them read every child of the setting (access.py says they see only
their key children), so outside superusers only the setting's manager gets anything in the admin.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html_join

from . import services, sessions
from .access import children_visible_to, staff_of
from .errors import RuleViolation
from .models import (
    AssignmentRole,
    AuditEvent,
    Child,
    ChildGuardian,
    Consent,
    Guardian,
    KeyPersonAssignment,
    LegalHold,
    Organisation,
    RecordsPassedOn,
    Room,
    Setting,
    Staff,
    StaffAbsence,
)
from .services.children import EDITABLE_FIELDS as CHILD_EDITABLE_FIELDS

admin.site.site_header = "Keyflow administration"
admin.site.site_title = "Keyflow admin"
admin.site.index_title = "Records of your setting"

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"


def managed_setting_id(request) -> int | None:
    """The setting a non-superuser may administer: their own, and only if they are its manager."""
    if not hasattr(request, "_keyflow_admin_setting_id"):
        staff = staff_of(request.user)
        request._keyflow_admin_setting_id = staff.setting_id if staff and staff.is_manager else None
    return request._keyflow_admin_setting_id


def is_superuser(request) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


def adopt(obj, saved) -> None:
    """Make the admin's unsaved form instance stand for the row a service created.

    The admin goes on to log, link inlines to and redirect to ``obj``; it must carry the saved row's id and
    values. Copying the attribute dict also carries the protected FSM state without tripping its guard.
    """
    obj.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
    obj._state.adding = False
    obj._state.db = saved._state.db


class _Refused(Exception):
    """A service refused a save: unwinds the admin's transaction so the form can be shown again."""

    def __init__(self, violation: RuleViolation) -> None:
        super().__init__(violation.message)
        self.violation = violation


# Choices offered to a manager in any foreign-key field: their setting's rows only. Children also honour the
# access rules, so this stays right if the admin is ever opened to other roles.
def _choices_for(request, model) -> QuerySet | None:
    setting_id = managed_setting_id(request)
    if model is Child:
        return children_visible_to(request.user)
    lookups = {
        Setting: "pk", Organisation: "settings__id", Room: "setting_id", Staff: "setting_id", Guardian: "setting_id",
    }
    if model not in lookups:
        return None
    if setting_id is None:
        return model._default_manager.none()
    return model._default_manager.filter(**{lookups[model]: setting_id})


class SessionsField(forms.MultipleChoiceField):
    """The morning/afternoon sessions of the week as tick boxes, standing in for a bitmask column."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(choices=sessions.CHOICES, **kwargs)


class KeyflowAdmin(admin.ModelAdmin):
    """Scoping to the manager's setting, role-based permissions, and service refusals shown on the form."""

    # How a row reaches its setting's id, for scoping the lists of a non-superuser.
    setting_lookup = "setting_id"
    # What a manager may do here, and what a superuser may do. Neither gets what the model's rules forbid.
    manager_can: frozenset[str] = frozenset({VIEW})
    superuser_can: frozenset[str] = frozenset({VIEW})
    # Shown to superusers only, who see more than one setting.
    superuser_list_display: tuple[str, ...] = ()
    superuser_list_filter: tuple = ()
    # Special-category records (health, family, SEN): opening one is audited, as on every other page.
    audit_reads = False

    # --- who may do what -------------------------------------------------------------------------------
    def _may(self, request, verb: str) -> bool:
        if is_superuser(request):
            return verb in self.superuser_can
        return request.user.is_active and verb in self.manager_can and managed_setting_id(request) is not None

    def has_module_permission(self, request) -> bool:
        return self._may(request, VIEW)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._may(request, VIEW) or self._may(request, CHANGE)

    def has_add_permission(self, request) -> bool:
        return self._may(request, ADD)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._may(request, CHANGE)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._may(request, DELETE)

    # --- what they see -----------------------------------------------------------------------------------
    def scope(self, request, queryset: QuerySet) -> QuerySet:
        setting_id = managed_setting_id(request)
        if setting_id is None:
            return queryset.none()
        return queryset.filter(**{self.setting_lookup: setting_id})

    def get_queryset(self, request) -> QuerySet:
        queryset = super().get_queryset(request)
        return queryset if is_superuser(request) else self.scope(request, queryset)

    def get_list_display(self, request):
        extra = self.superuser_list_display if is_superuser(request) else ()
        return (*super().get_list_display(request), *extra)

    def get_list_filter(self, request):
        extra = self.superuser_list_filter if is_superuser(request) else ()
        return (*super().get_list_filter(request), *extra)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not is_superuser(request):
            choices = _choices_for(request, db_field.related_model)
            if choices is not None:
                kwargs["queryset"] = choices
            if db_field.name == "setting":
                # The manager's own setting, shown but not changeable: the form still validates constraints
                # that involve the setting (a room's name is unique within its setting).
                kwargs["disabled"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        setting_id = managed_setting_id(request)
        if not is_superuser(request) and setting_id is not None and "setting" in form.base_fields:

            class OwnSettingForm(form):
                def __init__(self, *args, **kwargs):
                    super().__init__(*args, **kwargs)
                    if self.instance._state.adding:
                        self.instance.setting_id = setting_id
                        self.initial["setting"] = setting_id

            form = OwnSettingForm
        violation = getattr(request, "_keyflow_refusal", None)
        if violation is not None:

            class RefusedForm(form):
                def clean(self):
                    cleaned = super().clean()
                    field = violation.field if violation.field in self.fields else None
                    self.add_error(field, violation.message)
                    return cleaned

            form = RefusedForm
        return form

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        # A record never moves to another setting: everything hanging off it would cross with it.
        if obj is not None and any(f.name == "setting" for f in self.model._meta.fields):
            readonly = ("setting", *[f for f in readonly if f != "setting"])
        return readonly

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        record = (getattr(response, "context_data", None) or {}).get("original")
        if self.audit_reads and request.method == "GET" and record is not None:
            services.audit_record(actor=request.user, action="read", record=record,
                                  setting_id=self.setting_id_of(record)
                                  or getattr(getattr(record, "child", None), "setting_id", None),
                                  summary=f"Viewed {record._meta.verbose_name} {record} (admin)")
        return response

    # --- writes ----------------------------------------------------------------------------------------
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused as refused:
            # changeform_view's transaction has rolled back whatever the attempt wrote (the admin log entry,
            # a child registered before its parent link was refused). Show the same form again, with the
            # service's reason on it; the second pass fails validation, so it writes nothing.
            request._keyflow_refusal = refused.violation
            return super().changeform_view(request, object_id, form_url, extra_context)

    def call_service(self, service, **kwargs):
        try:
            return service(**kwargs)
        except RuleViolation as violation:
            raise _Refused(violation) from violation

    def save_model(self, request, obj, form, change):
        """Models without a service of their own yet: save, and write the audit row a service would."""
        before = type(obj)._default_manager.get(pk=obj.pk) if change else None
        with transaction.atomic():
            obj.save()
            diff = {}
            if before is not None:
                for field in obj._meta.concrete_fields:
                    if getattr(before, field.attname) != getattr(obj, field.attname):
                        diff[field.name] = [str(getattr(before, field.name)), str(getattr(obj, field.name))]
                if not diff:
                    return
            label = obj._meta.verbose_name
            summary = f"Changed {', '.join(diff)} of {label} {obj}" if change else f"Added {label} {obj}"
            services.audit_record(
                actor=request.user, action="update" if change else "create", record=obj,
                setting_id=self.setting_id_of(obj), summary=f"{summary} (admin)", changes=diff,
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            services.audit_record(
                actor=request.user, action="delete", record=obj, setting_id=self.setting_id_of(obj),
                summary=f"Deleted {obj._meta.verbose_name} {obj} (admin)",
            )
            obj.delete()

    def delete_queryset(self, request, queryset):
        # One audit row per record, as a delete through any other door would write.
        for obj in queryset:
            self.delete_model(request, obj)

    def setting_id_of(self, obj) -> int | None:
        return getattr(obj, "setting_id", None)

    # --- actions ---------------------------------------------------------------------------------------
    def ask_reason(self, request, queryset, *, action: str, title: str, intro: str, submit: str, apply):
        """An intermediate page asking why, for actions whose service needs a reason.

        ``apply(reason)`` runs once the form is valid; returning None sends the user back to the list.
        """
        if "apply" in request.POST:
            form = ReasonForm(request.POST)
            if form.is_valid():
                apply(form.cleaned_data["reason"])
                return None
        else:
            form = ReasonForm()
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "submit": submit,
            "objects": list(queryset),
            "form": form,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/processes/reason_form.html", context)

    def for_each(self, request, rows, act, done) -> None:
        """``act(row)`` on each row, each reported on its own: ``done`` says what happened (or makes it from
        the row and what ``act`` returned); a refusal is reported instead and the next row goes on."""
        for row in rows:
            try:
                result = act(row)
            except RuleViolation as violation:
                self.report(request, row, violation)
            else:
                self.report(request, row, done(row, result) if callable(done) else done)

    def apply_each(self, request, rows, act, done: str):
        """An ``apply`` for ask_reason: ``act(row, reason)`` on each row, each reported on its own."""
        return lambda reason: self.for_each(request, rows, lambda row: act(row, reason), done)

    def report(self, request, obj, outcome: str | RuleViolation) -> None:
        if isinstance(outcome, RuleViolation):
            self.message_user(request, outcome.message, level=messages.ERROR)
        else:
            self.message_user(request, f"{obj}: {outcome}", level=messages.SUCCESS)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Kept with the record's history and in the audit trail.",
    )



# --- the organisation and its settings --------------------------------------------------------------------


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


# --- staff ------------------------------------------------------------------------------------------------


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

    actions = ["send_password_reset", "reset_second_factor"]

    @admin.action(description="E-mail a link to choose a new password (a forgotten one)", permissions=["change"])
    def send_password_reset(self, request, queryset):
        from accounts.password_reset import password_reset_send

        self.for_each(request, queryset.select_related("user"),
                      lambda staff: password_reset_send(user=staff.user, by=request.user),
                      lambda staff, _: f"a link to choose a new password is on its way to {staff.user.email}.")

    @admin.action(description="Reset two-factor log-in (a lost phone)", permissions=["change"])
    def reset_second_factor(self, request, queryset):
        from accounts.second_factor import second_factor_reset

        self.for_each(request, queryset.select_related("user"),
                      lambda staff: second_factor_reset(user=staff.user, by=request.user),
                      lambda staff, removed: f"two-factor log-in reset ({removed} app(s) removed); logged out.")


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


# --- children and their families --------------------------------------------------------------------------


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

    @admin.display(description="Name", ordering="last_name")
    def name(self, guardian: Guardian) -> str:
        return guardian.name


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
            choices = _choices_for(request, db_field.related_model)
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
            "known_needs", "preferred_key_person",
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
            "home_language", "dietary_needs", "allergies", "known_needs", "preferred_key_person",
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


# --- key persons ------------------------------------------------------------------------------------------


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


# --- append-only history ----------------------------------------------------------------------------------


class ConsentForm(forms.ModelForm):
    given_at = forms.SplitDateTimeField(
        initial=timezone.now, widget=admin.widgets.AdminSplitDateTime,
        help_text="When the parent/carer decided.",
    )

    class Meta:
        model = Consent
        fields = ("child", "guardian", "purpose", "recipient", "status", "method", "given_at", "notes")


@admin.register(Consent)
class ConsentAdmin(KeyflowAdmin):
    """Consent is a history: a change of mind is a new entry (a withdrawal), never an edit."""

    audit_reads = True

    form = ConsentForm
    setting_lookup = "child__setting_id"
    manager_can = superuser_can = frozenset({VIEW, ADD})
    list_display = ("child", "purpose", "recipient", "status", "guardian", "given_at", "method", "recorded_by")
    list_select_related = ("child", "guardian", "recorded_by")
    list_filter = ("purpose", "status", "method")
    search_fields = ("child__first_name", "child__last_name", "recipient", "guardian__last_name")
    date_hierarchy = "given_at"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        consent = self.call_service(
            services.consent_record, child=data["child"], guardian=data["guardian"], purpose=data["purpose"],
            status=data["status"], method=data["method"], by=request.user, recipient=data.get("recipient", ""),
            given_at=data["given_at"], notes=data.get("notes", ""),
        )
        adopt(obj, consent)


@admin.register(AuditEvent)
class AuditEventAdmin(KeyflowAdmin):
    """The audit trail: read, searched and filtered here; written only by the services."""

    manager_can = superuser_can = frozenset({VIEW})
    list_display = ("at", "actor", "action", "record_type", "record_id", "summary", "outcome")
    list_select_related = ("actor",)
    list_filter = ("action", "outcome", "record_type")
    search_fields = ("summary", "record_type", "record_id")
    date_hierarchy = "at"
    readonly_fields = (
        "at", "actor", "setting_id", "child_id", "action", "record_type", "record_id", "summary", "changes",
        "outcome",
    )
    fields = readonly_fields

    def get_actions(self, request):
        return {}


# --- retention: what keeps records past their period, and what left with the child -------------------------


class LegalHoldForm(forms.ModelForm):
    class Meta:
        model = LegalHold
        fields = ("child", "reason")


@admin.register(LegalHold)
class LegalHoldAdmin(KeyflowAdmin):
    """A hold is placed (nothing of the child's is purged while it stands) and lifted, never edited."""

    audit_reads = True  # the reason may name a claim or a police request

    form = LegalHoldForm
    setting_lookup = "child__setting_id"
    manager_can = superuser_can = frozenset({VIEW, ADD})
    list_display = ("child", "in_force", "placed_at", "placed_by", "lifted_at", "lifted_by")
    list_select_related = ("child", "placed_by", "lifted_by")
    search_fields = ("child__first_name", "child__last_name", "reason")
    actions = ["lift_holds"]

    @admin.display(description="In force", boolean=True)
    def in_force(self, hold: LegalHold) -> bool:
        return hold.lifted_at is None

    def get_readonly_fields(self, request, obj=None):
        # Seen after the event, a hold is a record: who placed it, why, and who lifted it.
        if obj is not None:
            return ("child", "reason", "placed_at", "placed_by", "lifted_at", "lifted_by")
        return super().get_readonly_fields(request, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        adopt(obj, self.call_service(services.legal_hold_place, child=data["child"], by=request.user,
                                     reason=data["reason"]))

    def has_lift_permission(self, request) -> bool:
        return self._may(request, ADD)

    @admin.action(description="Lift the selected holds (asks why)", permissions=["lift"])
    def lift_holds(self, request, queryset):
        lift = self.apply_each(request, queryset.select_related("child"), lambda hold, reason:
                               services.legal_hold_lift(hold=hold, by=request.user, reason=reason), "lifted.")
        return self.ask_reason(
            request, queryset, action="lift_holds", title="Lift legal holds",
            intro="Once lifted, these children's records are purged again when past their retention period. Why?",
            submit="Lift the holds", apply=lift,
        )


class RecordsPassedOnForm(forms.ModelForm):
    passed_on = forms.DateField(initial=timezone.localdate, widget=admin.widgets.AdminDateWidget)

    class Meta:
        model = RecordsPassedOn
        fields = ("child", "kind", "recipient", "passed_on")


@admin.register(RecordsPassedOn)
class RecordsPassedOnAdmin(KeyflowAdmin):
    """SEN or safeguarding records handed to the child's next school: recorded once, never edited."""

    form = RecordsPassedOnForm
    setting_lookup = "child__setting_id"
    manager_can = superuser_can = frozenset({VIEW, ADD})
    list_display = ("child", "kind", "recipient", "passed_on", "recorded_by")
    list_select_related = ("child", "recorded_by")
    list_filter = ("kind",)
    search_fields = ("child__first_name", "child__last_name", "recipient")
    date_hierarchy = "passed_on"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        adopt(obj, self.call_service(services.records_pass_on, child=data["child"], kind=data["kind"],
                                     recipient=data["recipient"], by=request.user, on=data["passed_on"]))


# --- records written by the workflows ---------------------------------------------------------------------


class WorkflowRecordAdmin(KeyflowAdmin):
    """Records that a workflow's task writes (meetings, "all about me", settling-in): shown, never edited here,
    so the task, its deadline and its audit row stay the one way they change."""

    audit_reads = True

    manager_can = superuser_can = frozenset({VIEW})
    list_display = ("__str__",)

    def get_actions(self, request):
        return {}


def _register_the_rest() -> None:
    """Every other model of the app, read-only and scoped by whichever way it reaches its setting.

    New models get an admin page the day they land, and one that leaks nothing: a model with no path to a
    setting is for superusers only.
    """
    from django.apps import apps

    for model in apps.get_app_config("processes").get_models():
        if admin.site.is_registered(model) or model is ChildGuardian:
            continue
        names = {f.name for f in model._meta.fields}
        attrs: dict = {"__module__": __name__}
        if "setting" in names:
            attrs["setting_lookup"] = "setting_id"
        elif "child" in names:
            attrs["setting_lookup"] = "child__setting_id"
            attrs["list_select_related"] = ("child",)
            attrs["search_fields"] = ("child__first_name", "child__last_name")
        else:
            attrs["manager_can"] = frozenset()
        admin.site.register(model, type(f"{model.__name__}Admin", (WorkflowRecordAdmin,), attrs))


_register_the_rest()
