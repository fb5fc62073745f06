"""The template side of processes.dates, loaded everywhere (settings: TEMPLATES builtins): `{{ d|day }}`,
`{{ due_at|when }}`, `{{ months|age }}`."""

from __future__ import annotations

from django import template

from processes import dates

register = template.Library()


@register.filter
def day(value):
    return dates.day_text(value)


@register.filter
def when(value):
    return dates.when_text(value)


@register.filter
def age(months):
    return dates.age_in_words(months) if months is not None else ""
