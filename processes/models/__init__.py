from .audit import AuditEvent
from .children import Child, ChildGuardian, Guardian, LifecycleState
from .consent import Consent, ConsentMethod, ConsentPurpose, ConsentStatus
from .keyperson import AssignmentRole, KeyPersonAssignment
from .organisation import Organisation, Room, Setting
from .staff import Staff, StaffAbsence

__all__ = [
    "AssignmentRole",
    "AuditEvent",
    "Child",
    "ChildGuardian",
    "Consent",
    "ConsentMethod",
    "ConsentPurpose",
    "ConsentStatus",
    "Guardian",
    "KeyPersonAssignment",
    "LifecycleState",
    "Organisation",
    "Room",
    "Setting",
    "Staff",
    "StaffAbsence",
]
