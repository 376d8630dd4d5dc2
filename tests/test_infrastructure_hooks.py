"""`ptsp` imports no app (pyproject.toml [tool.importlinter]): the apps register what it reads.
These tests show each hook filled by its owner, and the calendar refusing without its source."""

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError

from agencies.models import RegionHoliday
from agencies.reference import region_days_off
from ptsp import health, workdays
from ptsp.observability import celery_signals, metrics
from tests.factories import RegionFactory
from tests.journeys import submitted_application

pytestmark = pytest.mark.django_db

WITA = ZoneInfo("Asia/Makassar")


def test_the_calendar_reads_the_regions_days_off_through_the_agencies_source():
    region = RegionFactory(code="HKX", timezone="Asia/Makassar")
    RegionHoliday.objects.create(region=region, date=date(2026, 11, 24), name="Hari Jadi")

    assert workdays._holiday_source is region_days_off
    assert not workdays.Calendar(region).is_working_day(date(2026, 11, 24))


def test_without_a_source_of_days_off_the_calendar_refuses(monkeypatch):
    """Fail closed: counting a region's days off as working days would set wrong deadlines."""
    region = RegionFactory(code="HKY", timezone="Asia/Makassar")
    monkeypatch.setattr(workdays, "_holiday_source", None)
    workdays.reference_cache.clear()

    with pytest.raises(ImproperlyConfigured, match="regional holidays"):
        workdays.add_working_days(region, datetime(2026, 11, 23, 9, tzinfo=WITA), 2)


def test_the_outbox_adds_its_backlog_to_the_health_report():
    _ok, report = health.health_report()
    assert report["outbox_pending"] == 0 and report["outbox_unfinished"] == 0
    assert list(health._database_facts) == ["outbox_pending", "outbox_unfinished"]


def test_the_apps_that_own_the_data_register_the_scrape_gauges():
    assert list(metrics._database_gauges) == [
        "outbox",
        "reviews",
        "stages",
        "failed work",
        "oss_deliveries",
    ]
    names = {family.name for family in metrics.SystemCollector(broker=False).collect()}
    assert {
        "ptsp_outbox_pending",
        "ptsp_reviews_open",
        "ptsp_reviews_overdue",
        "ptsp_stage_open",
        "ptsp_stage_overdue",
        "ptsp_failed_tasks_waiting",
        "ptsp_oss_deliveries",
        "ptsp_oss_delivery_lag_seconds",
    } <= names


def test_a_gauge_source_that_fails_leaves_the_others(monkeypatch):
    def broken():
        raise KeyError("a bug in one source")

    monkeypatch.setitem(metrics._database_gauges, "reviews", broken)
    names = {family.name for family in metrics.SystemCollector(broker=False).collect()}
    assert "ptsp_reviews_open" not in names
    assert {"ptsp_outbox_pending", "ptsp_stage_open", "ptsp_failed_tasks_waiting"} <= names


def test_a_database_that_is_down_ends_the_database_gauges_at_once(monkeypatch):
    asked = []

    def down():
        asked.append("reviews")
        raise OperationalError("connection refused")

    def later():
        asked.append("later")
        return []

    monkeypatch.setitem(metrics._database_gauges, "reviews", down)
    monkeypatch.setitem(metrics._database_gauges, "stages", later)
    names = {family.name for family in metrics.SystemCollector(broker=False).collect()}
    assert asked == ["reviews"]
    assert "ptsp_outbox_pending" in names and "ptsp_failed_tasks_waiting" not in names


def test_applications_and_permits_tell_which_application_a_task_concerns(demo):
    assert set(celery_signals._subjects) == {
        "application_id",
        "notification_id",
        "document_id",
        "review_id",
        "permit_id",
    }
    application = submitted_application()
    document = application.documents.first()

    def task(**arguments):
        # A task whose signature cannot be read: its keyword arguments are taken as they are.
        return SimpleNamespace(name="tests.hooks.task", run=None), (), arguments

    expected = (application.pk, application.tracking_number)
    assert celery_signals.application_of_task(*task(application_id=application.pk)) == expected
    assert celery_signals.application_of_task(*task(document_id=str(document.pk))) == expected
    assert celery_signals.application_of_task(*task(permit_id=999999)) == (None, None)
    assert celery_signals.application_of_task(*task(other_id=application.pk)) == (None, None)
