"""Records that the workflows write (meetings, "all about me", settling-in, the SEN records), read-only here.

Every model of the app without an admin page of its own gets one, scoped by whichever way it reaches its
setting: directly, through its child, or through the record it hangs off (an SEN observation through its
concern's child, a target's progress through its review, plan, concern and child). A model with no way to a
setting is for superusers only.
"""

from __future__ import annotations

from functools import reduce

from django.apps import apps
from django.contrib import admin
from django.db import models

from ..models import ChildGuardian, Setting
from .base import VIEW, KeyflowAdmin

# How far up the foreign keys to look for the setting: a target's progress is the farthest (progress →
# review → plan → concern → child → setting).
MAX_DEPTH = 6


def setting_path(model: type[models.Model]) -> list[str] | None:
    """The shortest chain of required foreign keys from ``model`` to its Setting, e.g. ["concern", "child"]
    (the setting then being ``concern__child__setting_id``); None when there is none.

    Only non-null keys count: a record scoped through an optional key would vanish from its own setting's
    lists when the key is empty.
    """
    frontier: list[tuple[type[models.Model], list[str]]] = [(model, [])]
    for _ in range(MAX_DEPTH):
        following = []
        for current, path in frontier:
            keys = [f for f in current._meta.fields if f.many_to_one or f.one_to_one]
            for key in keys:
                if key.null or not key.concrete:
                    continue
                if key.related_model is Setting:
                    return [*path, key.name]
                following.append((key.related_model, [*path, key.name]))
        frontier = following
    return None


class WorkflowRecordAdmin(KeyflowAdmin):
    """Records that a workflow's task writes: shown, never edited here, so the task, its deadline and its
    audit row stay the one way they change."""

    audit_reads = True

    manager_can = superuser_can = frozenset({VIEW})
    list_display = ("__str__",)
    # The chain of keys from the record to its setting (see setting_path); set per model.
    path_to_setting: tuple[str, ...] = ()

    def get_actions(self, request):
        return {}

    def setting_id_of(self, obj) -> int | None:
        *hops, last = self.path_to_setting
        holder = reduce(getattr, hops, obj)
        return getattr(holder, f"{last}_id")


def admin_for(model: type[models.Model]) -> type[WorkflowRecordAdmin]:
    path = setting_path(model)
    attrs: dict = {"__module__": __name__}
    if path is None:
        attrs.update(setting_lookup=None, manager_can=frozenset())
    else:
        attrs.update(setting_lookup="__".join(path) + "_id", path_to_setting=tuple(path))
        # A record reached through its child is found by the child's name.
        child_at = next((i for i, hop in enumerate(path) if hop == "child"), None)
        if child_at is not None:
            child = "__".join(path[:child_at + 1])
            attrs["search_fields"] = (f"{child}__first_name", f"{child}__last_name")
            attrs["list_select_related"] = (child,)
    return type(f"{model.__name__}Admin", (WorkflowRecordAdmin,), attrs)


def register_the_rest() -> None:
    """Every other model of the app, read-only and scoped to its setting.

    New models get an admin page the day they land, and one that leaks nothing.
    """
    for model in apps.get_app_config("processes").get_models():
        if admin.site.is_registered(model) or model is ChildGuardian:
            continue
        admin.site.register(model, admin_for(model))
