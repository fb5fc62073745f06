from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from .second_factor import SETUP, second_factor_pending

# Pages a user who still owes a second factor may open: the two steps themselves and logging out.
OPEN_DURING_SECOND_FACTOR = {"two-factor-setup", "two-factor-verify", "logout"}


class SecondFactorMiddleware:
    """Sends a user who owes a second factor to set up an app or give its code before any other page.

    Views that need no log-in (the log-in page, the API, whose ``SecondFactorDone`` permission answers with
    a 403 of its own) are left to themselves.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "login_required", True) is False:
            return None
        step = second_factor_pending(request)
        if step is None:
            return None
        match = request.resolver_match
        if match is not None and match.url_name in OPEN_DURING_SECOND_FACTOR:
            return None
        target = reverse("two-factor-setup" if step == SETUP else "two-factor-verify")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
