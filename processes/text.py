"""How long free text may be. Long enough for anything a practitioner writes about a child; short enough that
a paste gone wrong (an 11,000-character "reason" shown three times on a page) is refused with a message.

Forms set `max_length` from these so the browser and the form say it early; `text_length_check` is the rule
itself, run on every save of a domain record (processes.receivers), so a service, the admin, the API and a
command are all held to it.
"""

from __future__ import annotations

from django.db import models

from .errors import RuleViolation

LINE = 200  # a name, a place, who was there
REASON = 1_000  # a reason, a short note on a decision
ACCOUNT = 4_000  # an account: what was observed, said, planned or agreed


def too_long_message(label: str, length: int, limit: int) -> str:
    return f"{label[:1].upper()}{label[1:]} is too long: {length:,} characters, at most {limit:,}."


def text_length_check(instance: models.Model) -> None:
    """Refuse a record whose text is longer than its field allows (a TextField: ACCOUNT). SQLite does not
    enforce a column's length, and a TextField has none: this is where the limit holds."""
    for field in instance._meta.concrete_fields:
        if not isinstance(field, (models.CharField, models.TextField)) or field.choices:
            continue
        value = getattr(instance, field.attname)
        limit = field.max_length or ACCOUNT
        if isinstance(value, str) and len(value) > limit:
            raise RuleViolation(too_long_message(str(field.verbose_name), len(value), limit), field=field.name)


def text_fields_limited(form, limit: int = ACCOUNT) -> None:
    """Give every free-text field of `form` that has no length limit this one (a ModelForm's TextFields have
    none): the browser stops typing at it and the form says so before the service would."""
    from django import forms
    from django.core.validators import MaxLengthValidator

    for form_field in form.fields.values():
        if isinstance(form_field, forms.CharField) and form_field.max_length is None:
            form_field.max_length = limit
            form_field.validators.append(MaxLengthValidator(limit))
            form_field.widget.attrs["maxlength"] = str(limit)
