"""What every child workflow shares: its process row points at the child, and it starts through one door."""

from __future__ import annotations

from typing import ClassVar

from django.db import IntegrityError, transaction

from processes.errors import Conflict
from processes.models import Child

from .models import ChildProcess, ProcessKind


class ChildFlowMixin:
    kind: ClassVar[ProcessKind]

    def start_process(self, activation, child: Child, by=None):
        process = activation.process
        process.child = child
        process.setting_id = child.setting_id
        process.kind = self.kind
        return process


def process_start(*, flow_class, child: Child, by=None, **start_data) -> ChildProcess:
    """Start `flow_class` for `child`, refusing a second open process of the same kind."""
    try:
        with transaction.atomic():
            return flow_class.start.run(child=child, by=by, **start_data)
    except IntegrityError:
        if ChildProcess.objects.filter(child=child, open_kind=flow_class.kind).exists():
            kind = getattr(flow_class.kind, "label", flow_class.kind)
            raise Conflict(f"{child} already has an open {str(kind).lower()}.") from None
        raise
