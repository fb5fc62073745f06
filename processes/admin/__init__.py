"""The Django admin for Keyflow's records, held to the same rules as every other entry point.

Three things make it safe to hand to a nursery manager:

* Scoping. A manager (``is_staff`` with a manager's Staff profile) sees only their own setting's records in
  every list, every change page and every foreign-key choice; anybody else's record is "not found". Children
  come from ``access.children_visible_to``, the queryset every view starts from. Superusers see everything.
* Writes go through ``processes.services``. Registering and changing a child, assigning and ending key persons,
  recording consent and staff absence, linking a parent, staff, rooms, the setting and every lifecycle step
  call the same service a view would, so the rules, the audit row and the signals the workflows listen to are
  the same. A refusal (RuleViolation, NotPermitted, Conflict) is shown on the form or as a message and nothing
  is written (refusals.py).
* History stays whole. Key person assignments, consents and audit events are never changed or deleted here;
  children are never deleted (the retention purge is a service of its own).

Permissions come from Keyflow's roles, not from Django's per-model permissions: giving a key person
``is_staff`` and "view child" must not let them read every child of the setting (access.py says they see only
their key children), so outside superusers only the setting's manager gets anything in the admin.

One module per subject; workflow_records registers whatever is left, so it is imported last.
"""

from __future__ import annotations

from . import audit, children, keypersons, organisation, records, staff  # noqa: F401  (they register)
from .base import ADD, CHANGE, DELETE, VIEW, KeyflowAdmin, SessionsField, is_superuser, managed_setting_id
from .refusals import ReasonForm, adopt
from .staff import staff_admin_action
from .workflow_records import register_the_rest

register_the_rest()

__all__ = [
    "ADD", "CHANGE", "DELETE", "VIEW", "KeyflowAdmin", "ReasonForm", "SessionsField", "adopt", "is_superuser",
    "managed_setting_id", "staff_admin_action",
]
