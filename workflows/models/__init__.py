"""Workflow models, a module per subject: the child's process and its kinds (process), each flow's own process
model where it keeps facts (sen, ...), and the inbox's table (inbox)."""
from .absence import AbsenceProcess
from .inbox import CHILD_COPIED, InboxEntry, inbox_copy_child, inbox_sync, node_title
from .injury import InjuryPatternProcess, SupervisionActionProcess
from .leaving import LeavingProcess
from .meetings import MeetingProcess, TwoYearCheckProcess
from .process import FINISHED, OPEN, ChildProcess, ProcessKind, TaskRole
from .sen import SenProcess, SenProcessFacts, SentBackFrom
from .transitions import KeyPersonChangeProcess, RoomMoveProcess

__all__ = [
    "AbsenceProcess", "CHILD_COPIED", "ChildProcess", "FINISHED", "InboxEntry", "InjuryPatternProcess",
    "KeyPersonChangeProcess", "LeavingProcess", "MeetingProcess", "OPEN", "ProcessKind", "RoomMoveProcess",
    "SenProcess", "SenProcessFacts", "SentBackFrom", "SupervisionActionProcess", "TaskRole", "TwoYearCheckProcess",
    "inbox_copy_child", "inbox_sync", "node_title",
]
