"""Each SEN process's state moves from its JSON (`process.data`) into its SenProcess row (workflows 0005).

The JSON held the concern's id, the SENCO's comment, the step a task was sent back from, the referral followed
up, whom to refer to and "next": the last choice made. Of "next", only the SENCO's decision is read after the
step that made it (the meeting follows it); the concern's latest decision says the same, and whom to refer to,
so the process points at that decision. The support plan and the EHC request followed are the concern's
latest.
"""

from django.db import migrations

MOVED = ("concern_id", "next", "sent_back_from", "comment", "refer_to", "referral_id")


def sen_state_to_model(apps, schema_editor):
    db = schema_editor.connection.alias
    ChildProcess = apps.get_model("workflows", "ChildProcess")
    SenProcess = apps.get_model("workflows", "SenProcess")
    SencoDecision = apps.get_model("processes", "SencoDecision")
    EhcRequest = apps.get_model("processes", "EhcRequest")
    Referral = apps.get_model("processes", "Referral")
    SupportPlan = apps.get_model("processes", "SupportPlan")
    for process in ChildProcess.objects.using(db).filter(kind="sen").order_by("pk"):
        data = dict(process.data or {})
        if "concern_id" not in data:
            raise RuntimeError(f"SEN process {process.pk} names no concern: it cannot be moved to SenProcess.")
        concern_id = data["concern_id"]
        chosen = data.get("next") or ""
        referral_id = data.get("referral_id")
        sen = SenProcess(
            childprocess_ptr_id=process.pk,
            concern_id=concern_id,
            decision_id=SencoDecision.objects.using(db).filter(concern_id=concern_id)
            .order_by("-decided_at", "-id").values_list("pk", flat=True).first(),
            plan_id=SupportPlan.objects.using(db).filter(concern_id=concern_id).order_by("-cycle")
            .values_list("pk", flat=True).first(),
            referral_id=referral_id if Referral.objects.using(db).filter(pk=referral_id).exists() else None,
            ehc_request_id=EhcRequest.objects.using(db).filter(concern_id=concern_id)
            .order_by("-requested_on", "-id").values_list("pk", flat=True).first(),
            sent_back_from=data.get("sent_back_from") or "",
            comment=data.get("comment") or "",
            observe_again=chosen == "observe_again",
            ask_again=chosen == "ask_again",
        )
        sen.save_base(raw=True, using=db)  # this table's row only: the process and its ChildProcess exist
        process.data = {k: v for k, v in data.items() if k not in MOVED}
        process.save(update_fields=["data"], using=db)


def sen_state_to_json(apps, schema_editor):
    db = schema_editor.connection.alias
    SenProcess = apps.get_model("workflows", "SenProcess")
    SencoDecision = apps.get_model("processes", "SencoDecision")
    for sen in SenProcess.objects.using(db).order_by("pk"):
        decision = SencoDecision.objects.using(db).filter(pk=sen.decision_id).first()
        chosen = ("observe_again" if sen.observe_again else "ask_again" if sen.ask_again
                  else decision.decision if decision else "")
        sen.data = {**(sen.data or {}), "concern_id": sen.concern_id, "next": chosen,
                    "sent_back_from": sen.sent_back_from, "comment": sen.comment,
                    "refer_to": decision.refer_to if decision else "",
                    **({"referral_id": sen.referral_id} if sen.referral_id else {})}
        sen.save(update_fields=["data"], using=db)
        sen.delete(keep_parents=True, using=db)


class Migration(migrations.Migration):

    dependencies = [
        ('processes', '0006_sen_repeat_ehc_request'),
        ('workflows', '0005_sen_process'),
    ]

    operations = [
        migrations.RunPython(sen_state_to_model, sen_state_to_json),
    ]
