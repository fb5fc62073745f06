"""How the admin shows a service's refusal and asks for a reason, shared by every Keyflow admin page.

A refusal (RuleViolation, NotPermitted, Conflict) raised while saving a form unwinds the admin's transaction
and the same form is shown again with the service's message on it, so nothing is half-written. An action on
several rows reports each row on its own. Actions whose service needs a reason ask for it on a page of its own
before anything changes.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from ..errors import RuleViolation
from ..text import REASON


class _Refused(Exception):
    """A service refused a save: unwinds the admin's transaction so the form can be shown again."""

    def __init__(self, violation: RuleViolation) -> None:
        super().__init__(violation.message)
        self.violation = violation


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), max_length=REASON,
        help_text="Kept with the record's history and in the audit trail.",
    )


def adopt(obj, saved) -> None:
    """Make the admin's unsaved form instance stand for the row a service created.

    The admin goes on to log, link inlines to and redirect to ``obj``; it must carry the saved row's id and
    values. Copying the attribute dict also carries the protected FSM state without tripping its guard.
    """
    obj.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
    obj._state.adding = False
    obj._state.db = saved._state.db


class RefusalsShown(admin.ModelAdmin):
    """Service calls from the admin, their refusals shown on the form or as a message, and the reason page."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        violation = getattr(request, "_keyflow_refusal", None)
        if violation is None:
            return form

        class RefusedForm(form):
            def clean(self):
                cleaned = super().clean()
                field = violation.field if violation.field in self.fields else None
                self.add_error(field, violation.message)
                return cleaned

        return RefusedForm

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused as refused:
            # changeform_view's transaction has rolled back whatever the attempt wrote (the admin log entry,
            # a child registered before its parent link was refused). Show the same form again, with the
            # service's reason on it; the second pass fails validation, so it writes nothing.
            request._keyflow_refusal = refused.violation
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except _Refused as refused:
            # delete_view's transaction has rolled back: back to the record, with the service's reason.
            self.message_user(request, refused.violation.message, level=messages.ERROR)
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change",
                                                args=[object_id], current_app=self.admin_site.name))

    def call_service(self, service, **kwargs):
        try:
            return service(**kwargs)
        except RuleViolation as violation:
            raise _Refused(violation) from violation

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
