"""Driving the SEN workflow in tests: each helper completes one step through workflows.services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from processes import services
from processes.models import ConsentMethod, ConsentPurpose, SenConcern

from .flowkit import complete, open_tasks, the_task

TODAY = lambda: timezone.localdate()  # noqa: E731
REFER_TO = "Speech and language therapy"


def guardian_of(child):
    return child.guardian_links.select_related("guardian").first().guardian


def raise_concern(child, by, **extra) -> SenConcern:
    return services.sen_concern_raise(
        child=child, by=by, areas=extra.pop("areas", ["communication"]),
        observed=extra.pop("observed", "Uses few words; does not respond to their name"),
        since=extra.pop("since", TODAY() - dt.timedelta(weeks=6)),
    )


def tell_parents(child, key_person_user):
    return complete(the_task(child, "tell_parents"), key_person_user, held_on=TODAY(), with_whom="Mum",
                    parents_view="They have noticed it too")


def answer_consent(child, senco_user, decision="granted", node="ask_consent"):
    return complete(the_task(child, node), senco_user, guardian=guardian_of(child).pk, decision=decision,
                    method=ConsentMethod.SIGNED_FORM)


def record_consent(child, by, status, purpose=ConsentPurpose.SENCO_OBSERVATION, recipient=""):
    return services.consent_record(child=child, guardian=guardian_of(child), purpose=purpose, status=status,
                                   method=ConsentMethod.IN_PERSON, recipient=recipient, by=by)


def observe(child, senco_user, then="decide", **extra):
    data = {"observed_on": TODAY(), "notes": "Pointed but did not name objects", "next": then, **extra}
    return complete(the_task(child, "observe"), senco_user, **data)


def decide(child, senco_user, decision, **extra):
    data = {"next": decision, "reasons": "Observations show a delay in expressive language"}
    if decision == "monitor":
        data["review_on"] = TODAY() + dt.timedelta(weeks=4)
    if decision == "refer":
        data["refer_to"] = REFER_TO
    data.update(extra)
    return complete(the_task(child, "decide"), senco_user, **data)


def meet(child, key_person_user):
    return complete(the_task(child, "meeting"), key_person_user, held_on=TODAY(), attendees="Mum, SENCO, key person",
                    outcome="Parents agree", agreed_actions="Referral; targets at home")


def refer(child, senco_user):
    return complete(the_task(child, "refer"), senco_user, sent_on=TODAY(),
                    what_was_sent="Referral form and observations",
                    next="sent")


def track(child, senco_user, concluded=True):
    return complete(the_task(child, "track"), senco_user, kind="appointment", on=TODAY(),
                    notes="First assessment booked", concluded="on" if concluded else "")


def write_plan(child, key_person_user, targets="Use two-word phrases | modelling at snack time"):
    return complete(the_task(child, "plan"), key_person_user, targets=targets,
                    review_on=TODAY() + dt.timedelta(weeks=6))


def review(child, key_person_user, outcome):
    task = the_task(child, "review")
    form = task.flow_task.form_class(task=task)
    progress = {name: "Some progress" for name in form.fields if name.startswith("progress_")}
    return complete(task, key_person_user, held_on=TODAY(), parents_view="Pleased", outcome=outcome, **progress)


def open_nodes(child) -> list[str]:
    return sorted(t.flow_task.name for t in open_tasks(child))
