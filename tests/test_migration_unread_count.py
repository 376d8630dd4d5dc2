"""applications 0010 fills the unread count of the people who already have notifications
(issue 20), and from then on the trigger keeps it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)


def test_existing_unread_notifications_are_counted():
    executor = MigrationExecutor(connection)
    before = [("applications", "0009_review_inspection_sla_moved_in")]
    after = [("applications", "0010_notification_unread_count")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    OldUser = old_apps.get_model("accounts", "User")
    OldNotification = old_apps.get_model("applications", "Notification")
    person = OldUser.objects.create(email="lama@example.id", full_name="Akun Lama", password="x")
    other = OldUser.objects.create(email="lain@example.id", full_name="Akun Lain", password="x")
    for i, read_at in enumerate([None, None, timezone.now()]):
        OldNotification.objects.create(
            recipient=person, kind="submitted", subject=f"s{i}", read_at=read_at
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new_apps = executor.loader.project_state(after).apps
    User = new_apps.get_model("accounts", "User")
    assert User.objects.get(pk=person.pk).unread_notifications == 2
    assert User.objects.get(pk=other.pk).unread_notifications == 0
    new_apps.get_model("applications", "Notification").objects.create(
        recipient_id=other.pk, kind="submitted", subject="new"
    )
    assert User.objects.get(pk=other.pk).unread_notifications == 1
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
