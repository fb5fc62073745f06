"""The allocation task page: the manager chooses from the ranked lists themselves, each candidate with their
reasons and their score in words, and the secondary has ranked suggestions too (processes.allocation ranks)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from processes import sessions
from processes.allocation import allocation_candidates
from processes.models import AssignmentRole, LifecycleState

from .factories import StaffFactory
from .flowkit import register, the_task

pytestmark = pytest.mark.django_db


def task_url(task) -> str:
    return reverse("task-detail", args=[task.process_id, task.pk])


def radio_values(html: str, name: str) -> list[int]:
    return [int(v) for v in re.findall(rf'<input type="radio" name="{name}" value="(\d+)"', html)]


@pytest.fixture
def team(setting, room):
    mornings = sessions.mask_of(["mon_am", "tue_am", "wed_am"])
    return {
        "mornings": StaffFactory(setting=setting, room=room, working_sessions=mornings,
                                 user__first_name="Mo", user__last_name="Rning"),
        "afternoons": StaffFactory(setting=setting, room=room, working_sessions=sessions.mask_of(["mon_pm", "tue_pm"]),
                                   user__first_name="Af", user__last_name="Ternoon"),
        "everyday": StaffFactory(setting=setting, room=room, user__first_name="Eve", user__last_name="Ryday"),
    }


def test_the_key_person_is_chosen_from_the_ranked_list_not_an_alphabetical_dropdown(client, setting, room, manager,
                                                                                    team):
    child = register(setting=setting, room=room, manager=manager, sessions=("mon_am", "mon_pm", "tue_am", "tue_pm"))
    client.force_login(manager.user)
    html = client.get(task_url(the_task(child, "allocate"))).content.decode()
    ranked = [c.staff.pk for c in allocation_candidates(child=child)]
    assert radio_values(html, "primary") == ranked
    assert '<select name="primary"' not in html and '<select name="secondary"' not in html


def test_each_candidate_says_why_and_what_the_score_is_made_of(client, setting, room, manager, team):
    child = register(setting=setting, room=room, manager=manager)
    client.force_login(manager.user)
    html = client.get(task_url(the_task(child, "allocate"))).content.decode()
    top = allocation_candidates(child=child)[0]
    assert top.score_in_words.capitalize() in html.replace("&#x27;", "'")
    assert re.search(r"\d+(\.\d+)? points of a possible \d+: sessions [\d.]+ of 5; caseload room [\d.]+ of 3",
                     html)


def test_the_score_in_words_adds_up_to_the_score(setting, room, manager, team):
    child = register(setting=setting, room=room, manager=manager, known_needs="Speech delay")
    for candidate in allocation_candidates(child=child):
        assert round(sum(p.points for p in candidate.breakdown), 2) == candidate.score
        assert candidate.score <= candidate.out_of
        # Room, sessions, caseload and SEN apply to this child (no sibling, no preference): 5 + 3 + 2 + 3.
        assert candidate.out_of == 13


def test_the_secondary_is_suggested_to_cover_the_sessions_the_suggested_key_person_does_not_work(
    client, setting, room, manager, team
):
    child = register(setting=setting, room=room, manager=manager, sessions=("mon_am", "mon_pm", "tue_am", "tue_pm"))
    client.force_login(manager.user)
    response = client.get(task_url(the_task(child, "allocate")))
    form = response.context["form"]
    assert form.backing_up == team["everyday"]  # the top suggestion, who works all four sessions
    html = response.content.decode()
    secondaries = radio_values(html, "secondary")
    # Ranked by processes.allocation as secondaries for that key person; the key person themselves come last.
    assert secondaries[-1] == team["everyday"].pk
    assert secondaries[:-1] == [c.staff.pk for c in form.secondary_candidates[:-1]]
    assert f"backup for {team['everyday'].name}" in html


def test_a_form_sent_back_ranks_the_secondaries_for_the_key_person_chosen(client, setting, room, manager, team):
    child = register(setting=setting, room=room, manager=manager, sessions=("mon_am", "mon_pm", "tue_am", "tue_pm"))
    task = the_task(child, "allocate")
    client.force_login(manager.user)
    response = client.post(task_url(task), {"primary": team["mornings"].pk})  # no secondary yet
    assert response.status_code == 400
    form = response.context["form"]
    assert form.backing_up == team["mornings"]
    first = form.secondary_candidates[0]
    assert first.staff == team["afternoons"] or first.staff == team["everyday"]
    assert "sessions the key person does not work" in " ".join(first.reasons)
    html = response.content.decode()
    assert f'value="{team["mornings"].pk}" id="id_primary_{team["mornings"].pk}"' in html
    assert re.search(rf'value="{team["mornings"].pk}" id="id_primary_{team["mornings"].pk}"\s+'
                     rf'aria-describedby="[^"]+" checked', html)


def test_completing_with_the_chosen_cards_allocates(client, setting, room, manager, team):
    child = register(setting=setting, room=room, manager=manager)
    client.force_login(manager.user)
    response = client.post(task_url(the_task(child, "allocate")),
                           {"primary": team["mornings"].pk, "secondary": team["afternoons"].pk})
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.state == LifecycleState.ALLOCATED
    assert {a.role: a.staff for a in child.assignments.current()} == {
        AssignmentRole.PRIMARY: team["mornings"], AssignmentRole.SECONDARY: team["afternoons"]}


def test_with_no_key_persons_the_page_says_so(client, setting, room, manager):
    child = register(setting=setting, room=room, manager=manager)
    client.force_login(manager.user)
    html = client.get(task_url(the_task(child, "allocate"))).content.decode()
    assert "No key persons with an active account" in html
