"""The user's notifications page and the manager's "what was sent" page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications import services
from notifications.models import EmailPreference, Kind, Notification, NotificationPreference, Status

from .factories import ChildGuardianFactory, SettingFactory, StaffFactory


def _notify(user, setting, n: int, kind=Kind.TASK_REMINDER) -> None:
    rows = [row for i in range(n) for row in services.for_staff(
        user, kind=kind, event=f"page-test:{i}", setting_id=setting.pk, subject=f"Reminder {i}", now=timezone.now(),
        refs={"url": "/inbox/"})]
    Notification.objects.bulk_create(rows)


@pytest.mark.parametrize("count", [3, 120])
def test_my_notifications_runs_a_fixed_number_of_queries(client, setting, key_person, count,
                                                         django_assert_num_queries):
    _notify(key_person.user, setting, count)
    client.force_login(key_person.user)
    # session, user, staff (nav), preference, count, rows, and the idle-timeout session save (3)
    with django_assert_num_queries(9):
        response = client.get(reverse("my-notifications"))
    assert response.status_code == 200
    assert response.content.decode().count("Mark read</button>") == min(count, 50)


def test_a_user_marks_notifications_read_and_chooses_how_to_be_emailed(client, setting, key_person, manager):
    _notify(key_person.user, setting, 3)
    _notify(manager.user, setting, 1)
    client.force_login(key_person.user)
    first = Notification.objects.filter(recipient_user=key_person.user, channel="in_app").first()
    client.post(reverse("notifications-read"), {"id": [first.pk]})
    assert Notification.objects.filter(recipient_user=key_person.user, read_at__isnull=False).count() == 1
    client.post(reverse("notifications-read"), {"id": [Notification.objects.filter(recipient_user=manager.user)[0].pk]})
    assert not Notification.objects.filter(recipient_user=manager.user, read_at__isnull=False).exists()
    client.post(reverse("notifications-read"))
    assert not Notification.objects.filter(recipient_user=key_person.user, channel="in_app", read_at__isnull=True)
    response = client.post(reverse("notifications-preference"), {"email": "digest"})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=key_person.user).email == EmailPreference.DIGEST
    assert client.post(reverse("notifications-preference"), {"email": "hourly"}).status_code == 400


def test_an_empty_notifications_page_says_so(client, key_person):
    client.force_login(key_person.user)
    assert "No notifications yet" in client.get(reverse("my-notifications")).content.decode()


@pytest.mark.parametrize("count", [3, 120])
def test_the_managers_sent_page_runs_a_fixed_number_of_queries(client, setting, manager, key_person, count,
                                                              django_assert_num_queries):
    _notify(key_person.user, setting, count)
    client.force_login(manager.user)
    with django_assert_num_queries(8):  # session, user, staff, count, rows, and the session save (3)
        response = client.get(reverse("sent-notifications"))
    assert response.status_code == 200
    assert response.content.decode().count("Reminder ") == min(count * 2, 50)


def test_the_manager_sees_what_failed_at_their_setting_only(client, setting, manager, child, key_person):
    link = ChildGuardianFactory(child=child)
    from notifications import parents

    parents.consent_request_send(child=child, purpose="photographs")
    Notification.objects.filter(recipient_guardian=link.guardian).update(status=Status.FAILED,
                                                                         last_error="SMTPServerDisconnected: gone")
    elsewhere = StaffFactory(setting=SettingFactory(), manager=True)
    _notify(elsewhere.user, elsewhere.setting, 1, kind=Kind.TASK_ESCALATION)
    client.force_login(manager.user)
    page = client.get(reverse("sent-notifications"), {"status": "failed"}).content.decode()
    assert link.guardian.email in page and "SMTPServerDisconnected" in page and "Send again" in page
    assert elsewhere.user.email not in client.get(reverse("sent-notifications")).content.decode()
    client.force_login(key_person.user)
    assert client.get(reverse("sent-notifications")).status_code == 403


def test_only_the_settings_manager_can_send_a_failed_notification_again(client, setting, manager, child):
    link = ChildGuardianFactory(child=child)
    from notifications import parents

    parents.consent_request_send(child=child, purpose="photographs")
    notification = Notification.objects.get(recipient_guardian=link.guardian)
    Notification.objects.filter(pk=notification.pk).update(status=Status.FAILED)
    stranger = StaffFactory(setting=SettingFactory(), manager=True)
    client.force_login(stranger.user)
    client.post(reverse("notification-retry", args=[notification.pk]))
    assert Notification.objects.get(pk=notification.pk).status == Status.FAILED
    client.force_login(manager.user)
    client.post(reverse("notification-retry", args=[notification.pk]))
    assert Notification.objects.get(pk=notification.pk).status == Status.QUEUED  # sent after commit
