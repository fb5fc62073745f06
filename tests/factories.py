"""factory_boy factories for the domain. Records that carry rules (assignments, consents, lifecycle) are
made through the services instead, so tests exercise the same path as the app."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from processes import sessions
from processes.models import Child, ChildGuardian, Guardian, Organisation, Room, Setting, Staff


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Provider {n}")


class SettingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Setting

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Setting {n}")


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    setting = factory.SubFactory(SettingFactory)
    name = factory.Sequence(lambda n: f"Room {n}")
    min_age_months = 24
    max_age_months = 36
    children_per_adult = 4


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    user = factory.SubFactory(UserFactory)
    setting = factory.SubFactory(SettingFactory)
    is_key_person = True
    working_sessions = sessions.ALL
    max_caseload = 8

    class Params:
        manager = factory.Trait(is_manager=True, is_key_person=False, job_title="Manager")
        senco = factory.Trait(is_senco=True, job_title="SENCO")


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardian

    setting = factory.SubFactory(SettingFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"parent{n}@example.org")
    phone = "07700 900000"


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    setting = factory.SubFactory(SettingFactory)
    room = factory.SubFactory(RoomFactory, setting=factory.SelfAttribute("..setting"))
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=2 * 365 + 30))
    start_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=21))
    attending_sessions = sessions.mask_of(["mon_am", "mon_pm", "tue_am", "wed_am", "thu_am"])


class ChildGuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChildGuardian

    child = factory.SubFactory(ChildFactory)
    guardian = factory.SubFactory(GuardianFactory, setting=factory.SelfAttribute("..child.setting"))
    relationship = "Mother"
    has_parental_responsibility = True
    is_primary_contact = True
