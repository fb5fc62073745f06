from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from viewflow.workflow.models import Task

from processes.access import child_for, staff_of
from processes.errors import Conflict, RuleViolation
from processes.models import Room
from processes.services import audit_record

from . import services
from .context import task_context
from .dashboard import manager_dashboard
from .inbox import KIND_CHOICES, InboxFilter, inbox_entries, is_overdue
from .models import InboxEntry
from .timeline import child_timeline


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def inbox(request):
    filters = InboxFilter(
        child_id=_int(request.GET.get("child")),
        kind=request.GET.get("process") or None,
        room_id=_int(request.GET.get("room")),
    )
    page = Paginator(inbox_entries(request.user, filters), 50).get_page(request.GET.get("page"))
    staff = staff_of(request.user)
    rooms = Room.objects.filter(setting_id=staff.setting_id) if staff else Room.objects.none()
    return render(request, "workflows/inbox.html", {
        "page": page, "entries": [(e, is_overdue(e)) for e in page], "filters": filters,
        "kinds": KIND_CHOICES, "rooms": rooms,
    })


def _visible_task(request, process_id: int, task_id: int) -> Task:
    """The task, if it belongs to the process and the user may see it (theirs, claimable, or their child's)."""
    entry = (
        InboxEntry.objects.select_related("task", "task__owner", "task__process")
        .filter(task_id=task_id, task__process_id=process_id).first()
    )
    staff = staff_of(request.user)
    if entry is None or staff is None or entry.setting_id != staff.setting_id:
        raise Http404("No such task.")
    task = entry.task
    if task.owner_id == request.user.pk or task.flow_task.may_claim(request.user, entry):
        return task
    child_for(request.user, entry.child_id)  # 404 unless the user may see the child's record
    return task


def task_detail(request, process_id: int, task_id: int, **kwargs):
    task = _visible_task(request, process_id, task_id)
    node = task.flow_task
    form = None
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
                messages.error(request, exc.message)
                if isinstance(exc, Conflict):
                    return redirect("inbox")
        else:
            messages.success(request, f"Done: {task.title}.")
            return redirect("inbox")
        task.refresh_from_db()
    if form is None:
        form = node.form_class(**node.form_kwargs(task))
    context = task_context(task)
    candidates = None
    from .allocation import AllocationFlow

    if node is AllocationFlow.allocate:
        from processes.allocation import allocation_candidates

        candidates = allocation_candidates(child=context.child)
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "workflows/task.html", {
        "task": task, "form": form, "context": context, "candidates": candidates,
        "may_act": task.owner_id in (None, request.user.pk) and task.status in services.OPEN,
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
    child = child_for(request.user, pk)
    audit_record(actor=request.user, action="read", record=child, summary=f"Viewed {child.name}'s timeline")
    return render(request, "workflows/child_timeline.html", {"child": child, "timeline": child_timeline(child)})


def dashboard(request):
    staff = staff_of(request.user)
    if staff is None or not staff.is_manager:
        raise PermissionDenied("The dashboard is for the setting's manager.")
    board = manager_dashboard(setting_id=staff.setting_id)
    return render(request, "workflows/dashboard.html", {"board": board, "setting": staff.setting})
