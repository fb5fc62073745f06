from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from .access import staff_of
from .models import Child, LifecycleState, Room
from .models.children import ATTENDING as ATTENDING_STATES
from .text import LINE

# "Attending" is the everyday view in the room: every state before the child has gone.
ATTENDING = "attending"
STATE_CHOICES = [(ATTENDING, "Attending (not left)"), *LifecycleState.choices]


def _rooms_of_users_setting(request) -> QuerySet[Room]:
    staff = staff_of(getattr(request, "user", None))
    if staff is None:
        return Room.objects.none()
    return Room.objects.filter(setting_id=staff.setting_id)


class ChildFilter(django_filters.FilterSet):
    """Narrows a queryset that is already limited to what the user may see (processes.access)."""

    q = django_filters.CharFilter(method="filter_name", label="Name", max_length=LINE)
    room = django_filters.ModelChoiceFilter(queryset=_rooms_of_users_setting, empty_label="All rooms")
    state = django_filters.ChoiceFilter(
        choices=STATE_CHOICES, method="filter_state", label="Stage", empty_label="All stages"
    )

    class Meta:
        model = Child
        fields = ["q", "room", "state"]

    def filter_name(self, queryset: QuerySet[Child], name: str, value: str) -> QuerySet[Child]:
        # Every word has to match some part of the name, so "amelia sm" finds Amelia Smith.
        for word in value.split():
            queryset = queryset.filter(
                Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(preferred_name__icontains=word)
            )
        return queryset

    def filter_state(self, queryset: QuerySet[Child], name: str, value: str) -> QuerySet[Child]:
        if value == ATTENDING:
            return queryset.filter(state__in=ATTENDING_STATES)
        return queryset.filter(state=value)

    @property
    def is_filtering(self) -> bool:
        return self.is_bound and any(self.data.get(name, "").strip() for name in self.filters)
