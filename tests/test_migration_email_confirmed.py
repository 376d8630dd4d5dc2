"""accounts 0002 keeps existing accounts working: a database seeded before it has every
account counted as confirmed since it joined (issue 21 item 9)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)


def test_existing_accounts_are_confirmed_since_they_joined():
    executor = MigrationExecutor(connection)
    before = [("accounts", "0001_initial")]
    after = [("accounts", "0002_email_confirmed")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    OldUser = old_apps.get_model("accounts", "User")
    seeded = OldUser.objects.create(email="lama@example.id", full_name="Akun Lama", password="x")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new_apps = executor.loader.project_state(after).apps
    user = new_apps.get_model("accounts", "User").objects.get(pk=seeded.pk)
    assert user.email_confirmed_at == user.date_joined
    # Back to the latest state for the rest of the suite.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
