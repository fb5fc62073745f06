"""PostgreSQL refuses UPDATE and DELETE on the audit trail, whatever the client (psql, a raw cursor, the ORM).

Two exceptions, both narrow:
* a DELETE inside a transaction that has run ``SET LOCAL keyflow.audit_purge = 'on'``
  (processes.services.audit.audit_events_purge, run by hand only: the retention purge keeps the trail);
* detaching a deleted user (the actor's ON DELETE SET NULL), changing nothing else.
SQLite, the development database, relies on the ORM guard (processes.models.append_only) alone.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION keyflow_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    detached processes_auditevent%ROWTYPE;
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('keyflow.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL AND OLD.actor_id IS NOT NULL THEN
        detached := OLD;
        detached.actor_id := NULL;
        IF NEW IS NOT DISTINCT FROM detached THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
DROP TRIGGER IF EXISTS auditevent_append_only ON processes_auditevent;
CREATE TRIGGER auditevent_append_only BEFORE UPDATE OR DELETE ON processes_auditevent
    FOR EACH ROW EXECUTE FUNCTION keyflow_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS auditevent_append_only ON processes_auditevent;
DROP FUNCTION IF EXISTS keyflow_audit_append_only();
"""


def _on_postgres(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no placeholders: "%" is literal

    return run


class Migration(migrations.Migration):
    dependencies = [("processes", "0003_sen")]

    operations = [migrations.RunPython(_on_postgres(CREATE), _on_postgres(DROP))]
