"""Load the 31 provinces and their cities, create the audit chain head, and make the
audit table append-only in the database itself (UPDATE and DELETE refused)."""

from django.db import migrations

from skillcert.core.regions import load_regions

PG_GUARD = """
CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only();
"""
PG_UNGUARD = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS core_auditevent_append_only();
"""
# SQLite: refuse updates. Deletes stay possible for the test runner's flush; the ORM
# refuses them (AuditEvent.delete, AuditQuerySet.delete) and verify_audit detects them.
SQLITE_GUARD = """
CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE ON core_auditevent
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
"""
SQLITE_UNGUARD = "DROP TRIGGER IF EXISTS core_auditevent_append_only;"


def forwards(apps, schema_editor):
    load_regions(apps.get_model("core", "Region"))
    apps.get_model("core", "AuditChainHead").objects.get_or_create(pk=1)
    guard = {"postgresql": PG_GUARD, "sqlite": SQLITE_GUARD}.get(schema_editor.connection.vendor)
    if guard:
        schema_editor.execute(guard)


def backwards(apps, schema_editor):
    unguard = {"postgresql": PG_UNGUARD, "sqlite": SQLITE_UNGUARD}.get(
        schema_editor.connection.vendor
    )
    if unguard:
        schema_editor.execute(unguard)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
