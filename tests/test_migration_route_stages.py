"""catalog 0003 keeps the routes already configured: every existing step becomes stage 1 with
no head's approval, so the types filed before issue 18 route as they did (all in parallel)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("catalog", "0002_permit_type_levy")]
AFTER = [("catalog", "0003_route_stages")]


def test_existing_route_steps_become_stage_one():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    Region = old_apps.get_model("agencies", "Region")
    Agency = old_apps.get_model("agencies", "Agency")
    PermitType = old_apps.get_model("catalog", "PermitType")
    RouteStep = old_apps.get_model("catalog", "RouteStep")
    region = Region.objects.create(code="MIG", name="Kota Migrasi", timezone="Asia/Makassar")
    permit_type = PermitType.objects.create(
        region=region, code="MIG-1", name_id="Izin Migrasi", intake_days=1, issuance_days=1
    )
    steps = [
        RouteStep.objects.create(
            permit_type=permit_type,
            agency=Agency.objects.create(region=region, code=code, name=code, kind="opd"),
            review_days=days,
            order=order,
        ).pk
        for order, (code, days) in enumerate([("DINKES", 7), ("DLH", 5)])
    ]

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new_apps = executor.loader.project_state(AFTER).apps
    NewStep = new_apps.get_model("catalog", "RouteStep")
    rows = list(NewStep.objects.filter(pk__in=steps).order_by("order"))
    assert [(r.stage, r.head_approval, r.review_days) for r in rows] == [
        (1, False, 7),
        (1, False, 5),
    ]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
