"""The only way Keyflow's records change. Views, the API, the admin, Celery tasks and commands call these."""

from .audit import audit_record
from .children import child_register, child_update, guardian_link
from .consent import consent_in_force, consent_record
from .keyperson import key_person_assign, key_person_end
from .lifecycle import child_transition
from .retention import legal_hold_lift, legal_hold_place, records_pass_on, retention_purge
from .subject_access import child_subject_access_export
from .staff import staff_absence_record, staff_absent_on

__all__ = [
    "audit_record",
    "child_register",
    "child_subject_access_export",
    "child_transition",
    "child_update",
    "consent_in_force",
    "consent_record",
    "guardian_link",
    "key_person_assign",
    "key_person_end",
    "legal_hold_lift",
    "legal_hold_place",
    "records_pass_on",
    "retention_purge",
    "staff_absence_record",
    "staff_absent_on",
]
