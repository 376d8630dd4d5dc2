"""Issue 20: every change of a membership, an agency or a region raises the access version of
the people it concerns (accounts.User.access_version), in the same transaction, whatever the
path: the ORM, a queryset update, the admin, raw SQL. The per-process identity cache
(security.identity) is keyed by that version, so the next request of those people reads their
roles again."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION agencies_membership_bump_access() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE accounts_user SET access_version = access_version + 1 WHERE id = OLD.user_id;
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.user_id <> OLD.user_id) THEN
    UPDATE accounts_user SET access_version = access_version + 1 WHERE id = NEW.user_id;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER agencies_membership_bump_access
  AFTER INSERT OR UPDATE OR DELETE ON agencies_membership
  FOR EACH ROW EXECUTE FUNCTION agencies_membership_bump_access();

CREATE OR REPLACE FUNCTION agencies_agency_bump_access() RETURNS trigger AS $$
BEGIN
  UPDATE accounts_user SET access_version = access_version + 1
   WHERE id IN (SELECT user_id FROM agencies_membership WHERE agency_id = OLD.id);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER agencies_agency_bump_access
  AFTER UPDATE OR DELETE ON agencies_agency
  FOR EACH ROW EXECUTE FUNCTION agencies_agency_bump_access();

CREATE OR REPLACE FUNCTION agencies_region_bump_access() RETURNS trigger AS $$
BEGIN
  UPDATE accounts_user SET access_version = access_version + 1
   WHERE id IN (SELECT m.user_id FROM agencies_membership m
                  JOIN agencies_agency a ON a.id = m.agency_id
                 WHERE a.region_id = OLD.id);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER agencies_region_bump_access
  AFTER UPDATE OR DELETE ON agencies_region
  FOR EACH ROW EXECUTE FUNCTION agencies_region_bump_access();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS agencies_membership_bump_access ON agencies_membership;
DROP TRIGGER IF EXISTS agencies_agency_bump_access ON agencies_agency;
DROP TRIGGER IF EXISTS agencies_region_bump_access ON agencies_region;
DROP FUNCTION IF EXISTS agencies_membership_bump_access();
DROP FUNCTION IF EXISTS agencies_agency_bump_access();
DROP FUNCTION IF EXISTS agencies_region_bump_access();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_access_version_unread_count"),
        ("agencies", "0010_review_inspection_moved_to_applications"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
