from django.utils.functional import SimpleLazyObject

from .access import organisation_of, staff_of


def staff(request):
    user = getattr(request, "user", None)
    # Lazy: read only by the navigation, so pages that never show it pay no query.
    return {"current_staff": staff_of(user), "current_organisation": SimpleLazyObject(lambda: organisation_of(user))}
