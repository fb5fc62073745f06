"""Exactly once as the recipient sees it: duplicates never sent, failures retried then shown, never dropped."""

from __future__ import annotations

import datetime as dt
import smtplib
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from notifications import parents, sending, services
from notifications.models import Kind, Notification, Status
from notifications.tasks import notification_send, notifications_deliver
from processes.models import ConsentPurpose

from .factories import ChildGuardianFactory


def _queued_letter(child) -> Notification:
    link = ChildGuardianFactory(child=child)
    parents.consent_request_send(child=child, purpose=ConsentPurpose.PHOTOGRAPHS)
    return Notification.objects.get(recipient_guardian=link.guardian, kind=Kind.CONSENT_REQUESTED)


class FailingBackend:
    """A mail server that refuses every message."""

    calls = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        FailingBackend.calls += 1
        raise smtplib.SMTPServerDisconnected("mail server went away")


def test_asking_for_the_same_consent_twice_the_same_day_keeps_one_notification(child):
    first = _queued_letter(child)
    parents.consent_request_send(child=child, purpose=ConsentPurpose.PHOTOGRAPHS)
    assert Notification.objects.filter(kind=Kind.CONSENT_REQUESTED).count() == 1
    assert Notification.objects.get().pk == first.pk


def test_a_send_task_retried_after_the_send_succeeded_sends_nothing_more(child):
    notification = _queued_letter(child)
    assert notification_send.delay(notification_id=notification.pk).get() is True
    assert notification_send.delay(notification_id=notification.pk).get() is False  # the redelivered message
    notifications_deliver.delay(keys=[notification.dedupe_key]).get()
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.status == Status.SENT and notification.attempts == 1 and "photographs" in notification.body


@pytest.fixture
def eager_retries():
    """Eager Celery runs a retry at once, but only when it does not propagate the Retry to the caller."""
    conf = notification_send.app.conf
    before = conf.task_eager_propagates
    conf.task_eager_propagates = False
    yield
    conf.task_eager_propagates = before


def test_a_failing_mail_server_is_retried_then_the_notification_is_shown_as_failed(
    child, settings, django_capture_on_commit_callbacks, eager_retries
):
    settings.EMAIL_BACKEND = "tests.test_notification_delivery.FailingBackend"
    FailingBackend.calls = 0
    notification = _queued_letter(child)
    with django_capture_on_commit_callbacks(execute=True):
        notifications_deliver.delay(keys=[notification.dedupe_key]).get()
    notification.refresh_from_db()
    # one attempt from the batch, then the send task's own attempts with backoff (eager here)
    assert FailingBackend.calls == 1 + notification_send.max_retries + 1
    assert notification.status == Status.FAILED and notification.attempts == FailingBackend.calls
    assert "mail server went away" in notification.last_error


def test_a_failed_notification_can_be_sent_again_by_the_manager(
    child, manager, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.test_notification_delivery.FailingBackend"
    notification = _queued_letter(child)
    sending.notification_send(notification_id=notification.pk, final_attempt=True)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_retry(notification_id=notification.pk, by=manager.user)
    notification.refresh_from_db()
    assert notification.status == Status.SENT and len(mail.outbox) == 1


def test_a_row_claimed_by_a_worker_that_died_is_sent_after_the_lease(child):
    notification = _queued_letter(child)
    stale = timezone.now() - sending.CLAIM_LEASE * 2
    Notification.objects.filter(pk=notification.pk).update(status=Status.SENDING, claimed_at=stale)
    assert sending.notification_send(notification_id=notification.pk) is True
    Notification.objects.filter(pk=notification.pk).update(status=Status.SENDING, claimed_at=timezone.now())
    assert sending.notification_send(notification_id=notification.pk) is False  # a live claim is respected


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_notification_at_once_send_it_once(setting, room):
    from .factories import ChildFactory

    child = ChildFactory(setting=setting, room=room)
    notification = _queued_letter(child)  # committed, so eager Celery has sent it already: queue it again
    Notification.objects.filter(pk=notification.pk).update(status=Status.QUEUED, attempts=0)
    mail.outbox.clear()
    barrier = threading.Barrier(2)
    results = []

    def worker():
        barrier.wait()
        try:
            results.append(sending.notification_send(notification_id=notification.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, True]
    assert len(mail.outbox) == 1
    assert Notification.objects.get(pk=notification.pk).status == Status.SENT


def test_an_email_whose_queue_message_was_lost_is_sent_by_the_resend_sweep(child, django_capture_on_commit_callbacks):
    from notifications.sweeps import resend_sweep

    notification = _queued_letter(child)  # its Celery message never ran (the test's transaction never commits)
    assert resend_sweep() == 0  # too fresh: its message may still be on its way
    later = timezone.now() + dt.timedelta(minutes=6)
    with django_capture_on_commit_callbacks(execute=True):
        assert resend_sweep(now=later) == 1
    notification.refresh_from_db()
    assert notification.status == Status.SENT and len(mail.outbox) == 1
