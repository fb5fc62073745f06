"""Consent.recipient_key: the one normalised form of a recipient every consent check compares (issue 15).

Existing rows get their key here, from the same function the model's save() uses. The row-by-row update
bypasses the append-only guard on purpose: the key is derived from the recipient, not a change of the record.
"""

from django.db import migrations, models


def fill_recipient_keys(apps, schema_editor):
    from processes.models.consent import consent_recipient_key

    Consent = apps.get_model("processes", "Consent")
    for pk, recipient in Consent.objects.values_list("pk", "recipient").iterator():
        Consent.objects.filter(pk=pk).update(recipient_key=consent_recipient_key(recipient))


class Migration(migrations.Migration):

    dependencies = [
        ("processes", "0006_sen_repeat_ehc_request"),
    ]

    operations = [
        migrations.AddField(
            model_name="consent",
            name="recipient_key",
            field=models.TextField(blank=True, editable=False, default=""),
            preserve_default=False,
        ),
        migrations.RunPython(fill_recipient_keys, migrations.RunPython.noop, elidable=True),
        migrations.RemoveIndex(model_name="consent", name="processes_c_child_i_824447_idx"),
        migrations.AddIndex(
            model_name="consent",
            index=models.Index(fields=["child", "purpose", "recipient_key", "-recorded_at"], name="consent_latest_idx"),
        ),
    ]
