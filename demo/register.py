"""The demo's register for today: staff in their rooms with their qualifications, children signed in, one
absence explained, the Babies room below ratio and a toddler in without their key person or secondary.

Times are spread over the last few hours (never in the future, never before midnight), so the room screens
and the dashboard show the day as it happens whenever the demo is loaded.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from processes.models import Child, LifecycleState, Staff
from processes.services import child_absence_explain, child_sign_in, staff_sign_in, staff_update

from .context import DemoContext

# (username, level, qualified, paediatric first aid, student, competent): the ratios read these (EYFS 3.40-3.47).
QUALIFICATIONS = [
    ("manager", 6, dt.date(2011, 7, 1), True, False, False),
    ("keyperson2", 6, dt.date(2018, 7, 1), True, False, False),  # EYTS: the pre-school may run at 1:13
    ("senco", 3, dt.date(2012, 7, 1), True, False, False),
    ("keyperson1", 3, dt.date(2019, 7, 1), True, False, False),
    ("chloe.evans", 3, dt.date(2014, 7, 1), True, False, False),
    ("agnieszka.nowak", 3, dt.date(2020, 7, 1), False, False, False),  # counts as unqualified until her PFA
    ("megan.hughes", 0, None, False, True, False),  # an apprentice not yet marked competent
    ("aisha.begum", 2, dt.date(2021, 7, 1), True, False, False),
]
PRESENT = (LifecycleState.SETTLING_IN, LifecycleState.SETTLED, LifecycleState.IN_TRANSITION, LifecycleState.LEAVING)


def build_register(ctx: DemoContext) -> None:
    now = timezone.localtime()
    first = max(now - dt.timedelta(hours=3), now.replace(hour=0, minute=1, second=0, microsecond=0))
    moments = iter(min(first + dt.timedelta(minutes=3 * i), now) for i in range(1000))
    for username, level, qualified, first_aid, student, competent in QUALIFICATIONS:
        if username in ctx.staff:
            ctx.staff[username] = staff_update(
                staff=ctx.staff[username], by=ctx.manager, qualification_level=level, qualified_on=qualified,
                first_aid_until=ctx.today + dt.timedelta(days=500) if first_aid else None, is_student=student,
                is_competent=competent)

    def staff_in(username: str, room: str) -> Staff | None:
        member = ctx.staff.get(username)
        if member is not None:
            staff_sign_in(staff=member, by=ctx.manager, room=ctx.rooms[room], at=next(moments))
        return member

    def children_of(room: str) -> list[Child]:
        return list(Child.objects.filter(room=ctx.rooms[room], state__in=PRESENT, start_date__lte=ctx.today)
                    .prefetch_related("assignments").order_by("first_name", "pk"))

    # Babies: one practitioner for four under-twos (1:3 needs two): below ratio.
    chloe = staff_in("chloe.evans", "babies")
    for child in children_of("babies")[:4]:
        child_sign_in(child=child, by=chloe.user if chloe else ctx.manager, at=next(moments), brought_by="Mum")

    # Toddlers: Aisha only. One toddler whose key person and secondary are both out (Jade and Liam cover each
    # other), then two of Aisha's own.
    aisha = staff_in("aisha.begum", "toddlers")
    toddlers = children_of("toddlers")

    def aishas(child: Child) -> bool:
        return any(a.ends_on is None and a.staff_id == getattr(aisha, "pk", None) for a in child.assignments.all())

    for child in [c for c in toddlers if not aishas(c)][:1] + [c for c in toddlers if aishas(c)][:2]:
        child_sign_in(child=child, by=ctx.manager, at=next(moments), brought_by="Dad")

    # Pre-school: an early years teacher (level 6) and the SENCO: 1:13 for the three-and-overs.
    staff_in("keyperson2", "preschool")
    staff_in("senco", "preschool")
    preschool = children_of("preschool")
    for child in preschool[:-1]:
        child_sign_in(child=child, by=ctx.manager, at=next(moments), brought_by="Mum")
    if preschool:
        child_absence_explain(child=preschool[-1], by=ctx.manager, day=ctx.today, reason="Chickenpox")
