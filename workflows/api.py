"""The JSON API of the inbox and the tasks: the same selectors, services and refusals as the pages."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from . import services
from .context import task_context
from .inbox import InboxFilter, inbox_entries, inbox_row_of, inbox_rows
from .views import _int, _visible_task, audit_task_read


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


@extend_schema(
    parameters=[OpenApiParameter("child", int), OpenApiParameter("process", str), OpenApiParameter("room", int)],
    responses=TaskSerializer(many=True),
    summary="My inbox: tasks assigned to me and unassigned tasks I may claim, soonest due first.",
)
@api_view(["GET"])
def task_list(request):
    filters = InboxFilter(child_id=_int(request.query_params.get("child")),
                          kind=request.query_params.get("process") or None,
                          room_id=_int(request.query_params.get("room")))
    from rest_framework.pagination import LimitOffsetPagination

    paginator = LimitOffsetPagination()
    page = paginator.paginate_queryset(inbox_entries(request.user, filters), request)
    return paginator.get_paginated_response(TaskSerializer(inbox_rows(page, request.user), many=True).data)


@extend_schema(
    responses=inline_serializer("TaskDetail", {
        "task": TaskSerializer(), "context": serializers.DictField(), "form": serializers.DictField(),
    }),
    summary="One task: the child's context the step needs, the process so far, and the form's fields.",
)
@api_view(["GET"])
def task_detail(request, process_id: int, task_id: int):
    task = _visible_task(request, process_id, task_id)
    audit_task_read(request, task)
    context = task_context(task)
    form = task.flow_task.form_class(**task.flow_task.form_kwargs(task))
    return Response({
        "task": TaskSerializer(inbox_row_of(task.inbox)).data,
        "context": dict(context.facts),
        "history": [{"title": t.title, "status": t.status, "by": t.owner.username if t.owner else None,
                     "finished": t.finished} for t in context.history],
        "form": {name: {**_field_description(f), "initial": form.initial.get(name, f.initial)}
                 for name, f in form.fields.items()},
    })


def _reply(task) -> Response:
    task.refresh_from_db()
    return Response(TaskSerializer(inbox_row_of(task.inbox)).data)


@extend_schema(request=None, responses=TaskSerializer, summary="Take an unassigned task.")
@api_view(["POST"])
def task_claim(request, process_id: int, task_id: int):
    _visible_task(request, process_id, task_id)
    return _reply(services.task_claim(process_id=process_id, task_id=task_id, by=request.user))


@extend_schema(request=None, responses=TaskSerializer, summary="Give a task back to its queue.")
@api_view(["POST"])
def task_release(request, process_id: int, task_id: int):
    _visible_task(request, process_id, task_id)
    return _reply(services.task_release(process_id=process_id, task_id=task_id, by=request.user))


@extend_schema(
    request=inline_serializer("TaskCompletion", {"any_form_field": serializers.CharField(required=False)}),
    responses=TaskSerializer,
    summary="Complete a task with its form's fields (see the task detail); the same validation as the page.",
)
@api_view(["POST"])
def task_complete(request, process_id: int, task_id: int):
    _visible_task(request, process_id, task_id)
    try:
        task = services.task_complete(process_id=process_id, task_id=task_id, by=request.user, data=request.data)
    except services.FormInvalid as exc:
        return Response({"detail": exc.message, "errors": exc.errors}, status=400)
    return _reply(task)
