"""The satisfaction survey (SKM) rules and IKM, and regional holidays entered twice or in
another region."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from agencies.calendar import ensure_working_days
from agencies.models import Region, RegionHoliday, WorkingDay
from applications.models import Notification
from applications.services.reviews import review_decide
from applications.workflow import application_transition
from monitoring.models import SKM_ELEMENTS, SurveyResponse
from monitoring.services import survey_invite, survey_submit
from ptsp.errors import Conflict, DomainError, NotAllowed
from tests.journeys import routed_at, wita

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SIGNER = "kepala.btg@ptsp.local"


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies["django_language"] = "en"


def all_scores(value):
    return {name: value for name, _label in SKM_ELEMENTS}


@pytest.fixture
def issued(demo, run_outbox):
    application = routed_at(wita(7, 7, 10), run_outbox, submitted=wita(7, 6, 9))
    for review in application.reviews.select_related("assignee"):
        with time_machine.travel(wita(7, 9, 10), tick=False):
            review_decide(review_id=review.pk, actor=review.assignee, decision="recommend")
    signer = User.objects.get(email=SIGNER)
    application_transition(application_id=application.pk, action="start_issuance", actor=signer)
    application_transition(application_id=application.pk, action="issue", actor=None)
    application.refresh_from_db()
    return application


def test_invitation_once_and_only_after_issuance(issued, demo):
    assert survey_invite(application_id=issued.pk) is True
    assert survey_invite(application_id=issued.pk) is False
    assert (
        Notification.objects.filter(kind="survey_invitation", recipient=issued.applicant).count()
        == 1
    )


def test_survey_before_issuance_is_refused(demo, run_outbox):
    application = routed_at(wita(7, 7, 10), run_outbox, submitted=wita(7, 6, 9))
    assert survey_invite(application_id=application.pk) is False
    with (
        translation.override("en"),
        pytest.raises(DomainError, match="when the permit has been issued"),
    ):
        survey_submit(
            application_id=application.pk, actor=application.applicant, scores=all_scores(4)
        )
    assert not SurveyResponse.objects.exists()


def test_applicant_answers_once(issued):
    answer = survey_submit(
        application_id=issued.pk, actor=issued.applicant, scores=all_scores(3), comment="Cepat"
    )
    assert answer.u3_time == 3 and answer.comment == "Cepat"
    with translation.override("en"), pytest.raises(Conflict, match="already answered"):
        survey_submit(application_id=issued.pk, actor=issued.applicant, scores=all_scores(1))
    assert SurveyResponse.objects.get().u1_requirements == 3


def test_non_applicant_is_refused(issued):
    other = User.objects.get(email="siti.rahma@example.id")
    with translation.override("en"), pytest.raises(NotAllowed, match="Only the applicant"):
        survey_submit(application_id=issued.pk, actor=other, scores=all_scores(4))
    signer = User.objects.get(email=SIGNER)
    with pytest.raises(NotAllowed):
        survey_submit(application_id=issued.pk, actor=signer, scores=all_scores(4))
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize("bad", [0, 5, None, "x"])
def test_scores_outside_one_to_four_are_refused(issued, bad):
    scores = all_scores(4)
    scores["u4_fee"] = bad
    with translation.override("en"), pytest.raises(DomainError, match="Fee"):
        survey_submit(application_id=issued.pk, actor=issued.applicant, scores=scores)
    assert not SurveyResponse.objects.exists()


def test_survey_page(issued, login):
    client = login(issued.applicant.email)
    url = reverse("monitoring:survey", args=[issued.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {**all_scores(4), "comment": "Bagus"}, follow=True)
    assert "Thank you for rating our service." in response.content.decode()
    assert SurveyResponse.objects.count() == 1
    response = client.post(url, all_scores(1), follow=True)
    assert "already answered" in response.content.decode()
    assert SurveyResponse.objects.get().u1_requirements == 4
    # Someone else's file: 404, nothing stored.
    other = login("siti.rahma@example.id")
    assert other.post(url, all_scores(1)).status_code == 404
    assert SurveyResponse.objects.count() == 1


def test_ikm_on_the_dashboard(issued, login):
    with time_machine.travel(wita(7, 10, 9), tick=False):
        survey_submit(
            application_id=issued.pk,
            actor=issued.applicant,
            scores={**all_scores(4), "u4_fee": 2},
        )
    client = login("monitor.btg@ptsp.local")
    with time_machine.travel(wita(7, 24, 10), tick=False):
        response = client.get(
            reverse("monitoring:dashboard"), {"start": "2026-07-01", "end": "2026-07-31"}
        )
    expected = round((8 * 4 + 2) / 9 * 25, 2)  # 94.44
    figures = {f.agency.code: f for f in response.context["figures"]}
    assert figures["DINKES"].ikm == expected and figures["DLH"].ikm == expected
    [row] = response.context["ikm_types"]
    assert round(row["ikm"], 2) == expected and row["n"] == 1


# --- regional holidays ------------------------------------------------------------------------


def admin_post(client, region, day, name="Hari jadi kota"):
    return client.post(
        "/admin/agencies/regionholiday/add/",
        {"region": region.pk, "date": day.isoformat(), "name": name, "kind": "day_off"},
        follow=True,
    )


def test_holiday_twice_is_refused_with_a_clear_message(demo, login):
    client = login("monitor.btg@ptsp.local")  # the region's admin
    btg = Region.objects.get(code="BTG")
    before = RegionHoliday.objects.filter(region=btg).count()
    admin_post(client, btg, date(2026, 7, 10))
    assert RegionHoliday.objects.filter(region=btg).count() == before + 1
    response = admin_post(client, btg, date(2026, 7, 10), name="Lagi")
    assert "This region already has a day off on this date" in response.content.decode()
    assert RegionHoliday.objects.filter(region=btg).count() == before + 1
    assert RegionHoliday.objects.get(region=btg, date=date(2026, 7, 10)).name == "Hari jadi kota"


def test_holiday_in_another_region_is_refused(demo, login):
    client = login("monitor.btg@ptsp.local")
    plg = Region.objects.get(code="PLG")
    response = admin_post(client, plg, date(2026, 7, 10))
    assert "Select a valid choice" in response.content.decode()
    assert not RegionHoliday.objects.filter(region=plg, date=date(2026, 7, 10)).exists()


def test_holiday_on_a_national_holiday_is_harmless_and_said_so(demo, login):
    client = login("monitor.btg@ptsp.local")
    btg = Region.objects.get(code="BTG")
    response = admin_post(client, btg, date(2026, 8, 17), name="HUT RI")
    assert "already a national holiday" in response.content.decode()
    response = admin_post(client, btg, date(2026, 7, 11), name="Sabtu")
    assert "weekend" in response.content.decode()


def test_working_day_ordinals_follow_the_holidays(demo):
    btg = Region.objects.get(code="BTG")
    ensure_working_days([btg])

    def ordinal(day):
        return WorkingDay.objects.get(region=btg, date=day).ordinal

    assert ordinal(date(2026, 7, 10)) - ordinal(date(2026, 7, 6)) == 4
    RegionHoliday.objects.create(region=btg, date=date(2026, 7, 8), name="Hari jadi")
    assert ordinal(date(2026, 7, 10)) - ordinal(date(2026, 7, 6)) == 3
    RegionHoliday.objects.get(region=btg, date=date(2026, 7, 8)).delete()
    assert ordinal(date(2026, 7, 10)) - ordinal(date(2026, 7, 6)) == 4
