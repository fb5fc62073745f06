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
from django.contrib import admin
from django.db import models, transaction
from django.db.models import QuerySet

from .. import services, sessions
from ..access import children_visible_to, staff_of
from ..models import Child, Guardian, Organisation, Room, Setting, Staff
from ..text import ACCOUNT
from .refusals import RefusalsShown, _Refused

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


# Choices offered to a manager in any foreign-key field: their setting's rows only. Children also honour the
# access rules, so this stays right if the admin is ever opened to other roles.
def setting_choices(request, model) -> QuerySet | None:
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


class KeyflowAdmin(RefusalsShown):
    """Scoping to the manager's setting, role-based permissions, and service refusals shown on the form."""

    # How a row reaches its setting's id, for scoping everything a non-superuser opens (lists, change, history
    # and delete pages). None: the row has no way to a setting, and only superusers see it.
    setting_lookup: str | None = "setting_id"
    # What a manager may do here, and what a superuser may do. Neither gets what the model's rules forbid.
    manager_can: frozenset[str] = frozenset({VIEW})
    superuser_can: frozenset[str] = frozenset({VIEW})
    # Shown to superusers only, who see more than one setting.
    superuser_list_display: tuple[str, ...] = ()
    superuser_list_filter: tuple = ()
    # Special-category records (health, family, SEN): opening one is audited, as on every other page.
    audit_reads = False
    # A TextField has no length of its own: the admin's forms say processes.text's limit before the save does.
    formfield_overrides = {models.TextField: {"max_length": ACCOUNT}}
    # The service that removes a record, called as ``service(<model name>=record, by=user)``.
    delete_service = None

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
        if setting_id is None or self.setting_lookup is None:
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
            choices = setting_choices(request, db_field.related_model)
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
        if is_superuser(request) or setting_id is None or "setting" not in form.base_fields:
            return form

        class OwnSettingForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                if self.instance._state.adding:
                    self.instance.setting_id = setting_id
                    self.initial["setting"] = setting_id

        return OwnSettingForm

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

    def save_model(self, request, obj, form, change):
        """Models of other apps without a service of their own (notifications' policy): save, and write the
        audit row a service would. Keyflow's own records are written by their services."""
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
        if self.delete_service is not None:
            self.call_service(self.delete_service, **{self.model._meta.model_name: obj}, by=request.user)
            return
        with transaction.atomic():
            services.audit_record(
                actor=request.user, action="delete", record=obj, setting_id=self.setting_id_of(obj),
                summary=f"Deleted {obj._meta.verbose_name} {obj} (admin)",
            )
            obj.delete()

    def delete_queryset(self, request, queryset):
        # One service call (and audit row) per record, as a delete through any other door would write; a
        # refusal is reported and the others go on.
        for obj in queryset:
            try:
                self.delete_model(request, obj)
            except _Refused as refused:
                self.report(request, obj, refused.violation)

    @staticmethod
    def changes_from(form, *, exclude: tuple[str, ...] = ()) -> dict:
        """Every field the form changed, for the service to take or refuse: a field added to the form but not to
        the service is refused with a message, never dropped in silence."""
        return {name: form.cleaned_data[name] for name in form.changed_data if name not in exclude}

    def setting_id_of(self, obj) -> int | None:
        return getattr(obj, "setting_id", None)
