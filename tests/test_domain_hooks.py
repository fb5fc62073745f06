"""The domain's hooks (processes.hooks): the apps above fill them, the domain never imports those apps."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from processes import hooks


def test_the_workflows_app_fills_the_domains_hooks():
    assert [records.section for records in hooks.held_records()] == ["processes_and_tasks"]
    assert hooks.child_timeline().template == "workflows/_child_timeline.html"
    assert hooks.home_page() == "inbox"


def test_records_held_about_a_child_need_a_lawful_basis_before_they_are_registered():
    unexplained = hooks.HeldRecords(section="photographs", export=lambda child: [], retained=lambda child: {})
    with pytest.raises(ImproperlyConfigured, match="lawful basis"):
        hooks.held_records_register(unexplained)
    assert "photographs" not in [records.section for records in hooks.held_records()]
