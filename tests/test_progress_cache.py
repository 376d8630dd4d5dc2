"""The applicant page's timeline is rendered once per change of the file and language
(applications.timeline.progress_html, issue 20): a cached timeline never shows one person's file
or language to another, and a new event on the file shows at once."""

import pytest
from django.test import Client
from django.urls import reverse

from agencies.demo import DEMO_PASSWORD
from applications.timeline import PROGRESS_HTML
from tests.journeys import VERIFIER, return_for_a_blurred_plan, submitted_application

pytestmark = pytest.mark.django_db

BUDI, SITI = "budi.santoso@example.id", "siti.rahma@example.id"


def person(email: str, language: str) -> Client:
    client = Client()
    client.cookies["django_language"] = language
    assert client.login(username=email, password=DEMO_PASSWORD)
    return client


def progress(page: str) -> str:
    start = page.index('<ol class="timeline"')
    return page[start : page.index("</ol>", start)]


def test_two_applicants_in_two_languages_interleaved_see_only_their_own(demo):
    PROGRESS_HTML.clear()
    budi_file = submitted_application(BUDI)
    siti_file = submitted_application(SITI)
    budi, siti = person(BUDI, "id"), person(SITI, "en")
    budi_url = reverse("applications:detail", args=[budi_file.pk])
    siti_url = reverse("applications:detail", args=[siti_file.pk])
    pages = []
    for _ in range(2):  # the second round is served from the cache
        pages.append((budi.get(budi_url).content.decode(), siti.get(siti_url).content.decode()))
    for budi_page, siti_page in pages:
        assert "Draf dibuat" in progress(budi_page) and "Draft created" not in budi_page
        assert "Draft created" in progress(siti_page) and "Draf dibuat" not in siti_page
        assert "Budi Santoso" in progress(budi_page) and "Siti" not in progress(budi_page)
        assert "Siti Rahmawati" in progress(siti_page) and "Budi" not in progress(siti_page)
    assert [(progress(a), progress(b)) for a, b in pages[:1]] == [
        (progress(a), progress(b)) for a, b in pages[1:]
    ]
    # Each sees the other's file as missing, cached or not.
    assert budi.get(siti_url).status_code == 404
    assert siti.get(budi_url).status_code == 404
    # The same file in the other language: its own entry.
    budi.cookies["django_language"] = "en"
    assert "Draft created" in progress(budi.get(budi_url).content.decode())


def test_a_new_event_shows_at_once(demo):

    PROGRESS_HTML.clear()
    application = submitted_application(BUDI)
    budi = person(BUDI, "en")
    url = reverse("applications:detail", args=[application.pk])
    assert "Returned for completion" not in progress(budi.get(url).content.decode())
    return_for_a_blurred_plan(application)
    page = progress(budi.get(url).content.decode())
    assert "Returned for completion" in page


def test_the_staff_history_follows_the_file_and_the_language(demo):
    """The front office's check page: the history in each verifier's language, and a
    resubmission on the file shows at once."""
    from applications.services.intake import application_resubmit
    from tests.journeys import replace_document

    PROGRESS_HTML.clear()
    application = submitted_application(BUDI)
    url = reverse("applications:intake_check", args=[application.pk])
    indonesian, english = person(VERIFIER, "id"), person(VERIFIER, "en")

    def history(client):
        page = client.get(url).content.decode()
        start = page.index('id="history-title"')
        return page[start : page.index("</section>", start)]

    for _ in range(2):
        assert "Riwayat" in history(indonesian) and "History" in history(english)
    return_for_a_blurred_plan(application)
    replace_document(application, "denah")
    application_resubmit(application_id=application.pk, actor=application.applicant)
    assert "Returned for completion" in history(english)


def stage_clock(page: str) -> str:
    start = page.index('<section class="card stage-clock"')
    return page[start : page.index("</section>", start) + len("</section>")]


def fresh_stage_clock(application, language: str) -> str:
    """The section as the include renders it now, with no cache."""
    from zoneinfo import ZoneInfo

    from django.template.loader import render_to_string
    from django.utils import timezone, translation

    from applications.sla.clock import stage_clock_context

    application.refresh_from_db()
    with translation.override(language), timezone.override(ZoneInfo(application.region.timezone)):
        return render_to_string("applications/_stage_clock.html", stage_clock_context(application))


def test_the_stage_clock_is_each_files_own_in_its_language_and_follows_time(demo):
    """The applicant page's stage-clock section, rendered once per content (issue 20): two
    applicants in two languages interleaved each get exactly what the include renders for
    their own file, and a clock that moves on (a week later, a return) shows at once."""
    import datetime

    import time_machine
    from django.utils import timezone

    from applications.sla.clock import STAGE_CLOCK_HTML

    STAGE_CLOCK_HTML.clear()
    budi_file, siti_file = submitted_application(BUDI), submitted_application(SITI)
    budi, siti = person(BUDI, "id"), person(SITI, "en")
    budi_url = reverse("applications:detail", args=[budi_file.pk])
    siti_url = reverse("applications:detail", args=[siti_file.pk])
    for _ in range(2):  # the second round is served from the cache
        budi_clock = stage_clock(budi.get(budi_url).content.decode())
        siti_clock = stage_clock(siti.get(siti_url).content.decode())
        assert budi_clock == stage_clock(fresh_stage_clock(budi_file, "id"))
        assert siti_clock == stage_clock(fresh_stage_clock(siti_file, "en"))
        assert "Waktu layanan" in budi_clock and "Service time" in siti_clock
    assert len(STAGE_CLOCK_HTML._data) == 2

    with time_machine.travel(timezone.now() + datetime.timedelta(days=7), tick=False):
        later = stage_clock(budi.get(budi_url).content.decode())
        assert later == stage_clock(fresh_stage_clock(budi_file, "id"))
    assert later != budi_clock  # a week later the intake check is late

    return_for_a_blurred_plan(budi_file)
    returned = stage_clock(budi.get(budi_url).content.decode())
    assert returned == stage_clock(fresh_stage_clock(budi_file, "id"))
    assert returned != budi_clock
