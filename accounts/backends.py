from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' lock-out check for every log-in made over HTTP.

    The log-in form and the API's Basic authentication pass the request and are counted. Code that calls
    ``authenticate()`` without one (the test client's ``login()``, a shell) has no address to count and is not
    something an attacker can reach, so it goes on to the password check instead of failing outright.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
