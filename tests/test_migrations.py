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


@pytest.fixture
def catalog_inside_permits():
    """The database as it was before the catalog app (issue 15): permit types, their route,
    requirements, fields and versions owned by `permits`; migrated back to the latest state
    afterwards, whatever the test did."""
    before = [
        ("agencies", "0008_region_identity"),
        ("permits", "0005_staged_permit_file"),
        ("applications", "0006_merge_email_claim_and_truncate"),
    ]
    executor = MigrationExecutor(connection)
    executor.migrate([("catalog", None), *before])  # the catalog app not there at all
    executor.loader.build_graph()
    yield executor.loader.project_state(before).apps


_BEFORE_THE_CASE_MOVE = [  # after the catalog's move, before the case's
    ("agencies", "0008_region_identity"),
    ("applications", "0008_coordinate_bounds"),
    ("monitoring", "0001_initial"),
]


@pytest.fixture
def before_the_case_move():
    """The database as it was before issue 15 moved Review, Inspection, InspectionPhoto (from
    agencies), SlaNotice, SlaWatch (from monitoring) into applications and WorkingDay into
    agencies; migrated back to the latest state afterwards."""
    apps = _migrate(_BEFORE_THE_CASE_MOVE)
    yield apps
    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())


def test_catalog_0001_keeps_the_catalog_rows_their_links_and_permissions(catalog_inside_permits):
    """The move is state only: every row written under `permits` is read through
    `catalog.models` afterwards, with the applications, permits and counters that point at it,
    and the permission a group held on the old model is the one on the new."""
    old = catalog_inside_permits
    Region = old.get_model("agencies", "Region")
    Agency = old.get_model("agencies", "Agency")
    User = old.get_model("accounts", "User")
    region = Region.objects.create(
        name="Kota Bontang", province="Kalimantan Timur", code="BTG", timezone="Asia/Makassar"
    )
    opd = Agency.objects.create(region=region, code="DINKES", name="Dinas Kesehatan", kind="opd")
    signer = User.objects.create(email="signer@example.test", full_name="Signer")
    applicant = User.objects.create(email="applicant@example.test", full_name="Applicant")
    permit_type = old.get_model("permits", "PermitType").objects.create(
        region=region, code="SIA", name_id="Izin Apotek", name_en="Pharmacy permit"
    )
    step = old.get_model("permits", "RouteStep").objects.create(
        permit_type=permit_type, agency=opd, review_days=6
    )
    requirement = old.get_model("permits", "Requirement").objects.create(
        permit_type=permit_type, code="sppl", name_id="SPPL", name_en="SPPL", accepted_kinds=["pdf"]
    )
    form_field = old.get_model("permits", "FormField").objects.create(
        permit_type=permit_type, key="luas", label_id="Luas", label_en="Area", kind="decimal"
    )
    version = old.get_model("permits", "PermitTypeVersion").objects.create(
        permit_type=permit_type, number=1, snapshot={"code": "SIA"}
    )
    application = old.get_model("applications", "Application").objects.create(
        tracking_number="BTG-0001",
        applicant=applicant,
        region=region,
        permit_type=permit_type,
        catalog_version=version,
    )
    counter = old.get_model("permits", "PermitCounter").objects.create(
        region=region, permit_type=permit_type, year=2026, last_value=1
    )
    permit = old.get_model("permits", "Permit").objects.create(
        application=application,
        permit_type=permit_type,
        region=region,
        number="503/0001/SIA",
        year=2026,
        sequence=1,
        holder_name="Applicant",
        business_name="Apotek Sehat",
        signer=signer,
        signer_name="Signer",
        issued_at=timezone.now(),
        verification_token="t" * 40,
    )
    ContentType = old.get_model("contenttypes", "ContentType")
    Permission = old.get_model("auth", "Permission")
    old_type = ContentType.objects.get(app_label="permits", model="permittype")
    change = Permission.objects.get(content_type=old_type, codename="change_permittype")
    group = old.get_model("auth", "Group").objects.create(name="Admin Wilayah")
    group.permissions.add(change)

    new = _migrate(
        [
            ("catalog", "0001_initial"),
            ("applications", "0007_permit_type_fks_to_catalog"),
            ("permits", "0006_catalog_models_moved_to_catalog"),
        ]
    )

    # The rows, through the new app's historical models and through catalog.models itself.
    from catalog import models as catalog_models

    # (only the columns of that state: later migrations, e.g. catalog 0002's levy, add more)
    moved = catalog_models.PermitType.objects.only("code", "name_en", "region").get(
        pk=permit_type.pk
    )
    assert (moved.code, moved.name_en, moved.region_id) == ("SIA", "Pharmacy permit", region.pk)
    assert list(moved.route.order_by("pk").values_list("pk", "agency_id", "review_days")) == [
        (step.pk, opd.pk, 6)
    ]
    assert list(moved.requirements.values_list("pk", flat=True)) == [requirement.pk]
    assert list(moved.fields.values_list("pk", "kind", flat=False)) == [(form_field.pk, "decimal")]
    assert catalog_models.PermitTypeVersion.objects.get(pk=version.pk).snapshot == {"code": "SIA"}
    assert new.get_model("catalog", "PermitType").objects.filter(pk=permit_type.pk).exists()
    # What points at them still reaches them.
    filed = new.get_model("applications", "Application").objects.get(pk=application.pk)
    assert (filed.permit_type.code, filed.catalog_version.number) == ("SIA", 1)
    assert new.get_model("permits", "Permit").objects.get(pk=permit.pk).permit_type.pk == (
        permit_type.pk
    )
    assert new.get_model("permits", "PermitCounter").objects.get(pk=counter.pk).permit_type.pk == (
        permit_type.pk
    )
    # The content type moved (same row, so the group's permission and admin log entries follow).
    ContentType = new.get_model("contenttypes", "ContentType")
    assert not ContentType.objects.filter(app_label="permits", model="permittype").exists()
    assert ContentType.objects.get(app_label="catalog", model="permittype").pk == old_type.pk
    held = new.get_model("auth", "Group").objects.get(pk=group.pk).permissions.get()
    assert (held.content_type.app_label, held.codename) == ("catalog", "change_permittype")


def test_the_case_models_move_apps_keeping_their_rows_links_and_permissions(before_the_case_move):
    old = before_the_case_move
    User = old.get_model("accounts", "User")
    Region = old.get_model("agencies", "Region")
    Agency = old.get_model("agencies", "Agency")
    PermitType = old.get_model("catalog", "PermitType")
    PermitTypeVersion = old.get_model("catalog", "PermitTypeVersion")
    Application = old.get_model("applications", "Application")
    Event = old.get_model("applications", "Event")
    ContentType = old.get_model("contenttypes", "ContentType")
    Permission = old.get_model("auth", "Permission")
    now = timezone.now()

    region = Region.objects.create(
        name="Kota Uji", province="Uji", code="UJI", timezone="Asia/Makassar", letterhead_text="x"
    )
    opd = Agency.objects.create(region=region, code="DINKES", name="Dinas Kesehatan", kind="opd")
    officer = User.objects.create(email="officer@example.test", full_name="Officer")
    applicant = User.objects.create(email="applicant@example.test", full_name="Applicant")
    permit_type = PermitType.objects.create(region=region, code="SIP", name_id="SIP", name_en="SIP")
    version = PermitTypeVersion.objects.create(permit_type=permit_type, number=1, snapshot={})
    application = Application.objects.create(
        applicant=applicant, region=region, permit_type=permit_type, catalog_version=version
    )
    review = old.get_model("agencies", "Review").objects.create(
        application=application, agency=opd, assignee=officer, budget_days=5, due_at=now
    )
    inspection = old.get_model("agencies", "Inspection").objects.create(
        review=review, scheduled_for=now, place="Jl. Uji 1", scheduled_by=officer
    )
    photo = old.get_model("agencies", "InspectionPhoto").objects.create(
        inspection=inspection,
        file="inspections/p.jpg",
        content_type="image/jpeg",
        size=3,
        sha256="a" * 64,
    )
    event = Event.objects.create(
        application=application, review=review, actor=officer, at=now, action="review_assigned"
    )
    notice = old.get_model("monitoring", "SlaNotice").objects.create(
        stage=f"review:{review.pk}", level="reminder", due_at=now, application=application
    )
    watch = old.get_model("monitoring", "SlaWatch").objects.create(
        stage=f"review:{review.pk}", due_at=now, next_at=now
    )
    day = old.get_model("monitoring", "WorkingDay").objects.create(
        region=region, date=now.date(), ordinal=7, is_working=True
    )
    # The content types as post_migrate made them on the old schema, with a permission each.
    moved = {
        ("agencies", "review"),
        ("agencies", "inspection"),
        ("agencies", "inspectionphoto"),
        ("monitoring", "slanotice"),
        ("monitoring", "slawatch"),
        ("monitoring", "workingday"),
    }
    content_type_ids = {}
    for app_label, model in moved:
        ct, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        Permission.objects.get_or_create(
            content_type=ct, codename=f"view_{model}", defaults={"name": f"Can view {model}"}
        )
        content_type_ids[model] = ct.pk

    new = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    Review = new.get_model("applications", "Review")
    assert Review._meta.db_table == "agencies_review"
    moved_review = Review.objects.get(pk=review.pk)
    assert (moved_review.application_id, moved_review.agency_id) == (application.pk, opd.pk)
    assert moved_review.assignee_id == officer.pk and moved_review.budget_days == 5
    moved_inspection = new.get_model("applications", "Inspection").objects.get(pk=inspection.pk)
    assert moved_inspection.review_id == review.pk and moved_inspection.place == "Jl. Uji 1"
    moved_photo = new.get_model("applications", "InspectionPhoto").objects.get(pk=photo.pk)
    assert moved_photo.inspection.review.pk == review.pk
    moved_event = new.get_model("applications", "Event").objects.get(pk=event.pk)
    assert moved_event.review.pk == review.pk  # the FK now resolves through applications.Review
    assert list(Review.objects.get(pk=review.pk).events.values_list("pk", flat=True)) == [event.pk]
    moved_notice = new.get_model("applications", "SlaNotice").objects.get(pk=notice.pk)
    assert moved_notice.application_id == application.pk and moved_notice.level == "reminder"
    moved_watch = new.get_model("applications", "SlaWatch").objects.get(pk=watch.pk)
    assert moved_watch.stage == f"review:{review.pk}"
    moved_day = new.get_model("agencies", "WorkingDay").objects.get(pk=day.pk)
    assert (moved_day.region_id, moved_day.ordinal, moved_day.is_working) == (region.pk, 7, True)

    # The same content type rows, now under the new app, with their permissions.
    ContentType = new.get_model("contenttypes", "ContentType")
    Permission = new.get_model("auth", "Permission")
    for model, target in [
        ("review", "applications"),
        ("inspection", "applications"),
        ("inspectionphoto", "applications"),
        ("slanotice", "applications"),
        ("slawatch", "applications"),
        ("workingday", "agencies"),
    ]:
        ct = ContentType.objects.get(pk=content_type_ids[model])
        assert (ct.app_label, ct.model) == (target, model)
        assert Permission.objects.filter(content_type=ct, codename=f"view_{model}").exists()
    assert not ContentType.objects.filter(
        app_label__in=["agencies", "monitoring"],
        model__in=["review", "inspection", "inspectionphoto", "slanotice", "slawatch"],
    ).exists()
    assert not ContentType.objects.filter(app_label="monitoring", model="workingday").exists()
