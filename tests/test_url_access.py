"""Every URL Keyflow answers needs a log-in, except an explicit allow-list.

The test walks the whole URL table (the admin, the API, every app's pages, whatever is added later), fills in
path parameters, and asks each URL anonymously with GET and POST. A new URL that forgets its log-in fails here.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

# Open to anybody, and why. Nothing else.
ALLOWED_ANONYMOUS = {
    "login",  # the way in
    "logout",  # logging out an anonymous visitor does nothing
    "admin:login",  # the admin's own way in (the same accounts and the same lock-out)
    "password-reset-confirm",  # a one-time link from the manager (accounts.password_reset): useless without it
    "password-reset-complete",  # "your new password is saved": says nothing about anyone
    "calendar-feed",  # a staff member's private feed: its secret token is the key (calendar programs cannot log in)
    "accident-link",  # a parent's one-time link to sign for an accident record: the hashed token is the key
    "pack-download",  # the receiving school's link (issue 18): useless without its token and the separate code
}
# Not here on purpose: the OpenAPI schema (it maps the API for an attacker and no outsider needs it), the
# two-factor pages (only after the password), the static files (served by whitenoise before any URL).

SAMPLES = {"int": "1", "str": "x", "slug": "x", "path": "x/1", "uuid": "00000000-0000-0000-0000-000000000001"}


def _sample_regex(regex: str) -> str:
    """A path that matches one of Django's regex patterns (the admin's app_list, jsi18n and the like)."""
    text = regex.lstrip("^").rstrip("$").replace("\\Z", "")
    # A named group of alternatives (app_label=auth|processes) takes its first; any other group a sample id.
    text = re.sub(r"\(\?P<\w+>([\w]+)(\|[\w|]+)?\)", r"\1", text)
    text = re.sub(r"\(\?P<\w+>[^)]*\)", "1", text)
    return text.replace("\\", "")


def _sample_route(pattern: RoutePattern) -> str:
    route = str(pattern)
    for name, converter in pattern.converters.items():
        kind = type(converter).__name__.replace("Converter", "").lower()
        route = re.sub(rf"<(\w+:)?{name}>", SAMPLES.get(kind, "1"), route)
    return route


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        pattern = entry.pattern
        piece = _sample_regex(pattern.regex.pattern) if isinstance(pattern, RegexPattern) else _sample_route(pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, prefix + piece, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name or entry.lookup_str}", "/" + prefix + piece, entry.callback


VIEWS = {(name, url): view for name, url, view in _walk(get_resolver())}
URLS = sorted(VIEWS)


def test_the_walk_covers_the_whole_url_table():
    names = {name for name, _ in URLS}
    # Every part of Keyflow is in it: pages, tasks, the API, the admin, the audit search, two-factor log-in.
    for name in ("child-detail", "child-timeline", "inbox", "task-detail", "task-claim", "api-task-complete",
                 "api-schema", "audit-search", "two-factor-setup", "admin:index", "admin:processes_child_change"):
        assert name in names
    assert len(URLS) > 100


@pytest.mark.parametrize(("name", "url"), URLS, ids=[name for name, _ in URLS])
def test_every_url_needs_a_log_in(client, db, name, url):
    assert resolve(url).func == VIEWS[name, url], f"the sample path {url} does not reach {name}"
    if name in ALLOWED_ANONYMOUS:
        return
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if url.startswith("/api/"):
            assert response.status_code in (401, 403), f"{method.upper()} {url} answered {response.status_code}"
        else:
            assert response.status_code == 302, f"{method.upper()} {url} answered {response.status_code}"
            assert response["Location"].startswith(("/accounts/login/", "/admin/login/")), response["Location"]


def test_the_allow_list_names_real_urls():
    names = {name for name, _ in URLS}
    assert ALLOWED_ANONYMOUS <= names
