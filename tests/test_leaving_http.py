"""Leaving over HTTP as the real roles (issue 18 part 3): the manager records the leaving, the key person
takes each step on its task page, the receiving school downloads once; the leaving pages' query counts."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from processes.models import AuditEvent, Child, ConsentMethod, ConsentPurpose, ConsentStatus, LeavingPlan
from processes.services.leaving import leavers_year

from .factories import ChildFactory, ChildGuardianFactory
from .flowkit import the_task
from .leavingkit import REPORT, SCHOOL, plan_leaving, settled, started_a_year_ago

TODAY = timezone.localdate


def task_url(task) -> str:
    return reverse("task-detail", args=[task.process_id, task.pk])


@pytest.fixture
def settled_child(allocated_child, manager):
    ChildGuardianFactory(child=allocated_child)
    started_a_year_ago(allocated_child)
    return settled(allocated_child, manager)


def test_the_leaving_journey_over_http(client, settled_child, manager, key_person, django_capture_on_commit_callbacks):
    child = settled_child
    client.force_login(manager.user)
    leaving_on = TODAY() + dt.timedelta(days=40)
    response = client.post(reverse("child-leaving", args=[child.pk]), {
        "leaving_on": leaving_on.isoformat(), "destination_kind": "school", "destination": SCHOOL,
        "contact_name": "Mrs Patel", "contact_email": "reception@oakbridge.example"})
    assert response.status_code == 302
    assert Child.objects.get(pk=child.pk).state == "leaving"

    client.force_login(key_person.user)
    assert client.post(task_url(the_task(child, "report")), REPORT).status_code == 302
    assert client.post(task_url(the_task(child, "meeting")), {
        "held_on": TODAY().isoformat(), "notes": "Shared the report"}).status_code == 302
    task = the_task(child, "ask_consent")
    page = client.get(task_url(task)).content.decode()
    assert "consent page" in page
    # Claimed before it is recorded: refused, on the page.
    assert client.post(task_url(task), {"next": "given"}).status_code == 400
    guardian = child.guardians.get()
    assert client.post(reverse("child-consents", args=[child.pk]), {
        "purpose": ConsentPurpose.SHARE_SCHOOL, "recipient": SCHOOL, "status": ConsentStatus.GRANTED,
        "guardian": guardian.pk, "method": ConsentMethod.SIGNED_FORM,
        "given_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "notes": "Signed"}).status_code == 302
    assert client.post(task_url(task), {"next": "given"}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(task_url(the_task(child, "pack")), {"how": "link"}).status_code == 302
    link_mail, code_mail = [m for m in mail.outbox if m.to == ["reception@oakbridge.example"]]
    path = re.search(r"https?://[^/\s]+(/records/[^/\s]+/)", link_mail.body).group(1)
    code = re.search(r"link: (\d+)", code_mail.body).group(1)

    school = client.__class__()  # the school's contact: no account here
    assert school.get(path).status_code == 200
    response = school.post(path, {"code": code, "contact_name": "Mrs Patel", "confirm": "on"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Dinosaurs and trains" in text
    again = school.post(path, {"code": code, "contact_name": "Mrs Patel", "confirm": "on"})
    assert again.status_code == 403 and "used already" in again.content.decode()
    assert list(AuditEvent.objects.filter(action="download").values_list("outcome", flat=True)
                .order_by("pk")) == ["ok", "refused"]

    receipt = the_task(child, "receipt")
    assert "Downloaded and confirmed by Mrs Patel" in client.get(task_url(receipt)).content.decode()
    assert client.post(task_url(receipt), {"received_on": TODAY().isoformat(),
                                           "note": "Downloaded"}).status_code == 302
    assert client.post(task_url(the_task(child, "learning_record")), {
        "given_on": TODAY().isoformat(), "how": "Tapestry export"}).status_code == 302
    page = client.get(reverse("child-leaving", args=[child.pk])).content.decode()
    assert "Learning record given to the parents" in page and "not yet" not in page


def test_a_key_person_may_not_record_a_leaving_date(client, settled_child, key_person):
    client.force_login(key_person.user)
    response = client.post(reverse("child-leaving", args=[settled_child.pk]), {
        "leaving_on": (TODAY() + dt.timedelta(days=40)).isoformat(), "destination_kind": "school",
        "destination": SCHOOL, "contact_name": "Mrs Patel", "contact_email": "a@b.example"})
    assert response.status_code == 403
    assert not LeavingPlan.objects.exists()


def test_a_refused_leaving_date_is_shown_on_the_form(client, allocated_child, manager):
    client.force_login(manager.user)
    response = client.post(reverse("child-leaving", args=[allocated_child.pk]), {
        "leaving_on": (TODAY() + dt.timedelta(days=40)).isoformat(), "destination_kind": "school",
        "destination": SCHOOL, "contact_name": "Mrs Patel", "contact_email": "a@b.example"})
    assert response.status_code == 400 and "only a child who has settled" in response.content.decode()


def _school_leavers(setting, room, manager, key_person, other_key_person, n: int) -> list[Child]:
    """n children due to start school next September, settled, with their key persons."""
    from processes import services
    from processes.models import AssignmentRole

    year = leavers_year(TODAY())
    children = []
    for i in range(n):
        child = ChildFactory(setting=setting, room=room, date_of_birth=dt.date(year - 5, 10 + i % 3, 1 + i))
        started_a_year_ago(child)
        ChildGuardianFactory(child=child)
        for staff, role in ((key_person, AssignmentRole.PRIMARY), (other_key_person, AssignmentRole.SECONDARY)):
            services.key_person_assign(child=child, staff=staff, role=role, by=manager.user)
        child = services.child_transition(child=child, transition="allocate", by=manager.user)
        children.append(settled(child, manager))
    return children


@pytest.mark.parametrize("n", [1, 4])
def test_the_cohort_page_and_the_leavers_list_cost_the_same_whatever_their_size(
        client, setting, room, manager, key_person, other_key_person, n, django_assert_num_queries):
    children = _school_leavers(setting, room, manager, key_person, other_key_person, n)
    client.force_login(manager.user)
    with django_assert_num_queries(8):
        page = client.get(reverse("leaving-cohort")).content.decode()
    assert all(c.name in page for c in children)
    for child in children:
        plan_leaving(child, manager)
    with django_assert_num_queries(8):
        page = client.get(reverse("leavers")).content.decode()
    assert all(c.name in page for c in children)


def test_the_school_leavers_start_together_from_one_screen(client, setting, room, manager, key_person,
                                                           other_key_person):
    first, second, third = _school_leavers(setting, room, manager, key_person, other_key_person, 3)
    client.force_login(manager.user)
    data = {"leaving_on": (TODAY() + dt.timedelta(days=50)).isoformat()}
    for child, chosen in ((first, True), (second, True), (third, False)):
        data.update({f"c{child.pk}-chosen": "on" if chosen else "", f"c{child.pk}-destination": SCHOOL,
                     f"c{child.pk}-contact_name": "Mrs Patel", f"c{child.pk}-contact_email": "r@oak.example"})
    assert client.post(reverse("leaving-cohort"), data).status_code == 302
    assert set(LeavingPlan.objects.values_list("child_id", flat=True)) == {first.pk, second.pk}
    assert the_task(first, "report") and the_task(second, "report")


def test_a_cohort_row_without_its_school_starts_nobody(client, setting, room, manager, key_person,
                                                       other_key_person):
    (child,) = _school_leavers(setting, room, manager, key_person, other_key_person, 1)
    client.force_login(manager.user)
    response = client.post(reverse("leaving-cohort"), {
        "leaving_on": (TODAY() + dt.timedelta(days=50)).isoformat(), f"c{child.pk}-chosen": "on"})
    assert response.status_code == 400
    assert not LeavingPlan.objects.exists()
