"""Celery tasks: each loads its data and calls the code that does the work. Enqueued only after commit."""

from __future__ import annotations

from celery import shared_task

from .letters import key_persons_letter_send


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_parents_key_persons(self, *, child_id: int) -> int:
    return key_persons_letter_send(child_id=child_id)


@shared_task
def reroute_key_person_tasks() -> int:
    """Hourly: hand key-person tasks to the secondary while the key person is away, and back on return."""
    from workflows.routing import tasks_reroute

    return tasks_reroute()


@shared_task
def purge_expired_records() -> int:
    """Nightly: delete records past their retention period (processes.retention); returns how many children."""
    from processes.services import retention_purge

    return len(retention_purge())
