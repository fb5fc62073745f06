"""Workflow models, a module per subject: the child's process and its kinds (process), each flow's own process
model where it keeps facts (sen, ...), and the inbox's table (inbox)."""
from .inbox import CHILD_COPIED, InboxEntry, inbox_copy_child, inbox_sync, node_title
from .meetings import MeetingProcess, TwoYearCheckProcess
from .process import FINISHED, OPEN, ChildProcess, ProcessKind, TaskRole
from .sen import SenProcess, SenProcessFacts, SentBackFrom
from .transitions import KeyPersonChangeProcess, RoomMoveProcess

__all__ = [
    "CHILD_COPIED", "FINISHED", "OPEN", "ChildProcess", "InboxEntry", "KeyPersonChangeProcess", "MeetingProcess",
    "RoomMoveProcess", "TwoYearCheckProcess", "ProcessKind", "SenProcess",
    "SenProcessFacts", "SentBackFrom", "TaskRole", "inbox_copy_child", "inbox_sync", "node_title",
]
