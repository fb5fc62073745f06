"""The demo's accidents and supervision: an accident the parents signed for at collection, one waiting for
them, an injury seen on arrival; a supervision held (with its key children talked through and an action in the
key person's inbox) and one due. Built through the services, as staff would record them."""

from __future__ import annotations

import base64
import datetime as dt

from django.utils import timezone

from processes.models import AccidentKind, AssignmentRole, Child, LifecycleState
from processes.services import accident_acknowledge, accident_record, supervision_hold, supervision_schedule

from .context import DemoContext

# A drawn signature as the tablet's canvas posts it (a tiny PNG stands in for a real one).
SIGNATURE = "data:image/png;base64," + base64.b64encode(base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")).decode()


def _key_children(ctx: DemoContext, username: str) -> list[Child]:
    return list(Child.objects.filter(
        state=LifecycleState.SETTLED, assignments__staff=ctx.staff[username],
        assignments__role=AssignmentRole.PRIMARY, assignments__ends_on__isnull=True,
    ).order_by("first_name"))


def _at(ctx: DemoContext, days_ago: int, hour: int) -> dt.datetime:
    moment = timezone.make_aware(dt.datetime.combine(ctx.today - dt.timedelta(days=days_ago), dt.time(hour)))
    return min(moment, timezone.now() - dt.timedelta(minutes=5))


def build_accident_stories(ctx: DemoContext) -> None:
    keyperson = ctx.staff["keyperson1"]
    first, second, *_ = _key_children(ctx, "keyperson1")
    signed = accident_record(
        child=first, by=keyperson.user, kind=AccidentKind.ACCIDENT, occurred_at=_at(ctx, 1, 10),
        body_part="Left knee", what_happened="Tripped over a wooden block in the construction area.",
        injury="Small graze, no swelling.", first_aid="Cleaned with water, plaster applied.",
        witnesses="Aisha Begum")
    parent = first.guardians.order_by("pk").first()
    accident_acknowledge(accident=signed, by=keyperson.user, name=parent.name if parent else "Parent",
                         signature=SIGNATURE)
    accident_record(
        child=second, by=keyperson.user, kind=AccidentKind.ACCIDENT, occurred_at=_at(ctx, 0, 9),
        body_part="Forehead", what_happened="Bumped heads with a friend at the water tray.",
        injury="Red mark, 2 cm.", first_aid="Cold compress for ten minutes; watched for an hour.",
        witnesses="Jade Thompson, Liam O'Connor")
    accident_record(
        child=first, by=keyperson.user, kind=AccidentKind.ON_ARRIVAL, occurred_at=_at(ctx, 0, 8),
        body_part="Right forearm", what_happened="Dad said she fell off her scooter at the weekend.",
        injury="Bruise, yellowing, about 3 cm.")


def build_supervision_stories(ctx: DemoContext) -> None:
    manager = ctx.manager
    held = supervision_schedule(staff=ctx.staff["keyperson1"], by=manager, due_on=ctx.today - dt.timedelta(days=7))
    children = _key_children(ctx, "keyperson1")
    supervision_hold(
        supervision=held, by=manager, held_on=ctx.today - dt.timedelta(days=7),
        feedback="Enjoying leading the toddler room; the lunchtime rota is tight.",
        training_needs="Makaton foundation; paediatric first aid renewal due in spring.",
        children={children[0].pk: {"to_raise": "Settled well; more confident at group time."},
                  children[1].pk: {"transitions_due": "Pre-school in September: plan the visits."}},
        actions=[{"what": "Arrange transition visits to pre-school", "for_staff": ctx.staff["keyperson1"],
                  "child": children[1], "due_on": ctx.today + dt.timedelta(days=14)},
                 {"what": "Book Makaton foundation course", "for_staff": ctx.staff["manager"],
                  "due_on": ctx.today + dt.timedelta(days=30)}],
    )
    supervision_schedule(staff=ctx.staff["keyperson2"], by=manager, due_on=ctx.today + dt.timedelta(days=3))


def build_injury_and_supervision_stories(ctx: DemoContext) -> None:
    build_accident_stories(ctx)
    build_supervision_stories(ctx)
