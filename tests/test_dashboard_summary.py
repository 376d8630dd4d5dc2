"""The dashboard's daily summary of finished reviews (issue 20, monitoring.summary): the figures
read from the summary are the figures counted from every review, whatever part of the period is
summarised; the refresh is idempotent; what changes a summarised day (a holiday, a decision
undone) has it counted again; the migration fills the summary of the reviews already there."""

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from agencies.models import Region, RegionHoliday
from monitoring.models import ReviewDay, SummaryState
from monitoring.summary import review_days_rebuild, review_days_refresh
from tests import test_monitoring as monitoring
from tests.journeys import wita
from tests.test_monitoring import MONITOR, NOW, PERIOD, decide, get

# The monitoring tests' fixtures: three files routed on 7 July, decisions on 9, 20 and 22 July.
files = monitoring.files
english = monitoring.english

pytestmark = pytest.mark.django_db


def figures_of(client, **period):
    response = get(client, "monitoring:dashboard", **(period or PERIOD))
    assert response.status_code == 200
    return {
        f.agency.code: (f.finished, f.on_time, f.median_used, f.p90_used, f.budget, f.open)
        for f in response.context["figures"]
    }


def refresh(now=NOW):
    with time_machine.travel(now, tick=False):
        return review_days_refresh()


def summary_rows():
    return sorted(
        ReviewDay.objects.values_list("agency__code", "day", "used_days", "finished", "on_time")
    )


def test_the_summary_gives_the_figures_counted_from_every_review(files, login):
    SummaryState.objects.all().delete()  # the migration's backfill ran on an empty database
    ReviewDay.objects.all().delete()
    client = login(MONITOR)
    live = figures_of(client)
    assert live["DINKES"][:4] == (2, 1, 6.5, pytest.approx(10.1))
    assert refresh() > 0
    btg = Region.objects.get(code="BTG")
    assert SummaryState.objects.get(region=btg).through == wita(7, 23).date()
    assert summary_rows() == [
        ("DINKES", wita(7, 9).date(), 2, 1, 1),
        ("DINKES", wita(7, 22).date(), 11, 1, 0),
        ("DLH", wita(7, 20).date(), 9, 1, 1),
    ]
    assert figures_of(client) == live
    # A period ending before the summarised days end, one starting after: the same as live.
    for period in ({"start": "2026-07-01", "end": "2026-07-15"}, {"start": "2026-07-21"}):
        period.setdefault("end", "2026-07-31")
        SummaryState.objects.all().delete()
        counted = figures_of(client, **period)
        refresh()
        assert figures_of(client, **period) == counted


def test_a_decision_of_today_is_counted_before_the_next_refresh(files, login):
    refresh()
    client = login(MONITOR)
    decide(files[1], "DLH", wita(7, 24, 8))
    figures = figures_of(client)
    assert figures["DLH"][:2] == (2, 1)  # the 20 July decision (summarised) and today's
    assert refresh() == 0  # today is not summarised before tomorrow
    assert figures_of(client) == figures


def test_the_refresh_is_idempotent(files):
    refresh()
    rows = summary_rows()
    assert refresh() == 0
    with time_machine.travel(NOW, tick=False):
        review_days_rebuild()
        review_days_rebuild()
    assert summary_rows() == rows


def test_a_new_holiday_has_the_region_counted_again(files, login):
    refresh()
    client = login(MONITOR)
    btg = Region.objects.get(code="BTG")
    with time_machine.travel(NOW, tick=False):
        RegionHoliday.objects.create(region=btg, date=wita(7, 15).date(), name="Hari jadi kota")
    assert not SummaryState.objects.filter(region=btg).exists()
    live = figures_of(client)
    assert live["DINKES"][:3] == (2, 1, 7.0)  # 3 and 11 working days used: the 15th is off
    refresh()
    assert figures_of(client) == live


def test_a_rejection_sent_back_has_its_day_counted_again(files, login):
    """DINKES proposes rejecting the third file on 10 July; the signer sends it back on 24 July:
    the summarised 10 July is counted again, without the review that is open again."""
    from accounts.models import User
    from applications.services.outcome import application_send_back_rejection
    from applications.services.reviews import review_decide

    review = files[2].reviews.select_related("assignee").get(agency__code="DINKES")
    with time_machine.travel(wita(7, 10, 10), tick=False):
        review_decide(
            review_id=review.pk, actor=review.assignee, decision="reject", reasons="Tidak lengkap"
        )
    refresh()
    client = login(MONITOR)
    assert figures_of(client)["DINKES"][:2] == (3, 2)
    btg = Region.objects.get(code="BTG")
    with time_machine.travel(NOW, tick=False):
        application_send_back_rejection(
            application_id=files[2].pk,
            actor=User.objects.get(email="kepala.btg@ptsp.local"),
            note="Periksa lagi denahnya",
        )
    assert SummaryState.objects.get(region=btg).through == wita(7, 9).date()
    assert figures_of(client)["DINKES"][:2] == (2, 1)
    refresh()
    assert figures_of(client)["DINKES"][:2] == (2, 1)
    assert (wita(7, 10).date()) not in {row[1] for row in summary_rows()}


def test_the_migration_summarises_the_reviews_already_there(files):
    with time_machine.travel(NOW, tick=False):
        refresh()
        rows = summary_rows()
        with connection.cursor() as cursor:  # the rows' deferred FK checks, before the DROP
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        executor = MigrationExecutor(connection)
        executor.migrate([("monitoring", "0002_sla_and_working_days_moved_out")])
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([("monitoring", "0003_review_day_summary")])
    assert summary_rows() == rows
    assert SummaryState.objects.get(region__code="BTG").through >= wita(7, 23).date()
