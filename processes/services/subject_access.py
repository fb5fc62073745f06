from __future__ import annotations

from ..models import Child
from ..subject_access import export_zip
from .audit import audit_record
from .children import _require_manager


def child_subject_access_export(*, child: Child, by) -> bytes:
    """Everything held about the child, as a zip of JSON and HTML. The manager's to give; every export audited."""
    _require_manager(by, child.setting_id, "export a child's records")
    archive = export_zip(child)
    audit_record(actor=by, action="export", record=child,
                 summary="Exported everything held about the child (subject access request)",
                 changes={"bytes": len(archive)})
    return archive
