"""The pages' frame: Keyflow's own error pages (with its navigation, within the CSP), its favicon and print
stylesheet, and `make run` ending with where to open and who to log in as."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.views import defaults

ROOT = Path(settings.BASE_DIR)
INLINE = re.compile(r"<style|\sstyle=|<script(?![^>]*\ssrc=)", re.I)


def test_a_missing_page_is_keyflows_404_with_its_navigation_and_no_inline_style(client, key_person):
    client.force_login(key_person.user)
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html and 'aria-label="Main"' in html
    assert f'href="{reverse("child-list")}"' in html  # the navigation, and a way on
    assert not INLINE.search(html) and "turbo" not in html


def test_a_page_the_role_may_not_open_is_keyflows_403_with_its_navigation(client, key_person):
    client.force_login(key_person.user)
    response = client.get(reverse("dashboard"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "Not allowed" in html and 'aria-label="Main"' in html and "Notifications" in html
    assert not INLINE.search(html) and "turbo" not in html


def test_the_500_page_renders_without_a_request_context_and_without_inline_style(db):
    response = defaults.server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html and "keyflow.css" in html
    assert not INLINE.search(html)


def test_every_page_links_a_local_favicon_and_a_print_stylesheet(client):
    html = client.get(reverse("login")).content.decode()
    assert re.search(r'<link rel="icon" href="/static/favicon\.svg"', html)
    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in html
    assert (ROOT / "static/favicon.svg").read_text().startswith("<svg")
    assert "@page" in (ROOT / "static/css/print.css").read_text()


def test_make_run_serves_the_apps_404_page_and_ends_with_the_log_ins_and_a_clean_ctrl_c():
    script = (ROOT / "scripts/run.sh").read_text()
    # Django's debug 404 page shows whenever DEBUG is on, whatever handler404 says: the server runs without it,
    # and runserver --insecure still serves the static files.
    assert re.search(r"DEBUG=0 in_own_group \S+ manage.py runserver --insecure", script)
    assert "trap 'exit 0' INT" in script  # make reports no error after Ctrl-C
    assert script.index("Keyflow is running: open") > script.index("manage.py runserver")
    assert ">>\"$SETUP_LOG\"" in script  # migrate's and load_demo's lines go to the log, not the screen
