"""Kernel migration: PostgreSQL refuses UPDATE and DELETE on the audit table.

The ORM already refuses both; the trigger also stops raw SQL and other clients. TRUNCATE is
left alone (test-database flushes use it). Other databases get no trigger: the operation is a
no-op there.
"""

from django.db import migrations

TABLE = "kernel_auditentry"

CREATE_SQL = f"""
CREATE OR REPLACE FUNCTION kernel_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only: % on {TABLE} refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER kernel_audit_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION kernel_audit_append_only();
"""

DROP_SQL = f"""
DROP TRIGGER IF EXISTS kernel_audit_append_only ON {TABLE};
DROP FUNCTION IF EXISTS kernel_audit_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # params=None: the SQL contains a literal % (RAISE format), not a placeholder.
        schema_editor.execute(CREATE_SQL, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("kernel", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger, elidable=False),
    ]
