from __future__ import annotations

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from processes.errors import RuleViolation


def exception_handler(exc, context):
    """A broken rule is an answer, not a 500: the service's own message, with its status code."""
    if isinstance(exc, RuleViolation):
        body = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=exc.status_code)
    return drf_exception_handler(exc, context)
