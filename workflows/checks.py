"""Project checks (`manage.py check`): what viewflow leaves open by default must be closed in every flow.

Viewflow's default lock is no lock, and a human node without an owner rule is claimable by anyone.
"""

from __future__ import annotations

from django.core import checks
from viewflow.workflow import lock
from viewflow.workflow.nodes import View

from .nodes import HumanTask


def keyflow_flows() -> list[type]:
    from .absence import AbsenceContactFlow, AbsenceWelfareFlow
    from .allocation import AllocationFlow
    from .injury import InjuryPatternFlow
    from .introduction import IntroductionFlow
    from .key_person_change import KeyPersonChangeFlow
    from .leaving import LeavingFlow
    from .room_move import RoomMoveFlow
    from .sen import SenFlow
    from .settling import SettlingFlow
    from .supervision import SupervisionActionFlow

    return [AllocationFlow, IntroductionFlow, SettlingFlow, SenFlow, AbsenceContactFlow, AbsenceWelfareFlow,
            LeavingFlow, RoomMoveFlow, KeyPersonChangeFlow, InjuryPatternFlow, SupervisionActionFlow]


def flow_problems(flow_classes) -> list[checks.CheckMessage]:
    problems = []
    for flow_class in flow_classes:
        if flow_class.lock_impl is not lock.select_for_update_lock:
            problems.append(checks.Error(
                f"{flow_class.__name__} does not lock its process rows.",
                hint="Set lock_impl = lock.select_for_update_lock on the flow.", id="keyflow.E001",
            ))
        for node in flow_class.instance.nodes():
            if isinstance(node, View) and not (isinstance(node, HumanTask) and node.role):
                problems.append(checks.Error(
                    f"{flow_class.__name__}.{node.name} does not say who may take it.",
                    hint="Use workflows.nodes.HumanTask with a role.", id="keyflow.E002",
                ))
    return problems


@checks.register()
def check_flows(app_configs=None, **kwargs):
    return flow_problems(keyflow_flows())
