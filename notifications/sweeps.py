"""The periodic sweeps (Celery beat): reminders, escalations, digests, lifecycle dates, and e-mails to resend.

Each walks its rows in batches by keyset pagination (`pk > last`, never OFFSET), and runs a fixed number of
queries per batch whatever the batch holds: one to read the batch with everything it needs joined in, one for
the people to tell, one INSERT … ON CONFLICT DO NOTHING (per 2,000 rows) for the notifications. Each batch
commits on its own and its e-mails are queued after that commit, as one Celery message. A sweep run twice, or
by two beats at once, inserts nothing the second time: the dedupe keys are already there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from processes import deadlines
from processes.dates import day_text
from processes.models import AssignmentRole, Child, KeyPersonAssignment
from processes.models.children import ATTENDING
from workflows.models import OPEN, InboxEntry

from . import email_queue, inbox
from .models import Channel, EmailPreference, Kind, Notification, NotificationPolicy, NotificationPreference, Status
from .sending import CLAIM_LEASE
from .services import for_staff, notifications_save

BATCH_SIZE = 500

OnBatch = Callable[[int], None] | None


def _batches(queryset: QuerySet, batch_size: int, key: str = "pk") -> Iterator[list]:
    last = None
    while True:
        page = queryset if last is None else queryset.filter(**{f"{key}__gt": last})
        batch = list(page.order_by(key)[:batch_size])
        if not batch:
            return
        yield batch
        last = getattr(batch[-1], key)
        if len(batch) < batch_size:
            return


def _run(queryset: QuerySet, batch_size: int, build: Callable[[list], list[Notification]], on_batch: OnBatch,
         key: str = "pk") -> int:
    written = 0
    for batch in _batches(queryset, batch_size, key):
        with transaction.atomic():
            rows = build(batch)
            notifications_save(rows)
        written += len(rows)
        if on_batch:
            on_batch(len(rows))
    return written


def _policies() -> dict[int, NotificationPolicy]:
    return {p.setting_id: p for p in NotificationPolicy.objects.all()}


def _lead(policies, setting_id: int) -> dt.timedelta:
    policy = policies.get(setting_id)
    return dt.timedelta(hours=policy.reminder_lead_hours) if policy else deadlines.REMINDER_LEAD


def _margin(policies, setting_id: int) -> dt.timedelta:
    policy = policies.get(setting_id)
    return dt.timedelta(hours=policy.escalation_margin_hours) if policy else deadlines.ESCALATION_MARGIN


def _open_entries() -> QuerySet[InboxEntry]:
    return InboxEntry.objects.filter(task__status__in=OPEN, due_at__isnull=False).select_related(
        "task__owner__notification_preference")


def _told(kind: str, *, since) -> QuerySet[Notification]:
    """Notices of `kind` about the outer task written after `since` (in the app: every staff notice has one)."""
    return Notification.objects.filter(kind=kind, task_id=OuterRef("task_id"), channel=Channel.IN_APP,
                                       created_at__gt=since)


def reminders_sweep(*, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE, on_batch: OnBatch = None) -> int:
    """Remind whoever has a task that falls due within their setting's lead time. Returns the rows written
    (in-app and e-mail; rows already there from an earlier run are counted but not written again)."""
    now = now or timezone.now()
    policies = _policies()
    widest = max([deadlines.REMINDER_LEAD, *(_lead(policies, s) for s in policies)])
    start, end = deadlines.reminder_window(now, widest)
    # Tasks already reminded for this deadline are left out in the page query itself, so the sweep every
    # quarter of an hour reads only what is new (the dedupe keys still stop anything that slips through).
    entries = _open_entries().filter(due_at__gt=start, due_at__lte=end).exclude(
        Exists(_told(Kind.TASK_REMINDER, since=OuterRef("due_at") - widest)))

    def build(batch):
        batch = [e for e in batch if e.due_at <= deadlines.reminder_window(now, _lead(policies, e.setting_id))[1]]
        claimers = inbox.claimers_by_setting({e.setting_id for e in batch if e.task.owner_id is None})
        return [row for e in batch for row in inbox.reminder_rows(e, claimers, now=now)]

    return _run(entries, batch_size, build, on_batch, key="task_id")


def escalations_sweep(*, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE, on_batch: OnBatch = None) -> int:
    """Tell the setting's managers of each task overdue by more than the setting's margin."""
    now = now or timezone.now()
    policies = _policies()
    narrowest = min([deadlines.ESCALATION_MARGIN, *(_margin(policies, s) for s in policies)])
    entries = _open_entries().filter(due_at__lt=deadlines.escalation_cutoff(now, narrowest)).exclude(
        Exists(_told(Kind.TASK_ESCALATION, since=OuterRef("due_at"))))

    def build(batch):
        batch = [e for e in batch if e.due_at < deadlines.escalation_cutoff(now, _margin(policies, e.setting_id))]
        claimers = inbox.claimers_by_setting({e.setting_id for e in batch})
        return [row for e in batch for row in inbox.escalation_rows(e, claimers, now=now)]

    return _run(entries, batch_size, build, on_batch, key="task_id")


def digests_sweep(*, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE, on_batch: OnBatch = None) -> int:
    """One e-mail a day to each person who asked for a digest, listing the day's notifications (none if none)."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=1)
    preferences = NotificationPreference.objects.filter(
        email=EmailPreference.DIGEST, user__is_active=True, user__staff__isnull=False,
    ).exclude(user__email="").select_related("user__staff")

    def build(batch):
        counts = dict(
            Notification.objects.filter(recipient_user_id__in=[p.user_id for p in batch], channel=Channel.IN_APP,
                                        created_at__gte=since, created_at__lt=now)
            .exclude(kind=Kind.DIGEST).values("recipient_user_id").annotate(n=Count("pk"))
            .values_list("recipient_user_id", "n")
        )
        day = timezone.localdate(now).isoformat()
        return [
            Notification(setting_id=p.user.staff.setting_id, kind=Kind.DIGEST, channel=Channel.EMAIL,
                         recipient_user=p.user, email=p.user.email, created_at=now,
                         subject=f"Keyflow: {counts[p.user_id]} notification(s) for you today",
                         refs={"since": since.isoformat(), "until": now.isoformat(), "count": counts[p.user_id]},
                         dedupe_key=f"digest:{day}:email:u{p.user_id}")
            for p in batch if counts.get(p.user_id)
        ]

    return _run(preferences, batch_size, build, on_batch)


def lifecycle_sweep(*, today: dt.date | None = None, batch_size: int = BATCH_SIZE, on_batch: OnBatch = None) -> int:
    """Dates in a child's life the staff must act on: the two-year progress check falls due (told to the key
    person), the child outgrows their room or leaves soon (told to the key person and the managers)."""
    today = today or timezone.localdate()
    now = timezone.now()
    until = deadlines.lifecycle_notice_until(today)
    born_from, born_to = deadlines.two_year_check_births(today)
    children = Child.objects.filter(state__in=ATTENDING).filter(
        Q(date_of_birth__range=(born_from, born_to)) | Q(room__isnull=False)
        | Q(expected_leaving_date__range=(today, until))
    ).select_related("room")

    def build(batch):
        key_persons = {
            a.child_id: a.staff.user for a in KeyPersonAssignment.objects.current().filter(
                child_id__in=[c.pk for c in batch], role=AssignmentRole.PRIMARY,
            ).select_related("staff__user__notification_preference")
        }
        claimers = inbox.claimers_by_setting({c.setting_id for c in batch})
        rows = []
        for child in batch:
            managers = claimers.get(child.setting_id, {}).get("escalation", [])
            key_person = key_persons.get(child.pk)
            both = ([key_person] if key_person else []) + managers
            url = reverse("child-detail", args=[child.pk])
            for kind, event, subject, refs in _child_events(child, today, until):
                # The reminder leads to the check's own step (workflows.two_year_check), not just the record.
                link = reverse("two-year-check", args=[child.pk]) if kind == Kind.TWO_YEAR_CHECK else url
                users = ([key_person] if key_person else managers) if kind == Kind.TWO_YEAR_CHECK else both
                for user in {u.pk: u for u in users}.values():
                    rows += for_staff(user, kind=kind, event=event, setting_id=child.setting_id, now=now,
                                      subject=subject, child_id=child.pk,
                                      refs={"child": child.name, "url": link, **refs})
        return rows

    return _run(children, batch_size, build, on_batch)


def _child_events(child: Child, today: dt.date, until: dt.date):
    opens, closes = deadlines.two_year_check_window(child.date_of_birth)
    if opens <= today <= closes:
        yield (Kind.TWO_YEAR_CHECK, f"c{child.pk}", f"Two-year progress check due for {child.name}",
               {"date": closes.isoformat()})
    if child.room is not None:
        moves_on = deadlines.room_move_due_on(child.date_of_birth, child.room.max_age_months)
        if moves_on <= until:
            yield (Kind.ROOM_MOVE, f"c{child.pk}:r{child.room_id}", f"{child.name} outgrows {child.room.name}",
                   {"date": moves_on.isoformat(), "room": child.room.name})
    if child.expected_leaving_date and today <= child.expected_leaving_date <= until:
        yield (Kind.LEAVING, f"c{child.pk}:{child.expected_leaving_date.isoformat()}",
               f"{child.name} leaves on {day_text(child.expected_leaving_date)}",
               {"date": child.expected_leaving_date.isoformat(), "school": child.destination_school})


def resend_sweep(*, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE, on_batch: OnBatch = None) -> int:
    """Queue again the e-mails whose Celery message was lost (the broker was down at commit, a worker died
    holding the claim): queued for more than a few minutes, or sending past the claim lease."""
    now = now or timezone.now()
    stuck = Notification.objects.filter(channel=Channel.EMAIL).filter(
        Q(status=Status.QUEUED, created_at__lt=now - dt.timedelta(minutes=5))
        | Q(status=Status.SENDING, claimed_at__lt=now - CLAIM_LEASE)
    ).only("pk", "dedupe_key", "status")
    queued = 0
    for batch in _batches(stuck, batch_size):
        keys = [n.dedupe_key for n in batch]
        Notification.objects.filter(pk__in=[n.pk for n in batch], status=Status.SENDING,
                                    claimed_at__lt=now - CLAIM_LEASE).update(status=Status.QUEUED)
        email_queue.deliver_after_commit(keys)
        queued += len(keys)
        if on_batch:
            on_batch(len(keys))
    return queued

