"""Issue 20: the unread-notification count on the person's row (accounts.User
.unread_notifications), kept by a trigger on every insert, read, move or delete of a
notification, and filled here for the notifications that exist."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION applications_notification_count_unread() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.read_at IS NULL THEN
    UPDATE accounts_user SET unread_notifications = GREATEST(unread_notifications - 1, 0)
     WHERE id = OLD.recipient_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.read_at IS NULL THEN
    UPDATE accounts_user SET unread_notifications = unread_notifications + 1
     WHERE id = NEW.recipient_id;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER applications_notification_count_unread
  AFTER INSERT OR DELETE OR UPDATE OF read_at, recipient_id ON applications_notification
  FOR EACH ROW EXECUTE FUNCTION applications_notification_count_unread();
LOCK TABLE applications_notification IN SHARE MODE;
SET LOCAL ptsp.fill_unread = 'on';
UPDATE accounts_user u SET unread_notifications = (
  SELECT count(*) FROM applications_notification n
   WHERE n.recipient_id = u.id AND n.read_at IS NULL);
SET LOCAL ptsp.fill_unread = 'off';
"""

BACKWARD = """
DROP TRIGGER IF EXISTS applications_notification_count_unread ON applications_notification;
DROP FUNCTION IF EXISTS applications_notification_count_unread();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_access_version_unread_count"),
        ("applications", "0009_review_inspection_sla_moved_in"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
