"""The leaving pages (issue 18 part 3): a child's leaving date and destination, the summer term's school
leavers started together, the setting's leavers, a records pack for staff, and the receiving school's
download page (the only page here without a log-in: the link's token and its separate code are the key)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .access import child_for, is_manager_of, may_see_sen, setting_manager
from .errors import RuleViolation
from .leaving_forms import CohortForm, CohortRowForm, LeavingForm, PackDownloadForm
from .models import Child, LeavingPlan, RecordsPack
from .services import audit_attempt, audit_record, leaving_cohort_start, leaving_record, pack_link_open
from .services.leaving import leavers_year, school_leaver_cohort
from .services.reads import NOT_FOUND


def _refused(form, exc: RuleViolation) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def leaving_steps(plan: LeavingPlan, packs: list[RecordsPack]) -> list[tuple[str, str]]:
    """The plan's steps in plain words, each with what was recorded ("" while not yet)."""
    pack = packs[0] if packs else None
    report = getattr(plan, "report", None)
    return [
        ("Transition report", f"written {report.written_at:%d %b %Y}" if report else ""),
        ("Meeting with the parents", f"held {plan.parents_met_on:%d %b %Y}" if plan.parents_met_on else ""),
        ("Records pack", (f"sent {pack.get_sent_how_display().lower()} {pack.sent_at:%d %b %Y}"
                          if pack and pack.sent_at else "made, not sent" if pack else plan.no_pack_reason)),
        ("Received by the school or setting",
         f"{pack.received_on:%d %b %Y}" + (f" ({pack.receipt_note})" if pack.receipt_note else "")
         if pack and pack.received_on else ""),
        ("Learning record given to the parents",
         f"{plan.learning_record_given_on:%d %b %Y}" if plan.learning_record_given_on else ""),
    ]


@never_cache
@require_http_methods(["GET", "POST"])
def child_leaving(request, pk: int):
    try:
        child = child_for(request.user, pk)
    except Http404:
        audit_attempt(user=request.user, action="read" if request.method == "GET" else "write",
                      record_type="processes.Child", record_id=pk, outcome=NOT_FOUND, child_id=pk,
                      summary=f"Tried to open the leaving of child #{pk}: not theirs to see")
        raise
    plan = LeavingPlan.objects.filter(child=child).select_related("report").first()
    manager = is_manager_of(request.user, child.setting_id)
    if request.method == "POST" and not manager:
        raise PermissionDenied("Only the setting's manager records a leaving date.")
    initial = ({"leaving_on": plan.leaving_on, "destination_kind": plan.destination_kind,
                "destination": plan.destination, "contact_name": plan.contact_name,
                "contact_email": plan.contact_email} if plan else
               {"leaving_on": child.expected_leaving_date, "destination": child.destination_school})
    form = LeavingForm(request.POST or None, initial=initial) if manager else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            leaving_record(child=child, by=request.user, **form.cleaned_data)
        except RuleViolation as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"{child.name}'s leaving is recorded.")
            return redirect("child-leaving", pk=child.pk)
    packs = list(plan.packs.only("pk", "recipient", "sent_how", "sent_at", "received_on", "receipt_note",
                                 "includes_sen", "made_at", "plan_id")) if plan else []
    if request.method == "GET":
        audit_record(actor=request.user, action="read", record=child, summary=f"Viewed {child.name}'s leaving")
    status = 400 if form is not None and form.errors else 200
    return render(request, "processes/child_leaving.html", {
        "child": child, "plan": plan, "form": form, "packs": packs,
        "steps": leaving_steps(plan, packs) if plan else [],
    }, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def leaving_cohort(request):
    """Children due to start school next September (by date of birth), started together in the summer term."""
    staff = setting_manager(request.user)
    children = list(school_leaver_cohort(staff.setting))
    form = CohortForm(request.POST or None)
    rows = [(child, CohortRowForm(request.POST or None, prefix=f"c{child.pk}",
                                  initial={"destination": child.destination_school})) for child in children]
    if request.method == "POST":
        valid = form.is_valid() and all(row.is_valid() for _, row in rows)
        chosen = [{"child": child, **{k: row.cleaned_data[k] for k in ("destination", "contact_name", "contact_email")}}
                  for child, row in rows if row.is_valid() and row.cleaned_data["chosen"]]
        if valid:
            try:
                plans = leaving_cohort_start(setting=staff.setting, by=request.user,
                                             leaving_on=form.cleaned_data["leaving_on"], rows=chosen)
            except RuleViolation as exc:
                _refused(form, exc)
            else:
                messages.success(request, f"Leaving started for {len(plans)} child{'ren' if len(plans) != 1 else ''}.")
                return redirect("leavers")
    status = 400 if request.method == "POST" else 200
    return render(request, "processes/leaving_cohort.html", {
        "form": form, "rows": rows, "school_year": leavers_year(timezone.localdate())}, status=status)


@never_cache
def leavers(request):
    """The setting's leavers, soonest first, each with where their leaving has got to: a fixed number of
    queries whatever their number."""
    staff = setting_manager(request.user)
    plans = list(LeavingPlan.objects.filter(child__setting_id=staff.setting_id)
                 .select_related("child", "report")
                 .prefetch_related(Prefetch("packs", queryset=RecordsPack.objects.defer("pdf")))
                 .order_by("leaving_on", "child__first_name", "pk"))
    rows = [(plan, leaving_steps(plan, list(plan.packs.all()))) for plan in plans]
    return render(request, "processes/leavers.html", {"rows": rows})


@never_cache
def pack_pdf(request, pk: int, pack_id: int):
    """A records pack as it was made, for the manager and the child's key persons; opening it is audited."""
    child = child_for(request.user, pk)
    pack = get_object_or_404(RecordsPack.objects.select_related("plan"), pk=pack_id, plan__child=child)
    if pack.includes_sen and not may_see_sen(request.user, child):
        raise Http404("No such pack.")
    audit_record(actor=request.user, action="read", record=pack, child_id=child.pk, setting_id=child.setting_id,
                 summary=f"Opened {child.name}'s records pack for {pack.recipient}")
    return _pdf_response(pack, child, inline=True)


def _pdf_response(pack: RecordsPack, child: Child, *, inline: bool) -> HttpResponse:
    response = HttpResponse(bytes(pack.pdf), content_type="application/pdf")
    name = f"records-{child.last_name}-{child.first_name}.pdf".replace(" ", "-").lower()
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def pack_download(request, token: str):
    """The receiving school's contact: the code from the separate e-mail, their name, and the pack, once."""
    form = PackDownloadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        opened = pack_link_open(token=token, code=form.cleaned_data["code"],
                                contact_name=form.cleaned_data["contact_name"],
                                ip=request.META.get("REMOTE_ADDR", ""))
        if opened.pack is not None:
            return _pdf_response(opened.pack, opened.pack.plan.child, inline=False)
        form.add_error(None, opened.refusal)
        return render(request, "processes/pack_download.html", {"form": form}, status=403)
    return render(request, "processes/pack_download.html", {"form": form},
                  status=400 if request.method == "POST" else 200)

