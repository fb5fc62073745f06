"""The read every step, claim and release starts with: the task and its process, locked, with the child and room.

Written as SQL by hand because it runs on every click that changes a task: through the ORM, building and
compiling the five-table select_related queryset took longer in Python than PostgreSQL takes to answer it
(scripts/bench.py). The statement is the same text on every call, so with KEYFLOW_DB_PREPARED PostgreSQL
prepares it once per connection and stops planning it. tests/test_hot_reads.py compares what it gives with the
queryset it stands for:

    Task.objects.select_related("process__childprocess__child__room", "process__childprocess__child__setting")
        .select_for_update(of=("process", "self")).filter(pk=task_id, process_id=process_id)
"""

from __future__ import annotations

from django.db import connection, transaction
from viewflow.workflow.models import Process, Task

from processes.models import Child, Room, Setting

from .models import ChildProcess
from .rows import Columns

TASK = Columns(Task, "task")
PROCESS = Columns(Process, "process")
CHILD_PROCESS = Columns(ChildProcess, "cp")  # its own columns; the process's are PROCESS's
CHILD = Columns(Child, "child")
ROOM = Columns(Room, "room")
SETTING = Columns(Setting, "setting")  # its open days: the next step's deadline (processes.deadlines)

# Every Keyflow process is a ChildProcess about one child (workflows.base); a child may have no room.
TASK_WITH_ITS_CHILD = f"""
    SELECT {TASK.sql}, {PROCESS.sql}, {CHILD_PROCESS.sql}, {CHILD.sql}, {ROOM.sql}, {SETTING.sql}
      FROM viewflow_task task
      JOIN viewflow_process process ON process.id = task.process_id
      JOIN workflows_childprocess cp ON cp.process_ptr_id = process.id
      JOIN processes_child child ON child.id = cp.child_id
      LEFT JOIN processes_room room ON room.id = child.room_id
      JOIN processes_setting setting ON setting.id = child.setting_id
     WHERE task.id = %s AND task.process_id = %s"""

# The process row is the lock of viewflow's select_for_update_lock (every flow's lock_impl); the task row is
# locked with it so that PostgreSQL hands back its latest committed version once the lock is ours. SQLite
# has no row locks: its write lock is taken at BEGIN (IMMEDIATE, keyflow.settings).
LOCKED = " FOR UPDATE OF task, process"


def task_read_locked(*, task_id: int, process_id: int) -> Task | None:
    """The task of that process, its process row and its own row locked until the transaction ends, with
    `task.process.childprocess.child.room` and `.setting` loaded; None if there is no such task of that process."""
    if transaction.get_autocommit():
        # As the ORM refuses select_for_update outside a transaction (the lock would go at once), and on
        # SQLite too, so the mistake shows in development.
        raise transaction.TransactionManagementError("A locked read needs a transaction.")
    sql = TASK_WITH_ITS_CHILD + (LOCKED if connection.vendor == "postgresql" else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, [task_id, process_id])
        row = cursor.fetchone()
    if row is None:
        return None
    values = iter(row)
    task = TASK.load(values, connection)
    process = PROCESS.load(values, connection)
    child_process = CHILD_PROCESS.load(values, connection, parent=process)
    child = CHILD.load(values, connection)
    room = ROOM.load(values, connection)
    setting = SETTING.load(values, connection)
    # The relations, set as select_related sets them: reading them sends no query.
    task.process = process
    process.childprocess = child_process
    child_process.child = child
    child.room = room
    child.setting = setting
    return task
