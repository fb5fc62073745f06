"""The log-in page, the child list and the child's record, as a user of the app sees them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from processes import services, sessions
from processes.models import AssignmentRole, ConsentMethod, ConsentPurpose, ConsentStatus, LifecycleState
from processes.views import age_in_words

from .factories import ChildFactory, ChildGuardianFactory, RoomFactory, StaffFactory

pytestmark = pytest.mark.django_db

LIST = reverse("child-list")


def listed(response) -> list[str]:
    return [child.name for child in response.context["children"]]


# ---- Log-in ------------------------------------------------------------------------------------------------

def test_the_login_page_renders_with_labelled_fields(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert 'autocomplete="current-password"' in html
    assert "pico.min.css" in html and "keyflow.css" in html
    # Nothing loaded from elsewhere (a CDN): every src and href is on this site. (Not a search for "cdn" in the
    # page: the random CSRF token contains it now and then.)
    assert re.findall(r'(?:src|href)="(?:https?:)?//', html) == []


def test_logging_in_takes_a_user_home_and_on_to_the_children(client, key_person):
    response = client.post(reverse("login"), {"username": "keyperson", "password": "pass-word-123"})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert int(client.session["_auth_user_id"]) == key_person.user.pk
    assert client.get(reverse("home")).url in {LIST, "/inbox/"}


def test_a_wrong_password_is_refused_with_an_alert(client, key_person):
    response = client.post(reverse("login"), {"username": "keyperson", "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert 'aria-invalid="true"' in html
    assert "_auth_user_id" not in client.session


def test_the_header_shows_the_user_their_roles_and_a_post_log_out(client, senco):
    client.force_login(senco.user)
    html = client.get(LIST).content.decode()
    assert senco.name in html
    assert "SENCO" in html
    assert f'action="{reverse("logout")}"' in html and 'method="post"' in html
    assert 'href="#main"' in html
    assert "Admin" not in html  # not a Django staff user


def test_logging_out_is_a_post(client, key_person):
    client.force_login(key_person.user)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(LIST).status_code == 302


def test_home_goes_to_the_child_list_until_there_is_an_inbox(client, key_person):
    client.force_login(key_person.user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    try:
        expected = reverse("inbox")
    except Exception:
        expected = LIST
    assert response.url == expected


# ---- Child list --------------------------------------------------------------------------------------------

@pytest.fixture
def make_children(setting, room, manager, key_person, other_key_person):
    key_person.max_caseload = other_key_person.max_caseload = 100
    key_person.save()
    other_key_person.save()

    def make(count: int):
        made = []
        for _ in range(count):
            child = ChildFactory(setting=setting, room=room)
            services.key_person_assign(child=child, staff=key_person, role=AssignmentRole.PRIMARY, by=manager.user)
            services.key_person_assign(
                child=child, staff=other_key_person, role=AssignmentRole.SECONDARY, by=manager.user
            )
            made.append(child)
        return made

    return make


# Session, user, staff record, page count, the children with their rooms, their current key persons with staff
# and users, the rooms of the filter, and the session saved again (savepoint, update, release:
# SESSION_SAVE_EVERY_REQUEST). Whoever sees the whole setting is told its name: one query more.
LIST_QUERIES = {"manager": 11, "key_person": 10}


@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize("who", ["manager", "key_person"])
def test_the_child_list_runs_a_fixed_number_of_queries(client, request, make_children, count, who,
                                                     django_assert_num_queries):
    make_children(count)
    client.force_login(request.getfixturevalue(who).user)
    with django_assert_num_queries(LIST_QUERIES[who]):
        response = client.get(LIST)
    assert len(response.context["children"]) == count


def test_the_child_list_shows_room_age_stage_key_persons_and_start_date(
    client, manager, key_person, other_key_person, allocated_child
):
    client.force_login(manager.user)
    html = client.get(LIST).content.decode()
    assert allocated_child.name in html
    assert allocated_child.room.name in html
    assert age_in_words(allocated_child.age_in_months()) in html
    assert "badge-allocated" in html and "Key person allocated" in html
    assert key_person.name in html and other_key_person.name in html
    assert allocated_child.start_date.strftime("%-d %b %Y") in html
    assert reverse("child-detail", args=[allocated_child.pk]) in html


def test_the_child_list_says_you_for_the_key_person_looking(client, key_person, allocated_child):
    client.force_login(key_person.user)
    assert "<strong>You</strong>" in client.get(LIST).content.decode()


def test_the_child_list_is_paginated_at_fifty(client, manager, setting, room):
    for _ in range(51):
        ChildFactory(setting=setting, room=room)
    client.force_login(manager.user)
    first = client.get(LIST)
    assert len(first.context["children"]) == 50
    assert "Page 1 of 2" in first.content.decode()
    assert len(client.get(LIST, {"page": 2}).context["children"]) == 1


@pytest.fixture
def two_rooms(setting, room, manager):
    babies = RoomFactory(setting=setting, name="Babies", min_age_months=0, max_age_months=24)
    amelia = ChildFactory(setting=setting, room=room, first_name="Amelia", last_name="Smith")
    ben = ChildFactory(setting=setting, room=babies, first_name="Ben", last_name="Jones", preferred_name="Benji")
    return {"babies": babies, "amelia": amelia, "ben": ben}


def test_the_list_filters_by_room(client, manager, room, two_rooms):
    client.force_login(manager.user)
    assert listed(client.get(LIST, {"room": two_rooms["babies"].pk})) == ["Benji Jones"]
    assert listed(client.get(LIST, {"room": room.pk})) == ["Amelia Smith"]


def test_the_list_offers_only_the_users_own_settings_rooms(client, manager, two_rooms):
    elsewhere = RoomFactory(name="Elsewhere room")
    client.force_login(manager.user)
    html = client.get(LIST).content.decode()
    assert "Babies" in html
    assert "Elsewhere room" not in html
    response = client.get(LIST, {"room": elsewhere.pk})
    assert response.context["filterset"].errors


def test_the_list_filters_by_stage(client, manager, key_person, other_key_person, two_rooms):
    amelia = two_rooms["amelia"]
    services.key_person_assign(child=amelia, staff=key_person, role=AssignmentRole.PRIMARY, by=manager.user)
    services.key_person_assign(child=amelia, staff=other_key_person, role=AssignmentRole.SECONDARY, by=manager.user)
    services.child_transition(child=amelia, transition="allocate", by=manager.user)
    client.force_login(manager.user)
    assert listed(client.get(LIST, {"state": LifecycleState.ALLOCATED})) == ["Amelia Smith"]
    assert listed(client.get(LIST, {"state": LifecycleState.REGISTERED})) == ["Benji Jones"]
    assert listed(client.get(LIST, {"state": "attending"})) == ["Amelia Smith", "Benji Jones"]


def test_the_list_searches_by_any_part_of_the_name(client, manager, two_rooms):
    client.force_login(manager.user)
    assert listed(client.get(LIST, {"q": "smi"})) == ["Amelia Smith"]
    assert listed(client.get(LIST, {"q": "benji"})) == ["Benji Jones"]
    assert listed(client.get(LIST, {"q": "amelia smith"})) == ["Amelia Smith"]
    assert listed(client.get(LIST, {"q": "  "})) == ["Amelia Smith", "Benji Jones"]


def test_the_list_is_in_the_order_of_the_names_shown(client, manager, setting, room, two_rooms):
    ChildFactory(setting=setting, room=room, first_name="Olivia", last_name="Nowak", preferred_name="Liv")
    ChildFactory(setting=setting, room=room, first_name="charlie", last_name="Brown")
    client.force_login(manager.user)
    assert listed(client.get(LIST)) == ["Amelia Smith", "Benji Jones", "charlie Brown", "Liv Nowak"]


def test_a_search_that_finds_nobody_says_so(client, manager, two_rooms):
    client.force_login(manager.user)
    html = client.get(LIST, {"q": "nobody-by-this-name"}).content.decode()
    assert "No children match your search" in html
    assert 'href="/children/"' in html


def test_a_key_person_with_no_key_children_is_told_so(client, key_person, child):
    client.force_login(key_person.user)
    html = client.get(LIST).content.decode()
    assert "You have no key children yet" in html
    assert child.name not in html


def test_a_manager_of_an_empty_setting_is_told_so(client, manager):
    client.force_login(manager.user)
    assert "No children registered yet" in client.get(LIST).content.decode()


# ---- Child detail ------------------------------------------------------------------------------------------

@pytest.fixture
def full_record(allocated_child, manager, key_person, setting, room):
    child = allocated_child
    services.child_update(
        child=child, by=manager.user, allergies="Peanuts (anaphylaxis)", dietary_needs="Vegetarian",
        known_needs="Speech and language delay", home_language="Polish", destination_school="St Mary's Primary",
        expected_leaving_date=child.start_date + dt.timedelta(days=700),
    )
    link = ChildGuardianFactory(child=child, guardian__first_name="Ola", guardian__last_name="Nowak",
                                relationship="Mother")
    services.consent_record(child=child, guardian=link.guardian, purpose=ConsentPurpose.PHOTOGRAPHS,
                            status=ConsentStatus.GRANTED, method=ConsentMethod.SIGNED_FORM, by=manager.user,
                            given_at=timezone.now() - dt.timedelta(days=2))
    services.consent_record(child=child, guardian=link.guardian, purpose=ConsentPurpose.PHOTOGRAPHS,
                            status=ConsentStatus.WITHDRAWN, method=ConsentMethod.EMAIL, by=manager.user)
    services.consent_record(child=child, guardian=link.guardian, purpose=ConsentPurpose.SHARE_PROFESSIONAL,
                            recipient="Speech and language therapy", status=ConsentStatus.GRANTED,
                            method=ConsentMethod.IN_PERSON, by=manager.user)
    replacement = StaffFactory(setting=setting, room=room, user__username="newkp", user__first_name="Nia",
                               user__last_name="Okafor")
    services.key_person_assign(child=child, staff=replacement, role=AssignmentRole.PRIMARY, by=manager.user,
                               reason="Key person moved rooms")
    child.refresh_from_db()
    return {"child": child, "guardian": link.guardian, "replacement": replacement}


def section(html: str, anchor: str) -> str:
    start = html.index(f'<section id="{anchor}"')
    return html[start:html.index("</section>", start)]


def test_the_childs_record_shows_every_section(client, manager, key_person, other_key_person, full_record):
    child, replacement = full_record["child"], full_record["replacement"]
    client.force_login(manager.user)
    response = client.get(reverse("child-detail", args=[child.pk]))
    assert response.status_code == 200
    html = response.content.decode()

    details = section(html, "details")
    assert child.date_of_birth.strftime("%-d %B %Y") in details
    assert age_in_words(child.age_in_months()) in details
    assert sessions.describe(child.attending_sessions) in details
    assert "St Mary&#x27;s Primary" in details and "Polish" in details

    people = section(html, "key-persons")
    assert replacement.name in people and other_key_person.name in people
    assert key_person.name in people  # in the history, ended
    assert "Key person moved rooms" in people

    family = section(html, "family")
    assert "Ola Nowak" in family and "Mother" in family and "Parental responsibility" in family
    assert "07700 900000" in family

    health = section(html, "health")
    assert "Peanuts (anaphylaxis)" in health and "Vegetarian" in health and "Speech and language delay" in health
    assert 'class="message message-error allergy-alert"' in html  # the allergy is impossible to miss

    consents = section(html, "consents")
    in_force = consents[:consents.index("<h3>History</h3>")]
    assert "badge-consent-withdrawn" in in_force and "badge-consent-granted" in in_force
    assert "Speech and language therapy" in in_force
    assert "Not asked" in in_force  # SENCO observation, school sharing
    # A row per purpose (or named recipient) with its state, and three decisions in the history.
    assert consents.count("badge-consent-") == len(ConsentPurpose) + 3

    lifecycle = section(html, "lifecycle")
    assert "Registered → Key person allocated" in lifecycle
    assert manager.name in lifecycle


def test_the_consent_in_force_is_the_latest_decision(client, manager, full_record):
    client.force_login(manager.user)
    response = client.get(reverse("child-detail", args=[full_record["child"].pk]))
    photographs = [row["consent"] for row in response.context["consents_in_force"]
                   if row["purpose"] == ConsentPurpose.PHOTOGRAPHS]
    assert [c.status for c in photographs] == [ConsentStatus.WITHDRAWN]


def test_a_newly_registered_childs_record_has_clear_empty_sections(client, manager, child):
    client.force_login(manager.user)
    html = client.get(reverse("child-detail", args=[child.pk])).content.decode()
    assert "No key person yet." in html
    assert "No parents or carers recorded yet." in html
    assert "No consent decisions recorded yet." in html
    assert "No lifecycle changes recorded yet." in html


def test_the_record_leaves_room_for_the_workflow_timeline(client, manager, child):
    client.force_login(manager.user)
    response = client.get(reverse("child-detail", args=[child.pk]))
    assert "workflow_timeline_template" in response.context


@pytest.mark.parametrize("months, words", [
    (0, "0 months"), (1, "1 month"), (11, "11 months"), (12, "1 year"), (13, "1 year 1 month"),
    (41, "3 years 5 months"),
])
def test_ages_read_in_years_and_months(months, words):
    assert age_in_words(months) == words
