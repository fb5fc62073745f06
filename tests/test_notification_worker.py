"""A real Celery worker, against the local Redis, delivers a notification. Skipped when Redis is not there."""

from __future__ import annotations

import os
import time

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from notifications import services, tasks  # noqa: F401  (registers the shared tasks)
from notifications.models import Kind, Notification, Status

from .factories import ChildFactory, ChildGuardianFactory

REDIS_URL = os.environ.get("KEYFLOW_TEST_REDIS_URL", "redis://127.0.0.1:6379/6")


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_a_queued_notification(setting, room):
    _redis_or_skip()
    from celery import Celery
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    # A Celery app of its own on Redis, not eager: the shared tasks register on it too.
    app = Celery("keyflow-test", broker=REDIS_URL, set_as_current=False)
    app.conf.update(task_always_eager=False, task_acks_late=True, task_ignore_result=True,
                    broker_connection_retry_on_startup=False, task_default_queue="keyflow-test-notifications")
    child = ChildFactory(setting=setting, room=room)
    link = ChildGuardianFactory(child=child)
    # The row only, without the eager enqueue that saving it through the service would do: the worker sends it.
    Notification.objects.bulk_create(services.for_guardian(
        link.guardian, kind=Kind.CONSENT_REQUESTED, event="worker-test", setting_id=setting.pk, now=timezone.now(),
        subject="Your consent", child_id=child.pk, refs={"child": child.first_name, "purpose": "SENCO observation"}))
    notification = Notification.objects.get(recipient_guardian=link.guardian, kind=Kind.CONSENT_REQUESTED)
    assert notification.status == Status.QUEUED

    # The worker's thread has its own database connection: closed after each task so the test database can go.
    def close_connection(**kwargs):
        connection.close()

    task_postrun.connect(close_connection, weak=False)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = app.tasks["notifications.tasks.notification_send"].apply_async(
            kwargs={"notification_id": notification.pk})
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            notification.refresh_from_db()
            if notification.status == Status.SENT:
                break
            time.sleep(0.2)
    task_postrun.disconnect(close_connection)
    assert result.id
    assert notification.status == Status.SENT
    assert [m.to for m in mail.outbox] == [[link.guardian.email]]
