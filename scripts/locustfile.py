"""Locust: staff of the load setting (scripts/load_scale.py) working their inboxes. Run by scripts/load.sh.

Each simulated member of staff starts signed in (or logs in, with LOAD_LOGIN=1), then loops: open the inbox,
open a task (its page and its API detail),
and either complete it with valid data built from the form's own description, or (managers, now and then)
take it and give it back. Every 5xx is a failure; a 409 (someone got there first) or a 400 is an answer.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "keyflow-load")
STAFF = int(os.environ.get("LOAD_STAFF", "50"))
_usernames = itertools.cycle(f"load{n:02d}" for n in range(1, STAFF + 1))
# Sessions made by `scripts/load_scale.py --sessions-file` (staff already signed in); LOAD_LOGIN=1 logs in
# through the form.
_sessions_file = os.environ.get("LOAD_SESSIONS", "")
SESSIONS = {} if os.environ.get("LOAD_LOGIN") == "1" or not _sessions_file else json.load(open(_sessions_file))

TEXT = {
    "how_it_went": "Played with the trains, settled quickly",
    "routines": "Naps after lunch",
    "parents_view": "Happy with how it went",
    "over_caseload_reason": "Load test: spreading the caseload",
    "likes": "Trains",
}


def form_data(form: dict) -> dict:
    """Valid answers for a task's form, from the API's description of its fields (workflows.api)."""
    today = dt.date.today()
    data = {}
    staff_choices = [c[0] for c in form.get("primary", {}).get("choices", [])]
    if staff_choices:
        primary, secondary = random.sample(staff_choices, 2)
        data.update(primary=primary, secondary=secondary)
    for name, field in form.items():
        if name in data:
            continue
        if name in TEXT:
            data[name] = TEXT[name]
        elif name == "starts_at":
            data[name] = (dt.datetime.combine(today, dt.time(10)) + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        elif name == "held_on":
            data[name] = today.isoformat()
        elif name == "outcome":
            data[name] = "settled"
        elif field.get("initial") not in (None, ""):
            data[name] = field["initial"]
        elif field.get("required"):
            choices = field.get("choices") or []
            data[name] = choices[0][0] if choices else "Load test note"
    return data


class Staff(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.username = next(_usernames)
        self.is_manager = int(self.username[4:]) <= 5
        page = self.client.get("/accounts/login/", name="login page")  # also sets the CSRF cookie
        if SESSIONS:
            self.client.cookies.set("sessionid", SESSIONS[self.username], domain="127.0.0.1")
            return
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        self.client.post("/accounts/login/", {"username": self.username, "password": PASSWORD,
                                              "csrfmiddlewaretoken": token}, name="log in")

    def _post(self, url: str, name: str, json=None):
        headers = {"X-CSRFToken": self.client.cookies.get("csrftoken", "")}
        with self.client.post(url, json=json, headers=headers, name=name, catch_response=True) as response:
            if response.status_code < 500:
                response.success()  # 400/403/409 are answers (a refusal, someone first), not errors
            return response

    @task
    def work_the_inbox(self) -> None:
        self.client.get("/inbox/", name="inbox page")
        rows = self.client.get("/api/tasks/", name="inbox api").json().get("results", [])
        if not rows:
            return
        row = random.choice(rows[:10])
        base = f"/processes/{row['process_id']}/tasks/{row['task_id']}/"
        self.client.get(base, name="task page")
        detail = self.client.get("/api" + base, name="task api detail")
        if detail.status_code != 200:
            return
        if self.is_manager and row["owner"] is None and random.random() < 0.3:
            self._post(f"/api{base}claim/", "claim")
            self._post(f"/api{base}release/", "release")
            return
        self._post(f"/api{base}complete/", "complete", json=form_data(detail.json()["form"]))
