from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from viewflow.workflow.models import Task

from processes.access import child_for, may_see_sen, staff_of
from processes.errors import RuleViolation
from processes.ids import id_in_range
from processes.register import register_day
from processes.services import audit_attempt, audit_record, child_read

from . import services
from .charts import dashboard_charts
from .context import task_context
from .dashboard import manager_dashboard
from .inbox import KIND_CHOICES, InboxFilter, inbox_choices, inbox_entries, inbox_rows
from .models import InboxEntry
from .outcome import task_step
from .timeline import child_timeline


def _id(value) -> int | None:
    try:
        value = int(value)
    except (TypeError, ValueError):
        return None
    return value if id_in_range(value) else None


KINDS = {kind for kind, _ in KIND_CHOICES}


def inbox(request):
    # A filter the page never offers (a NUL byte, an unknown kind, an id past the database's) filters nothing.
    kind = request.GET.get("process")
    filters = InboxFilter(child_id=_id(request.GET.get("child")), kind=kind if kind in KINDS else None,
                          room_id=_id(request.GET.get("room")))
    page = Paginator(inbox_entries(request.user, filters), 50).get_page(request.GET.get("page"))
    children, rooms = inbox_choices(request.user)
    return render(request, "workflows/inbox.html", {
        "page": page, "entries": inbox_rows(page, request.user), "filters": filters,
        "kinds": KIND_CHOICES, "children": children, "rooms": rooms,
    })


def _visible_task(request, process_id: int, task_id: int) -> Task:
    """The task, if it belongs to the process and the user may see it (theirs, claimable, or their child's).

    A task shows the child's health and family details: an attempt on someone else's is audited.
    """
    try:
        if not (id_in_range(process_id) and id_in_range(task_id)):
            raise Http404("No such task.")
        return _find_visible_task(request, process_id, task_id)
    except Http404:
        child_id = (InboxEntry.objects.filter(task_id=task_id).values_list("child_id", flat=True).first()
                    if id_in_range(task_id) else None)
        audit_attempt(user=request.user, action="read" if request.method in ("GET", "HEAD") else "write",
                      record_type="viewflow.Task", record_id=task_id, child_id=child_id,
                      summary=f"Tried to open task #{task_id} of process #{process_id}: not theirs to see")
        raise


def audit_task_read(request, task: Task) -> None:
    entry = task.inbox
    audit_record(actor=request.user, action="read", record=task, setting_id=entry.setting_id,
                 child_id=entry.child_id, summary=f"Viewed task '{task.title}'")


def _find_visible_task(request, process_id: int, task_id: int) -> Task:
    entry = (
        InboxEntry.objects.select_related("task", "task__owner", "task__process", "child")
        .filter(task_id=task_id, task__process_id=process_id).first()
    )
    staff = staff_of(request.user)
    if entry is None or staff is None or entry.setting_id != staff.setting_id:
        raise Http404("No such task.")
    task = entry.task
    if task.flow_task.flow_class is not task.process.flow_class:  # a task of one flow under another's process
        raise Http404("No such task.")
    if not (task.owner_id == request.user.pk or task.flow_task.may_claim(request.user, entry)):
        child_for(request.user, entry.child_id)  # 404 unless the user may see the child's record
    if getattr(task.flow_task.flow_class, "special_category", False) and not may_see_sen(request.user, entry.child):
        raise Http404("No such task.")  # SEN steps: the child's key person(s), the SENCO and the manager only
    return task


def task_detail(request, process_id: int, task_id: int, **kwargs):
    task = _visible_task(request, process_id, task_id)
    node = task.flow_task
    form = None
    refused = None
    if request.method == "POST":
        try:
            services.task_complete(process_id=process_id, task_id=task_id, by=request.user, data=request.POST)
        except services.FormInvalid:
            form = node.form_class(data=request.POST, **node.form_kwargs(task))
            form.is_valid()
        except RuleViolation as exc:
            if exc.field and exc.status_code == 400:
                form = node.form_class(data=request.POST, **node.form_kwargs(task))
                if form.is_valid() and exc.field in form.fields:
                    form.add_error(exc.field, exc.message)
                else:
                    messages.error(request, exc.message)
            else:
                # Someone else got there first, or may not act: say so on the task page, with the status code.
                messages.error(request, exc.message)
                refused = exc.status_code
        else:
            messages.success(request, f"Done: {task.title}.")
            return redirect("inbox")
        task.refresh_from_db()
    if form is None:
        form = node.form_class(**node.form_kwargs(task))
    if request.method == "GET":
        audit_task_read(request, task)
    context = task_context(task)
    status = refused or (400 if request.method == "POST" and form.errors else 200)
    return render(request, "workflows/task.html", {
        "task": task, "form": form, "context": context,
        "may_act": task.owner_id in (None, request.user.pk) and task.status in services.OPEN,
        # A finished step shows what was decided, by whom and when, not its form.
        "step": task_step(task) if task.status not in services.OPEN else None,
    }, status=status)


def _task_action(request, process_id: int, task_id: int, service, done: str):
    _visible_task(request, process_id, task_id)
    try:
        service(process_id=process_id, task_id=task_id, by=request.user)
        messages.success(request, done)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    return redirect("inbox")


@require_POST
def task_claim(request, process_id: int, task_id: int):
    return _task_action(request, process_id, task_id, services.task_claim, "The task is yours.")


@require_POST
def task_release(request, process_id: int, task_id: int):
    return _task_action(request, process_id, task_id, services.task_release, "You gave the task back.")


def child_timeline_page(request, pk: int):
    child = child_read(user=request.user, pk=pk, what="timeline")
    return render(request, "workflows/child_timeline.html",
                  {"child": child, "timeline": child_timeline(child, user=request.user)})


def dashboard(request):
    staff = staff_of(request.user)
    if staff is None or not staff.is_manager:
        raise PermissionDenied("The dashboard is for the setting's manager.")
    board = manager_dashboard(setting_id=staff.setting_id)
    rooms = register_day(staff.setting, timezone.localdate())
    charts = dashboard_charts(setting_id=staff.setting_id, caseloads=board.caseloads)
    return render(request, "workflows/dashboard.html", {
        "board": board, "setting": staff.setting, "register_rooms": rooms, "charts": charts,
        "register_all_well": not any(r.needs_attention or r.breaches for r in rooms)})
