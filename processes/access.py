"""Who sees which records. Every view, the API and the admin start from these querysets.

A key person sees their key children and those they back up as secondary; the SENCO and the manager see
every child of their setting; nobody sees another setting's records. Someone else's record is a 404, not a
403, so its existence is not disclosed.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from .ids import id_in_range
from .models import Child, KeyPersonAssignment, Organisation, OrganisationMember, Room, Staff


def staff_of(user) -> Staff | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    try:
        return user.staff
    except Staff.DoesNotExist:
        return None


def sees_whole_setting(staff: Staff | None) -> bool:
    return bool(staff and (staff.is_manager or staff.is_senco or staff.is_dsl))


def children_visible_to(user) -> QuerySet[Child]:
    staff = staff_of(user)
    if staff is None:
        return Child.objects.none()
    children = Child.objects.filter(setting_id=staff.setting_id)
    if sees_whole_setting(staff):
        return children
    return children.filter(assignments__staff=staff, assignments__ends_on__isnull=True).distinct()


def child_for(user, pk: int) -> Child:
    if not id_in_range(pk):
        raise Http404("No such child.")
    try:
        return children_visible_to(user).get(pk=pk)
    except (Child.DoesNotExist, ValueError, TypeError):
        raise Http404("No such child.") from None


def is_manager_of(user, setting_id: int) -> bool:
    staff = staff_of(user)
    return bool(staff and staff.is_manager and staff.setting_id == setting_id)


def setting_manager(user) -> Staff:
    """The manager acting on their own setting's everyday records (staff absences); anyone else is refused."""
    staff = staff_of(user)
    if staff is None or not staff.is_manager:
        raise PermissionDenied("This page is for the setting's manager.")
    return staff


def can_edit_child(user, child: Child) -> bool:
    """Only the manager edits a child's core record; the SENCO edits SEN records only (workflows II)."""
    return is_manager_of(user, child.setting_id)


def child_to_manage(user, pk: int) -> Child:
    """A child whose record the user changes: someone else's child is a 404; a child the user sees but may not
    change (their key child, for a key person) is refused with a 403 that says who can."""
    child = child_for(user, pk)
    if not can_edit_child(user, child):
        raise PermissionDenied("Only the setting's manager changes a child's record.")
    return child


def may_see_sen(user, child: Child) -> bool:
    """SEN records: the child's current key person and secondary, the SENCO and the manager, nobody else
    (not the DSL or a colleague in the room, who see the child's ordinary record)."""
    staff = staff_of(user)
    if staff is None or staff.setting_id != child.setting_id:
        return False
    if staff.is_manager or staff.is_senco:
        return True
    return child.assignments.filter(staff=staff, ends_on__isnull=True).exists()


def sen_child_for(user, pk: int) -> Child:
    child = child_for(user, pk)
    if not may_see_sen(user, child):
        raise Http404("No such record.")
    return child


def may_see_room(user, room: Room) -> bool:
    """The room's need-to-know cards (processes.room_care): the staff who work in the room, and those who see
    the whole setting. "Working in a room" is the member of staff's room on their record (Staff.room): seed
    002 makes everyone in a session responsible for ALL children present, so a colleague based in the room
    sees what keeps each child safe, whatever their own caseload. Another room's staff see nothing of it."""
    staff = staff_of(user)
    if staff is None or staff.setting_id != room.setting_id:
        return False
    return sees_whole_setting(staff) or staff.room_id == room.pk


def room_for(user, pk: int) -> Room:
    """A room whose need-to-know cards the user may see; any other (another room's, another setting's, none)
    is a 404, so a room's children are not disclosed by their room's existence."""
    if not id_in_range(pk):
        raise Http404("No such room.")
    room = Room.objects.filter(pk=pk).first()
    if room is None or not may_see_room(user, room):
        raise Http404("No such room.")
    return room


def organisation_of(user) -> Organisation | None:
    """The organisation whose settings' figures the user sees (an area manager, a local authority's early years
    team). It opens no child's record: those need a staff profile in the setting (children_visible_to)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    member = OrganisationMember.objects.filter(user=user).select_related("organisation").first()
    return member.organisation if member else None


def may_see_accidents(user, child: Child) -> bool:
    """Accident and injury records (health, and a safeguarding matter when they form a pattern): the child's
    current key person and secondary, the manager and the designated safeguarding lead."""
    return may_see_accidents_of(user, child_id=child.pk, setting_id=child.setting_id)


def may_see_accidents_of(user, *, child_id: int, setting_id: int) -> bool:
    staff = staff_of(user)
    if staff is None or staff.setting_id != setting_id:
        return False
    if staff.is_manager or staff.is_dsl:
        return True
    return KeyPersonAssignment.objects.filter(child_id=child_id, staff=staff, ends_on__isnull=True).exists()


def accident_child_for(user, pk: int) -> Child:
    child = child_for(user, pk)
    if not may_see_accidents(user, child):
        raise Http404("No such record.")
    return child
