from .audit import AuditEvent
from .children import Child, ChildGuardian, Guardian, LifecycleState
from .consent import Consent, ConsentMethod, ConsentPurpose, ConsentStatus
from .keyperson import AssignmentRole, KeyPersonAssignment
from .organisation import Organisation, Room, Setting
from .retention import AccidentRecord, LegalHold, PassedOnKind, RecordsPassedOn
from .records import AllAboutMe, MeetingKind, ParentMeeting, SettlingOutcome, SettlingReview, SettlingSession
from .staff import Staff, StaffAbsence

__all__ = [
    "AccidentRecord",
    "LegalHold",
    "PassedOnKind",
    "RecordsPassedOn",
    "AllAboutMe",
    "MeetingKind",
    "ParentMeeting",
    "SettlingOutcome",
    "SettlingReview",
    "SettlingSession",
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
