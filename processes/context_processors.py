from django.utils.functional import SimpleLazyObject

from .access import organisation_of, staff_of


def staff(request):
    user = getattr(request, "user", None)
    staff = staff_of(user)
    # The navigation's "Organisation" link is for a member who is nobody's staff (an area manager, a local
    # authority team): staff pages pay no query for it; a member who is also staff somewhere opens
    # /organisation/ directly.
    return {"current_staff": staff,
            "current_organisation": SimpleLazyObject(lambda: None if staff else organisation_of(user))}
