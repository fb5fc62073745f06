"""Consent: an append-only history per child, purpose and (for sharing) named recipient; the newest entry
is the one in force. Recorded only through processes.services.consent_record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from processes import services
from processes.errors import NotPermitted, RuleViolation
from processes.models import AuditEvent, Consent, ConsentMethod, ConsentPurpose, ConsentStatus, consent_recipient_key
from processes.models.append_only import AppendOnlyError

from .factories import ChildFactory, ChildGuardianFactory, GuardianFactory, StaffFactory, UserFactory

P, ST = ConsentPurpose, ConsentStatus
SALT = "Speech and language therapy"
EP = "Educational psychologist"


@pytest.fixture
def parent(guardian_link):
    return guardian_link.guardian


@pytest.fixture
def record(child, parent, key_person):
    """Record a decision for `child` by `parent`, as the key person, unless told otherwise."""

    def _record(status, purpose=P.PHOTOGRAPHS, *, by=None, guardian=None, **kwargs) -> Consent:
        return services.consent_record(
            child=kwargs.pop("child", child), guardian=guardian or parent, purpose=purpose, status=status,
            method=kwargs.pop("method", ConsentMethod.SIGNED_FORM), by=(by or key_person).user, **kwargs,
        )

    return _record


def in_force(child, purpose=P.PHOTOGRAPHS, recipient=""):
    return services.consent_in_force(child=child, purpose=purpose, recipient=recipient)


class Unchanged:
    def __init__(self) -> None:
        self.counts = (Consent.objects.count(), AuditEvent.objects.count())

    def assert_unchanged(self) -> None:
        assert (Consent.objects.count(), AuditEvent.objects.count()) == self.counts


# What is in force ---------------------------------------------------------------------------------------


def test_a_grant_is_in_force(child, record):
    grant = record(ST.GRANTED)

    assert in_force(child) == grant


def test_nothing_is_in_force_before_anything_is_recorded(child):
    assert in_force(child) is None


def test_a_withdrawal_supersedes_the_grant(child, record):
    grant = record(ST.GRANTED)

    record(ST.WITHDRAWN)

    assert in_force(child) is None
    assert Consent.objects.filter(pk=grant.pk).exists()  # the grant stays in the history


def test_granting_again_after_a_withdrawal_is_in_force(child, record):
    record(ST.GRANTED)
    record(ST.WITHDRAWN)

    regrant = record(ST.GRANTED, method=ConsentMethod.IN_PERSON)

    assert in_force(child) == regrant
    assert list(child.consents.order_by("id").values_list("status", flat=True)) == [
        ST.GRANTED, ST.WITHDRAWN, ST.GRANTED,
    ]


def test_a_decline_after_a_grant_leaves_nothing_in_force(child, record):
    record(ST.GRANTED)

    record(ST.DECLINED)

    assert in_force(child) is None


def test_each_purpose_has_its_own_history(child, record):
    record(ST.GRANTED, P.PHOTOGRAPHS)
    record(ST.GRANTED, P.SENCO_OBSERVATION)

    record(ST.WITHDRAWN, P.PHOTOGRAPHS)

    assert in_force(child, P.PHOTOGRAPHS) is None
    assert in_force(child, P.SENCO_OBSERVATION) is not None


def test_consent_for_one_child_does_not_cover_a_sibling(setting, room, child, parent, record):
    sibling = ChildFactory(setting=setting, room=room, last_name=child.last_name)
    ChildGuardianFactory(child=sibling, guardian=parent)

    record(ST.GRANTED)

    assert in_force(sibling) is None


def test_sharing_consent_is_for_the_named_recipient_only(child, record):
    grant = record(ST.GRANTED, P.SHARE_PROFESSIONAL, recipient=SALT)

    assert in_force(child, P.SHARE_PROFESSIONAL, SALT) == grant
    assert in_force(child, P.SHARE_PROFESSIONAL, EP) is None
    assert in_force(child, P.SHARE_PROFESSIONAL) is None


def test_withdrawing_sharing_with_one_recipient_leaves_the_other_in_force(child, record):
    record(ST.GRANTED, P.SHARE_PROFESSIONAL, recipient=SALT)
    ep = record(ST.GRANTED, P.SHARE_PROFESSIONAL, recipient=EP)

    record(ST.WITHDRAWN, P.SHARE_PROFESSIONAL, recipient=SALT)

    assert in_force(child, P.SHARE_PROFESSIONAL, SALT) is None
    assert in_force(child, P.SHARE_PROFESSIONAL, EP) == ep


def test_a_recipient_written_differently_is_still_the_same_recipient(child, record):
    """Staff type the name each time: a withdrawal must not miss the grant over capitals or spaces."""
    record(ST.GRANTED, P.SHARE_PROFESSIONAL, recipient=SALT)

    withdrawal = record(ST.WITHDRAWN, P.SHARE_PROFESSIONAL, recipient="  speech and Language therapy ")

    assert withdrawal.recipient == SALT  # kept in the spelling first recorded
    assert in_force(child, P.SHARE_PROFESSIONAL, SALT) is None
    assert in_force(child, P.SHARE_PROFESSIONAL, "SPEECH AND LANGUAGE THERAPY") is None


# Names in other scripts and cases: "ß", Turkish dotted and dotless i, accents, as staff might type them.
NAMES = ["dr ayşe kılıç, educational psychologist", "Straße-Klinik Logopädie", "İzmir çocuk merkezi",
         "Chloé Dupont, orthophoniste", SALT]
RETYPED = [str, str.upper, str.lower, str.casefold, str.title, lambda s: s.upper().replace("I", "İ"),
           lambda s: "  " + s.replace(" ", "   ") + "\t"]
SPELLING = st.sampled_from(RETYPED)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(NAMES), other=st.sampled_from(NAMES), granted_as=SPELLING, withdrawn_as=SPELLING,
       asked_as=SPELLING)
def test_any_spelling_of_a_recipient_withdraws_its_grant_and_no_other(
        setting, room, parent, key_person, name, other, granted_as, withdrawn_as, asked_as):
    child = ChildFactory(setting=setting, room=room)
    ChildGuardianFactory(child=child, guardian=parent)

    def record(status, recipient):
        return services.consent_record(child=child, guardian=parent, purpose=P.SHARE_PROFESSIONAL, status=status,
                                       method=ConsentMethod.EMAIL, recipient=recipient, by=key_person.user)

    grant = record(ST.GRANTED, granted_as(name))
    assert in_force(child, P.SHARE_PROFESSIONAL, asked_as(name)) == grant
    if consent_recipient_key(other) != consent_recipient_key(name):
        assert in_force(child, P.SHARE_PROFESSIONAL, asked_as(other)) is None
        with pytest.raises(RuleViolation, match="no consent in force"):
            record(ST.WITHDRAWN, withdrawn_as(other))
    withdrawal = record(ST.WITHDRAWN, withdrawn_as(name))
    assert withdrawal.recipient == grant.recipient and withdrawal.recipient_key == grant.recipient_key
    assert in_force(child, P.SHARE_PROFESSIONAL, asked_as(name)) is None


def test_accents_are_kept_apart_and_the_key_is_stored_with_the_consent(child, record):
    grant = record(ST.GRANTED, P.SHARE_PROFESSIONAL, recipient="Chloé  Dupont")

    assert grant.recipient_key == "chloé dupont"
    assert Consent.objects.filter(recipient_key="chloé dupont").get() == grant
    assert in_force(child, P.SHARE_PROFESSIONAL, "CHLOÉ DUPONT") == grant
    assert in_force(child, P.SHARE_PROFESSIONAL, "Chloe Dupont") is None


def test_a_recipient_is_ignored_for_purposes_that_are_not_about_sharing(child, record):
    grant = record(ST.GRANTED, P.PHOTOGRAPHS, recipient="Local newspaper")

    assert grant.recipient == ""
    assert in_force(child, P.PHOTOGRAPHS) == grant


# Refusals -----------------------------------------------------------------------------------------------


def test_sharing_consent_without_a_recipient_is_refused(record):
    unchanged = Unchanged()

    with pytest.raises(RuleViolation, match="Name the professional") as refused:
        record(ST.GRANTED, P.SHARE_PROFESSIONAL, recipient="  ")

    assert refused.value.field == "recipient"
    unchanged.assert_unchanged()


def test_a_withdrawal_with_nothing_in_force_is_refused(record):
    unchanged = Unchanged()

    with pytest.raises(RuleViolation, match="no consent in force to withdraw"):
        record(ST.WITHDRAWN)

    unchanged.assert_unchanged()


def test_a_second_withdrawal_is_refused(record):
    record(ST.GRANTED)
    record(ST.WITHDRAWN)
    unchanged = Unchanged()

    with pytest.raises(RuleViolation, match="no consent in force to withdraw"):
        record(ST.WITHDRAWN)

    unchanged.assert_unchanged()


def test_withdrawing_a_decline_is_refused(record):
    record(ST.DECLINED)

    with pytest.raises(RuleViolation, match="no consent in force to withdraw"):
        record(ST.WITHDRAWN)


def test_a_guardian_without_parental_responsibility_is_refused(child, record):
    grandparent = ChildGuardianFactory(
        child=child, relationship="Grandmother", has_parental_responsibility=False, is_primary_contact=False
    ).guardian
    unchanged = Unchanged()

    with pytest.raises(RuleViolation, match="does not have parental responsibility") as refused:
        record(ST.GRANTED, guardian=grandparent)

    assert refused.value.field == "guardian"
    unchanged.assert_unchanged()


def test_a_guardian_of_another_child_is_refused(setting, room, record):
    other_parent = ChildGuardianFactory(child=ChildFactory(setting=setting, room=room)).guardian
    unchanged = Unchanged()

    with pytest.raises(RuleViolation, match="is not a parent or carer of"):
        record(ST.GRANTED, guardian=other_parent)

    unchanged.assert_unchanged()


def test_a_guardian_of_another_setting_is_refused(record):
    stranger = GuardianFactory()

    with pytest.raises(RuleViolation, match="is not a parent or carer of"):
        record(ST.GRANTED, guardian=stranger)


def test_consent_recorded_by_staff_of_another_setting_is_refused(record):
    elsewhere = StaffFactory(manager=True, user__username="othermanager")
    unchanged = Unchanged()

    with pytest.raises(NotPermitted, match="Only staff of the child's setting"):
        record(ST.GRANTED, by=elsewhere)

    unchanged.assert_unchanged()


def test_consent_recorded_by_someone_who_is_not_staff_is_refused(child, parent):
    with pytest.raises(NotPermitted):
        services.consent_record(
            child=child, guardian=parent, purpose=P.PHOTOGRAPHS, status=ST.GRANTED,
            method=ConsentMethod.EMAIL, by=UserFactory(username="visitor"),
        )


def test_consent_given_in_the_future_is_refused(record):
    unchanged = Unchanged()

    with pytest.raises(RuleViolation, match="in the future") as refused:
        record(ST.GRANTED, given_at=timezone.now() + dt.timedelta(days=1))

    assert refused.value.field == "given_at"
    unchanged.assert_unchanged()


def test_consent_given_earlier_is_recorded_with_when_it_was_given(child, record):
    last_week = timezone.now() - dt.timedelta(days=7)

    grant = record(ST.GRANTED, given_at=last_week)

    assert grant.given_at == last_week
    assert grant.recorded_at > last_week


@pytest.mark.parametrize(
    "bad", [{"purpose": "marketing"}, {"status": "maybe"}, {"method": "carrier pigeon"}],
    ids=["purpose", "status", "method"],
)
def test_an_unknown_purpose_status_or_method_is_refused_with_a_clear_message(child, parent, key_person, bad):
    values = dict(purpose=P.PHOTOGRAPHS, status=ST.GRANTED, method=ConsentMethod.EMAIL) | bad
    unchanged = Unchanged()

    with pytest.raises(RuleViolation) as refused:
        services.consent_record(child=child, guardian=parent, by=key_person.user, **values)

    assert refused.value.field == next(iter(bad))
    unchanged.assert_unchanged()


# Audit --------------------------------------------------------------------------------------------------


def test_every_consent_decision_writes_an_audit_event(child, parent, key_person, record):
    entries = [
        record(ST.GRANTED),
        record(ST.WITHDRAWN),
        record(ST.GRANTED, P.SHARE_PROFESSIONAL, recipient=SALT),
        record(ST.DECLINED, P.SENCO_OBSERVATION),
    ]

    events = list(AuditEvent.objects.filter(record_type="processes.Consent").order_by("id"))
    assert [e.record_id for e in events] == [str(c.pk) for c in entries]
    assert [e.action for e in events] == ["consent_granted", "consent_withdrawn", "consent_granted", "consent_declined"]
    for event, consent in zip(events, entries, strict=True):
        assert event.actor == key_person.user
        assert event.child_id == child.pk
        assert event.setting_id == child.setting_id
        assert event.changes["purpose"] == consent.purpose
        assert event.changes["status"] == consent.status
    assert events[2].changes["recipient"] == SALT


# Append-only --------------------------------------------------------------------------------------------


@pytest.fixture
def grant(record):
    return record(ST.GRANTED)


def test_a_consent_cannot_be_edited(grant):
    grant.status = ST.DECLINED

    with pytest.raises(AppendOnlyError):
        grant.save()

    assert Consent.objects.get(pk=grant.pk).status == ST.GRANTED


def test_a_consent_cannot_be_deleted(grant):
    with pytest.raises(AppendOnlyError):
        grant.delete()

    assert Consent.objects.filter(pk=grant.pk).exists()


def test_consents_cannot_be_updated_in_bulk(grant):
    with pytest.raises(AppendOnlyError):
        Consent.objects.filter(pk=grant.pk).update(status=ST.DECLINED)
    # bulk_update runs in atomic(savepoint=False): give it a block of its own to roll back.
    with pytest.raises(AppendOnlyError), transaction.atomic():
        Consent.objects.bulk_update([grant], ["status"])

    assert Consent.objects.get(pk=grant.pk).status == ST.GRANTED


def test_consents_cannot_be_deleted_in_bulk(grant):
    with pytest.raises(AppendOnlyError):
        Consent.objects.all().delete()

    assert Consent.objects.filter(pk=grant.pk).exists()


def test_a_consent_cannot_be_overwritten_by_a_new_object_with_its_id(grant, child, parent, key_person):
    impostor = Consent(
        pk=grant.pk, child=child, guardian=parent, purpose=P.PHOTOGRAPHS, status=ST.DECLINED,
        method=ConsentMethod.PHONE, recorded_by=key_person.user,
    )

    with pytest.raises(AppendOnlyError):
        impostor.save()

    assert Consent.objects.get(pk=grant.pk).status == ST.GRANTED


@pytest.fixture
def audit_event(grant):
    return AuditEvent.objects.get(record_type="processes.Consent", record_id=str(grant.pk))


def test_an_audit_event_cannot_be_edited(audit_event):
    audit_event.summary = "Nothing happened"

    with pytest.raises(AppendOnlyError):
        audit_event.save()

    assert AuditEvent.objects.get(pk=audit_event.pk).summary != "Nothing happened"


def test_an_audit_event_cannot_be_deleted(audit_event):
    with pytest.raises(AppendOnlyError):
        audit_event.delete()

    assert AuditEvent.objects.filter(pk=audit_event.pk).exists()


def test_audit_events_cannot_be_updated_or_deleted_in_bulk(audit_event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(summary="Nothing happened")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.get(pk=audit_event.pk).summary != "Nothing happened"


def test_the_migration_gives_existing_consents_their_recipient_key(child, record):
    import importlib

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    grant = record(ST.GRANTED, P.SHARE_PROFESSIONAL, recipient="DR AYŞE KILIÇ")
    with connection.cursor() as cursor:  # as a row written before the column existed
        cursor.execute("UPDATE processes_consent SET recipient_key = ''")
    migration = importlib.import_module("processes.migrations.0007_consent_recipient_key")

    state = MigrationLoader(connection).project_state(("processes", "0007_consent_recipient_key"))

    migration.fill_recipient_keys(state.apps, None)

    assert Consent.objects.get(pk=grant.pk).recipient_key == "dr ayşe kiliç"
    assert in_force(child, P.SHARE_PROFESSIONAL, "dr ayşe kılıç") == grant
