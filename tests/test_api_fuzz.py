"""A bounded, property-based fuzz of the JSON API from its own OpenAPI schema (/api/schema/), with schemathesis.

For each operation, a few generated requests (valid and malformed: wrong types, NUL bytes, huge ids, lists for
objects) are sent through Keyflow's WSGI application as a logged-in key person and as a manager, with a SEN
concern and an allocation open so some ids name real tasks. It fails on any 5xx, on a status code the schema
does not list, and on a response whose body or content type the schema does not describe.
"""

from __future__ import annotations

import base64
import json

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from . import senkit as sk
from .flowkit import allocate, open_tasks, register

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 10
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def _in_process_wsgi():
    """Requests go through Django's real WSGI handler inside the test's transaction.

    The handler closes "old" connections when a request ends, which would close the test's own: Django's test
    client stops that the same way for the length of the test.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=["key_person", "manager"])
def fuzz_as(request, setting, room, manager, key_person, other_key_person, senco):
    """The role the fuzz runs as, with work in the setting: an allocation waiting and a SEN concern raised."""
    other = register(setting=setting, room=room, manager=manager)
    child = register(setting=setting, room=room, manager=manager, first_name="Ben")
    allocate(child, manager, key_person, other_key_person)
    sk.raise_concern(child, key_person.user)
    REAL.clear()
    REAL.update(children=[child.pk], tasks=[(t.process_id, t.pk) for t in open_tasks(child)] + [
        (t.process_id, t.pk) for t in open_tasks(other)])
    user = {"key_person": key_person, "manager": manager}[request.param].user
    token = base64.b64encode(f"{user.username}:pass-word-123".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def _served_schema() -> dict:
    """The document /api/schema/ serves (drf-spectacular's generator, rendered as JSON), built at collection:
    schemathesis's per-operation tests are made from it before any fixture runs."""
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


schema = schemathesis.openapi.from_dict(_served_schema())
schema.app = WSGIHandler()
schema.config.generation.update(max_examples=EXAMPLES_PER_OPERATION, database="none")
# The coverage phase would send every boundary case of every parameter (about a thousand requests, half a
# minute): the generated examples of both modes, valid and malformed, keep the fuzz to seconds.
schema.config.phases.coverage.enabled = False

# The ids of the fuzz's setting (filled by fuzz_as): random ids almost never name a record, so half the
# generated requests are pointed at real ones and reach the forms and the services.
REAL: dict[str, list] = {}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    names = set(path_parameters or ())
    if names == {"process_id", "task_id"} and REAL.get("tasks"):
        real = st.sampled_from(REAL["tasks"]).map(lambda ids: {"process_id": ids[0], "task_id": ids[1]})
    elif names == {"id"} and REAL.get("children"):
        real = st.sampled_from(REAL["children"]).map(lambda pk: {"id": pk})
    else:
        return st.just(path_parameters)
    return st.one_of(st.just(path_parameters), real)


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_the_api_answers_every_generated_request_as_its_schema_says(case, fuzz_as):
    case.call_and_validate(headers=fuzz_as, checks=CHECKS)
