from __future__ import annotations

from knox.auth import TokenAuthentication
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission

from .second_factor import PENDING, second_factor_step


class SecondFactorDone(BasePermission):
    """The API refuses a user who still owes a second factor.

    A browser session carries the decision made at log-in. Basic authentication can never carry a code, so a
    user who needs one cannot use it and must go through the log-in page.
    """

    message = "Finish logging in (the code from your authenticator app) in the browser first."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return True  # IsAuthenticated answers for these
        if isinstance(request.successful_authenticator, SessionAuthentication):
            is_verified = getattr(user, "is_verified", None)
            return bool(is_verified and is_verified()) or not request.session.get(PENDING)
        if isinstance(request.successful_authenticator, TokenAuthentication):
            return True  # a token is made only on the tokens page, behind the whole log-in and its second factor
        return second_factor_step(user) is None
