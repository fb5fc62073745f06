"""What the JSON API accepts, checked before any service or audit code runs.

Every endpoint passes its path ids, its query and its body through a DRF serializer built from these fields:
types, choices, sizes, ids within the database's range and no NUL bytes (PostgreSQL refuses them in text).
A refusal is a RuleViolation (400, naming the field) or, for an id, a 404 with the attempt audited as a read
of something that does not exist would be.
"""

from __future__ import annotations

from django.http import Http404, QueryDict
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .errors import RuleViolation
from .ids import DB_ID_MAX
from .services import audit_attempt

TEXT_MAX = 20_000
FORM_FIELDS_MAX = 100


class DbId(serializers.IntegerField):
    def __init__(self, **kwargs) -> None:
        super().__init__(min_value=1, max_value=DB_ID_MAX, **kwargs)


SCALAR = {"oneOf": [{"type": "string", "maxLength": TEXT_MAX}, {"type": "number"}, {"type": "boolean"}]}
FORM_VALUE = {"oneOf": [*SCALAR["oneOf"], {"type": "array", "items": SCALAR}], "nullable": True}
# The request body of a task's completion, as the OpenAPI schema gives it.
FORM_DATA = {"type": "object", "maxProperties": FORM_FIELDS_MAX, "additionalProperties": FORM_VALUE,
             "description": "The form's fields by name (see the task detail), as text, numbers, true/false or "
                            "lists of these."}


@extend_schema_field(FORM_VALUE)
class FormValue(serializers.Field):
    """One field of a task's form as JSON may give it: text, a number, true/false, null, or a list of these.

    Turned into what the same form posted from the page carries (text; a ticked box is "on"), so the API and
    the page share the form's validation to the letter.
    """

    default_error_messages = {
        "type": "Expected text, a number, true or false, or a list of these.",
        "nul": "Null characters are not allowed.",
        "long": f"Keep this under {TEXT_MAX} characters.",
    }

    def to_internal_value(self, data):
        if isinstance(data, list):
            return [self._scalar(item) for item in data]
        return self._scalar(data)

    def _scalar(self, value):
        if value is None:
            return None
        if isinstance(value, bool):
            return "on" if value else ""
        if isinstance(value, (int, float)):
            value = str(value)
        if not isinstance(value, str):
            self.fail("type")
        if "\x00" in value:
            self.fail("nul")
        if len(value) > TEXT_MAX:
            self.fail("long")
        return value

    def to_representation(self, value):
        return value


class FormData(serializers.DictField):
    """A task's form data: an object of FormValue, absent (null) values dropped."""

    def __init__(self, **kwargs) -> None:
        super().__init__(child=FormValue(), **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, (dict, QueryDict)) and len(data) > FORM_FIELDS_MAX:
            raise serializers.ValidationError(f"A form has at most {FORM_FIELDS_MAX} fields.")
        if isinstance(data, QueryDict):  # posted as a form: text already, each value checked, passed on as it is
            for key, values in data.lists():
                try:
                    [self.child.run_validation(value) for value in values]
                except serializers.ValidationError as exc:
                    raise serializers.ValidationError({key: exc.detail}) from None
            return data
        return {key: value for key, value in super().to_internal_value(data).items() if value is not None}


def _first_error(errors) -> tuple[str, str]:
    """The first message of DRF's nested errors, with the path to it ("areas", "areas.1")."""
    path = []
    while isinstance(errors, (dict, list)):
        if isinstance(errors, dict):
            key, errors = next(iter(errors.items()))
            path.append(str(key))
        else:
            errors = errors[0]
    return ".".join(path), str(errors)


def api_valid(serializer: serializers.Field | type[serializers.Serializer], data, *, field: str = ""):
    """`data` validated by a serializer (class) or a lone field, or a RuleViolation naming the field."""
    if isinstance(serializer, type):
        serializer = serializer(data=data)
        if serializer.is_valid():
            return serializer.validated_data
        errors = serializer.errors
    else:
        try:
            return serializer.run_validation(data)
        except serializers.ValidationError as exc:
            errors = exc.detail if isinstance(exc.detail, dict) or not field else {field: exc.detail}
    path, message = _first_error(errors)
    name = path.split(".")[0] or field
    name = "" if name == "non_field_errors" else name
    raise RuleViolation(f"{name}: {message}" if name else message, field=name or None)


def api_ids(request, *, record_type: str, record_id, what: str, **ids) -> None:
    """A 404, the attempt audited, when one of the path's ids could name no row (past the database's range).

    Refused before any query uses it: the audit row keeps the id as text, with no child.
    """
    for value in ids.values():
        try:
            DbId().run_validation(value)
        except serializers.ValidationError:
            shown = str(record_id)[:40]
            audit_attempt(user=request.user, action="read" if request.method in ("GET", "HEAD") else "write",
                          record_type=record_type, record_id=shown,
                          summary=f"Tried to open {what} #{shown}: no such record")
            raise Http404(f"No such {what}.") from None
