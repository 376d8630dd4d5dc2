"""Issue 20: the person's access version and unread-notification count, and the guard that keeps
both in the database's hands: the access version never goes down (an UPDATE that writes an older
value, as a save of a row read before a bump does, keeps the newer one), and the unread count
changes only from the notification table's trigger (applications 0010) or that migration's fill.
"""

from django.db import migrations, models

GUARD = """
CREATE OR REPLACE FUNCTION accounts_user_guard_counters() RETURNS trigger AS $$
BEGIN
  NEW.access_version := GREATEST(NEW.access_version, OLD.access_version);
  IF pg_trigger_depth() < 2
     AND coalesce(current_setting('ptsp.fill_unread', true), '') <> 'on' THEN
    NEW.unread_notifications := OLD.unread_notifications;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_user_guard_counters BEFORE UPDATE ON accounts_user
  FOR EACH ROW EXECUTE FUNCTION accounts_user_guard_counters();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS accounts_user_guard_counters ON accounts_user;
DROP FUNCTION IF EXISTS accounts_user_guard_counters();
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_welcome_claim")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="access_version",
            field=models.BigIntegerField(
                db_default=0, default=0, editable=False, verbose_name="access version"
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="unread_notifications",
            field=models.PositiveIntegerField(
                db_default=0, default=0, editable=False, verbose_name="unread notifications"
            ),
        ),
        migrations.RunSQL(GUARD, UNGUARD),
    ]
