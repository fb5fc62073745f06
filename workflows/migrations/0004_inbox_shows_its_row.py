"""The inbox row carries what the inbox shows (process, node, child's name, room), so the inbox reads one table."""

import django.db.models.deletion
import viewflow.workflow.fields
from django.db import migrations, models

# Existing rows take their copies from the task, the child and the room (PostgreSQL and SQLite alike).
BACKFILL = """
UPDATE workflows_inboxentry SET
    process_id = (SELECT t.process_id FROM viewflow_task t WHERE t.id = workflows_inboxentry.task_id),
    flow_task = (SELECT t.flow_task FROM viewflow_task t WHERE t.id = workflows_inboxentry.task_id),
    child_name = (SELECT COALESCE(NULLIF(c.preferred_name, ''), c.first_name) || ' ' || c.last_name
                  FROM processes_child c WHERE c.id = workflows_inboxentry.child_id),
    room_id = (SELECT c.room_id FROM processes_child c WHERE c.id = workflows_inboxentry.child_id),
    room_name = COALESCE((SELECT r.name FROM processes_child c JOIN processes_room r ON r.id = c.room_id
                          WHERE c.id = workflows_inboxentry.child_id), '')
"""


class Migration(migrations.Migration):

    dependencies = [
        ('processes', '0005_retention'),
        ('viewflow', '0015_task_scheduled'),
        ('workflows', '0003_inbox_mirror_and_priority'),
    ]

    operations = [
        migrations.AddField(
            model_name='inboxentry',
            name='process',
            field=models.ForeignKey(db_constraint=False, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.DO_NOTHING, related_name='+',
                                    to='viewflow.process'),
        ),
        migrations.AddField(
            model_name='inboxentry',
            name='flow_task',
            field=viewflow.workflow.fields.TaskReferenceField(default='', max_length=255),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='inboxentry',
            name='child_name',
            field=models.CharField(blank=True, max_length=201),
        ),
        migrations.AddField(
            model_name='inboxentry',
            name='room',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.SET_NULL, related_name='+',
                                    to='processes.room'),
        ),
        migrations.AddField(
            model_name='inboxentry',
            name='room_name',
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name='inboxentry',
            name='process',
            field=models.ForeignKey(db_constraint=False, db_index=False,
                                    on_delete=django.db.models.deletion.DO_NOTHING, related_name='+',
                                    to='viewflow.process'),
        ),
    ]
