"""The JSON API of the inbox and the tasks: the same selectors, services and refusals as the pages."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response

from processes.api_input import DB_ID_MAX, FORM_DATA, DbId, FormData, api_ids, api_valid
from processes.api_schema import ERRORS, paginated

from . import services
from .context import task_context
from .inbox import KIND_CHOICES, InboxFilter, inbox_entries, inbox_row_of, inbox_rows
from .views import _visible_task, audit_task_read


class TaskSerializer(serializers.Serializer):
    """A task as the inbox lists it (workflows.inbox.InboxRow)."""

    process_id = serializers.IntegerField()
    task_id = serializers.IntegerField()
    title = serializers.CharField()
    process = serializers.CharField(source="kind")
    status = serializers.CharField()
    owner = serializers.CharField(allow_null=True)
    role = serializers.CharField()
    child_id = serializers.IntegerField()
    child = serializers.CharField(source="child_name")
    room = serializers.SerializerMethodField()
    due_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField()

    def get_room(self, row) -> str | None:
        return row.room_name or None


def _field_description(field) -> dict:
    out = {"label": str(field.label or ""), "required": field.required, "type": type(field).__name__}
    if getattr(field, "choices", None) is not None and not hasattr(field, "queryset"):
        out["choices"] = [[str(k), str(v)] for k, v in field.choices]
    if hasattr(field, "queryset"):
        out["choices"] = [[obj.pk, str(obj)] for obj in field.queryset]
    if field.help_text:
        out["help_text"] = str(field.help_text)
    return out


class TaskListQuery(serializers.Serializer):
    child = DbId(required=False, help_text="Only this child's tasks.")
    process = serializers.ChoiceField(choices=KIND_CHOICES, required=False, help_text="Only this kind of process.")
    room = DbId(required=False, help_text="Only the tasks of children in this room.")
    limit = serializers.IntegerField(min_value=1, max_value=500, required=False, help_text="Rows a page (50).")
    offset = serializers.IntegerField(min_value=0, max_value=DB_ID_MAX, required=False,
                                      help_text="Rows to skip.")


def _task_ids(request, process_id: int, task_id: int) -> None:
    api_ids(request, record_type="viewflow.Task", record_id=task_id, what="task",
            process_id=process_id, task_id=task_id)


@extend_schema(
    parameters=[TaskListQuery],
    responses={200: paginated("PaginatedTaskList", TaskSerializer), **ERRORS},
    summary="My inbox: tasks assigned to me and unassigned tasks I may claim, soonest due first.",
)
@api_view(["GET"])
def task_list(request):
    query = api_valid(TaskListQuery, request.query_params)
    filters = InboxFilter(child_id=query.get("child"), kind=query.get("process"), room_id=query.get("room"))
    paginator = LimitOffsetPagination()
    page = paginator.paginate_queryset(inbox_entries(request.user, filters), request)
    return paginator.get_paginated_response(TaskSerializer(inbox_rows(page, request.user), many=True).data)


@extend_schema(
    responses={200: inline_serializer("TaskDetail", {
        "task": TaskSerializer(),
        "context": serializers.DictField(child=serializers.CharField()),
        "history": inline_serializer("TaskHistory", {
            "title": serializers.CharField(), "status": serializers.CharField(),
            "by": serializers.CharField(allow_null=True), "finished": serializers.DateTimeField(allow_null=True),
        }, many=True),
        "form": serializers.DictField(child=serializers.DictField()),
    }), **ERRORS},
    summary="One task: the child's context the step needs, the process so far, and the form's fields.",
)
@api_view(["GET"])
def task_detail(request, process_id: int, task_id: int):
    _task_ids(request, process_id, task_id)
    task = _visible_task(request, process_id, task_id)
    audit_task_read(request, task)
    context = task_context(task)
    form = task.flow_task.form_class(**task.flow_task.form_kwargs(task))
    return Response({
        "task": TaskSerializer(inbox_row_of(task.inbox)).data,
        "context": dict(context.facts),
        "history": [{"title": step.title, "status": step.task.status,
                     "by": step.task.owner.username if step.task.owner else None, "finished": step.task.finished,
                     "outcome": dict(step.outcome)} for step in context.history],
        "form": {name: {**_field_description(f), "initial": form.initial.get(name, f.initial)}
                 for name, f in form.fields.items()},
    })


def _reply(task) -> Response:
    task.refresh_from_db()
    return Response(TaskSerializer(inbox_row_of(task.inbox)).data)


@extend_schema(request=None, responses={200: TaskSerializer, **ERRORS}, summary="Take an unassigned task.")
@api_view(["POST"])
def task_claim(request, process_id: int, task_id: int):
    _task_ids(request, process_id, task_id)
    _visible_task(request, process_id, task_id)
    return _reply(services.task_claim(process_id=process_id, task_id=task_id, by=request.user))


@extend_schema(request=None, responses={200: TaskSerializer, **ERRORS}, summary="Give a task back to its queue.")
@api_view(["POST"])
def task_release(request, process_id: int, task_id: int):
    _task_ids(request, process_id, task_id)
    _visible_task(request, process_id, task_id)
    return _reply(services.task_release(process_id=process_id, task_id=task_id, by=request.user))


@extend_schema(
    request={"application/json": FORM_DATA},
    responses={200: TaskSerializer, **ERRORS},
    summary="Complete a task with its form's fields (see the task detail); the same validation as the page.",
)
@api_view(["POST"])
def task_complete(request, process_id: int, task_id: int):
    _task_ids(request, process_id, task_id)
    data = api_valid(FormData(), request.data, field="form")
    _visible_task(request, process_id, task_id)
    try:
        task = services.task_complete(process_id=process_id, task_id=task_id, by=request.user, data=data)
    except services.FormInvalid as exc:
        return Response({"detail": exc.message, "errors": exc.errors}, status=400)
    return _reply(task)
