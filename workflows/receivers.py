from __future__ import annotations

from django.dispatch import receiver

from processes.signals import child_registered, key_person_changed, staff_absence_recorded


@receiver(child_registered)
def start_allocation(sender, child, by, **kwargs) -> None:
    """A child registered with a start date needs a key person before it (EYFS 3.26)."""
    if child.start_date is None:
        return
    from .allocation import AllocationFlow
    from .base import process_start

    process_start(flow_class=AllocationFlow, child=child, by=by)


@receiver(staff_absence_recorded)
def reroute_for_absence(sender, absence, by, **kwargs) -> None:
    from processes.models import KeyPersonAssignment

    from .routing import tasks_reroute

    children = KeyPersonAssignment.objects.current().filter(staff=absence.staff).values_list("child_id", flat=True)
    tasks_reroute(child_ids=list(children))


@receiver(key_person_changed)
def reroute_for_new_key_person(sender, child, assignment, by, **kwargs) -> None:
    from .routing import tasks_reroute

    tasks_reroute(child_ids=[child.pk])
