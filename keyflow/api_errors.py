from __future__ import annotations

import logging

from django.db import DataError
from django.http import JsonResponse
from django.views.defaults import bad_request as page_bad_request
from django.views.defaults import page_not_found
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from processes.errors import RuleViolation


def exception_handler(exc, context):
    """A broken rule is an answer, not a 500: the service's own message, with its status code."""
    if isinstance(exc, RuleViolation):
        body = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=exc.status_code)
    if isinstance(exc, (DataError, OverflowError)):
        # The serializers (processes.api_input) should have refused it: a value the database cannot store is
        # still the client's input, so a 400 with nothing written, and a warning to find the missing check.
        logging.getLogger(__name__).warning("Input the API's serializers let through", exc_info=exc)
        set_rollback()
        return Response({"detail": "A value is out of range or not allowed. Nothing was changed."}, status=400)
    return drf_exception_handler(exc, context)


def not_found(request, exception=None):
    """A 404 under /api/ is JSON, like every other answer of the API (a path no route matches, e.g.
    /api/children/abc/sen/); elsewhere it is the site's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


def bad_request(request, exception=None):
    """A request Django refuses before any view (a body past DATA_UPLOAD_MAX_MEMORY_SIZE): JSON under /api/."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "The request is too large or malformed. Nothing was changed."}, status=400)
    return page_bad_request(request, exception)
