"""The manager's everyday pages for a child: details, parents and carers, key persons. Thin: who may act is
processes.access (someone else's child is a 404, a child one sees but may not change a 403), every change a
service. The admin stays for setting up (settings, rooms, staff)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from .access import child_to_manage
from .allocation import allocation_candidates, candidates_to_back_up
from .errors import RuleViolation
from .manage_forms import (
    ChildDetailsForm,
    ExistingGuardianForm,
    GuardianEditForm,
    KeyPersonForm,
    NewGuardianForm,
    UnlinkForm,
    child_values,
    fingerprint,
)
from .models import AssignmentRole
from .services import (
    audit_attempt,
    audit_record,
    child_update,
    guardian_link,
    guardian_link_update,
    guardian_unlink,
    guardian_update,
    key_person_assign,
)
from .services.guardians import GUARDIAN_FIELDS
from .services.reads import NOT_FOUND, REFUSED

LINK_FIELDS = ("relationship", "has_parental_responsibility", "is_primary_contact")


def managed_child(request, pk: int, what: str):
    """The child whose `what` the manager changes (processes.access.child_to_manage). These pages show health
    and family details, so each read is audited, and so is each attempt turned away (404 or 403)."""
    try:
        child = child_to_manage(request.user, pk)
    except (Http404, PermissionDenied) as refusal:
        refused = isinstance(refusal, PermissionDenied)
        audit_attempt(user=request.user, action="read" if request.method == "GET" else "write",
                      record_type="processes.Child", record_id=pk, outcome=REFUSED if refused else NOT_FOUND,
                      child_id=pk,
                      summary=f"Tried to open {what} of child #{pk}: " + ("not theirs to change" if refused
                                                                         else "not theirs to see"))
        raise
    if request.method == "GET":
        audit_record(actor=request.user, action="read", record=child, summary=f"Viewed {child.name}'s {what}")
    return child


def _refused(form, exc: RuleViolation) -> None:
    """A service's refusal shown on its field, or above the form: nothing was written."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _status(request, *forms) -> int:
    return 400 if request.method == "POST" and any(f.errors for f in forms if f.is_bound) else 200


@never_cache
def child_edit(request, pk: int):
    child = managed_child(request, pk, "details (to edit)")
    form = ChildDetailsForm(request.POST or None, child=child)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["loaded"] != fingerprint(child_values(child)):
            form.add_error(None, f"{child.name}'s record was changed by someone else since you opened this page. "
                                 "Nothing was saved: reload to see their change, then make yours again.")
            return render(request, "processes/child_edit.html", {"child": child, "form": form}, status=409)
        changes = form.changes(child)
        try:
            child_update(child=child, by=request.user, **changes)
        except RuleViolation as exc:
            _refused(form, exc)
        else:
            messages.success(request, "Saved." if changes else "Nothing had changed.")
            return redirect("child-detail", pk=child.pk)
    return render(request, "processes/child_edit.html", {"child": child, "form": form},
                  status=_status(request, form))


@never_cache
def child_guardians(request, pk: int):
    child = managed_child(request, pk, "parents and carers")
    adding = request.POST.get("action") if request.method == "POST" else None
    new = NewGuardianForm(request.POST if adding == "new" else None, prefix="new")
    existing = ExistingGuardianForm(request.POST if adding == "existing" else None, prefix="existing", child=child)
    form = {"new": new, "existing": existing}.get(adding)
    if form is not None and form.is_valid():
        data = dict(form.cleaned_data)
        link_data = {name: data.pop(name) for name in LINK_FIELDS}
        try:
            link = guardian_link(child=child, by=request.user, **link_data, **data)
        except RuleViolation as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"{link.guardian} is now on {child.name}'s record.")
            return redirect("child-guardians", pk=child.pk)
    links = child.guardian_links.select_related("guardian").order_by(
        "-is_primary_contact", "guardian__last_name", "guardian__first_name")
    return render(request, "processes/guardians.html", {
        "child": child, "links": links, "new_form": new, "existing_form": existing,
        "can_link_existing": existing.fields["guardian"].queryset.exists(),
    }, status=_status(request, new, existing))


def _link(child, link_id: int):
    link = child.guardian_links.select_related("guardian").filter(pk=link_id).first()
    if link is None:
        raise Http404("No such parent or carer.")
    return link


@never_cache
def guardian_edit(request, pk: int, link_id: int):
    child = managed_child(request, pk, "parent or carer (to edit)")
    link = _link(child, link_id)
    initial = {**{n: getattr(link.guardian, n) for n in GUARDIAN_FIELDS}, **{n: getattr(link, n) for n in LINK_FIELDS}}
    form = GuardianEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            with transaction.atomic():  # details and link together, or neither
                guardian_update(guardian=link.guardian, by=request.user, **{n: data[n] for n in GUARDIAN_FIELDS})
                guardian_link_update(link=link, by=request.user, **{n: data[n] for n in LINK_FIELDS})
        except RuleViolation as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"Saved {form.cleaned_data['first_name']}'s details.")
            return redirect("child-guardians", pk=child.pk)
    siblings = list(link.guardian.children.exclude(pk=child.pk))
    return render(request, "processes/guardian_edit.html",
                  {"child": child, "link": link, "form": form, "siblings": siblings}, status=_status(request, form))


@never_cache
def guardian_unlink_confirm(request, pk: int, link_id: int):
    child = managed_child(request, pk, "parent or carer (to unlink)")
    link = _link(child, link_id)
    form = UnlinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            guardian_unlink(link=link, by=request.user, reason=form.cleaned_data["reason"])
        except RuleViolation as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"{link.guardian} is no longer on {child.name}'s record.")
            return redirect("child-guardians", pk=child.pk)
    return render(request, "processes/guardian_unlink.html", {"child": child, "link": link, "form": form},
                  status=_status(request, form))


@never_cache
def child_key_persons(request, pk: int):
    child = managed_child(request, pk, "key persons (to change)")
    current = {a.role: a for a in child.assignments.current().select_related("staff__user")}
    acting = request.POST.get("role") if request.method == "POST" else None
    forms = {
        role: KeyPersonForm(request.POST if acting == role else None, prefix=role, child=child, label=label,
                            primary=role == AssignmentRole.PRIMARY)
        for role, label in ((AssignmentRole.PRIMARY, "New key person"),
                            (AssignmentRole.SECONDARY, "New secondary key person"))
    }
    form = forms.get(acting)
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            key_person_assign(child=child, staff=data["staff"], role=acting, by=request.user,
                              starts_on=data.get("starts_on"), reason=data.get("reason", ""),
                              over_caseload_reason=data.get("over_caseload_reason", ""))
        except RuleViolation as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"{data['staff']} is now {child.name}'s {AssignmentRole(acting).label.lower()}."
                                      " The parents are told by e-mail.")
            return redirect("child-detail", pk=child.pk)
    primary = current.get(AssignmentRole.PRIMARY)
    ranked = allocation_candidates(child=child)
    return render(request, "processes/key_persons.html", {
        "child": child, "current": current, "primary_form": forms[AssignmentRole.PRIMARY],
        "secondary_form": forms[AssignmentRole.SECONDARY], "primary_candidates": ranked,
        "secondary_candidates": candidates_to_back_up(child=child, primary=primary.staff if primary else None),
        "primary": primary, "secondary": current.get(AssignmentRole.SECONDARY),
    }, status=_status(request, *forms.values()))
