from __future__ import annotations


class RuleViolation(Exception):
    """A request that breaks one of Keyflow's rules. The message is shown to the user as it is."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotPermitted(RuleViolation):
    status_code = 403


class Conflict(RuleViolation):
    """Somebody else got there first, or the record is being changed right now: nothing was written."""

    status_code = 409
