"""Issue 20: an authenticator app set up, confirmed, moved or removed (a reset by an admin)
raises its owner's access version, so that the cached second-factor flag (security.identity)
is read again on the next request."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION security_totpdevice_bump_access() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE accounts_user SET access_version = access_version + 1 WHERE id = OLD.user_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE accounts_user SET access_version = access_version + 1 WHERE id = NEW.user_id;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER security_totpdevice_bump_access
  AFTER INSERT OR DELETE OR UPDATE OF user_id, confirmed_at ON security_totpdevice
  FOR EACH ROW EXECUTE FUNCTION security_totpdevice_bump_access();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS security_totpdevice_bump_access ON security_totpdevice;
DROP FUNCTION IF EXISTS security_totpdevice_bump_access();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_access_version_unread_count"),
        ("security", "0003_documentaccess_refuse_truncate"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
