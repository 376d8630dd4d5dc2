"""Migrations that change existing rows keep them: each is run forward on a database that holds
rows written by the schema before it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def api_before_expiry():
    """The database as it was before api 0003 (tokens without an expiry); migrated back to the
    latest state afterwards, whatever the test did."""
    apps = _migrate([("api", "0002_cache_table")])
    yield apps
    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())


def test_api_0003_gives_every_old_token_an_expiry_and_keeps_it(api_before_expiry, settings):
    settings.API_TOKEN_DAYS = 90
    User = api_before_expiry.get_model("accounts", "User")
    ApiToken = api_before_expiry.get_model("api", "ApiToken")
    owner = User.objects.create(email="integrator@example.test", full_name="Integrator")
    now = timezone.now()
    old = ApiToken.objects.create(user=owner, name="old", prefix="old", key_hash="a" * 64)
    recent = ApiToken.objects.create(user=owner, name="recent", prefix="rec", key_hash="b" * 64)
    ApiToken.objects.create(
        user=owner, name="dated", prefix="dat", key_hash="c" * 64, expires_at=now + timedelta(1)
    )
    # created_at is auto_now_add: set the ages afterwards, relative to the clock.
    ApiToken.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=200))
    ApiToken.objects.filter(pk=recent.pk).update(created_at=now - timedelta(days=10))

    apps = _migrate([("api", "0003_token_expiry_required")])
    ApiToken = apps.get_model("api", "ApiToken")
    rows = {t.name: t for t in ApiToken.objects.all()}

    assert set(rows) == {"old", "recent", "dated"}  # nothing lost
    # An old token gets a week's grace, not an expiry in the past.
    assert timedelta(days=7) - timedelta(minutes=5) < rows["old"].expires_at - now
    assert rows["old"].expires_at - now <= timedelta(days=7, minutes=5)
    # A recent one expires API_TOKEN_DAYS after it was made.
    assert abs(rows["recent"].expires_at - (rows["recent"].created_at + timedelta(90))) < (
        timedelta(seconds=1)
    )
    # One that had an expiry keeps it; nobody is revoked.
    assert abs(rows["dated"].expires_at - (now + timedelta(1))) < timedelta(seconds=1)
    assert all(t.revoked_at is None and t.revoke_reason == "" for t in rows.values())


@pytest.fixture
def outbox_before_completion():
    apps = _migrate([("outbox", "0001_initial")])
    yield apps
    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())


def test_outbox_0002_counts_what_was_handed_over_as_done_and_keeps_what_waits(
    outbox_before_completion,
):
    """Messages handed to the broker before completion was recorded are history, not work the
    reconciler should hand over again; those still waiting stay waiting."""
    OutboxMessage = outbox_before_completion.get_model("outbox", "OutboxMessage")
    handed_at = timezone.now() - timedelta(days=3)
    OutboxMessage.objects.create(
        task_name="agencies.tasks.route_application", args=[1], dispatched_at=handed_at
    )
    OutboxMessage.objects.create(task_name="applications.tasks.send_notification_email", args=[2])

    apps = _migrate([("outbox", "0002_completion")])
    rows = {m.args[0]: m for m in apps.get_model("outbox", "OutboxMessage").objects.all()}

    assert set(rows) == {1, 2}  # nothing lost
    assert rows[1].completed_at == handed_at and rows[1].failed_at is None
    assert rows[2].completed_at is None and rows[2].dispatched_at is None
    assert rows[1].redeliveries == rows[2].redeliveries == 0
