"""What the OpenAPI schema (/api/schema/) says the API answers besides its data: refusals and pages.

Every response the API gives is described, so a client (and the fuzz in tests/test_api_fuzz.py) can check it.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ERROR = inline_serializer("Error", {
    "detail": serializers.CharField(help_text="What was wrong, in plain words. Nothing was changed."),
    "field": serializers.CharField(required=False, help_text="The field at fault, when there is one."),
    "errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False,
                                    help_text="A form's messages, field by field."),
})

# The refusals every endpoint may give (keyflow.api_errors, processes.errors).
ERRORS = {
    400: OpenApiResponse(ERROR, description="Malformed input or a broken rule; nothing was changed."),
    401: OpenApiResponse(ERROR, description="Not logged in."),
    403: OpenApiResponse(ERROR, description="Not allowed."),
    404: OpenApiResponse(ERROR, description="No such record, or not one this user may see."),
    409: OpenApiResponse(ERROR, description="Someone else changed it first; nothing was changed."),
}


def paginated(name: str, item: type[serializers.Serializer]) -> serializers.Serializer:
    """A page of DRF's LimitOffsetPagination (settings.REST_FRAMEWORK) holding `item`s."""
    return inline_serializer(name, {
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": item(many=True),
    })
