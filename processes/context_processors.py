from .access import staff_of


def staff(request):
    return {"current_staff": staff_of(getattr(request, "user", None))}
