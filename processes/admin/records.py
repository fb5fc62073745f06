"""Append-only records: consent, and what retention keeps (legal holds) or hands on (records passed on)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils import timezone

from .. import services
from ..models import Consent, LegalHold, RecordsPassedOn
from .base import ADD, VIEW, KeyflowAdmin
from .refusals import adopt


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
