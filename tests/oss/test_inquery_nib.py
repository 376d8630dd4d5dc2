"""`inqueryNIB` when an applicant types an NIB in a draft (issue 16): saved through the web form
or the filing service (the API's path), OSS is asked in the background (never inside the
request), and name, KBLI and address are filled from OSS where the applicant left them empty;
an unknown NIB, OSS down or slow, tell the applicant, who goes on by hand; a region without a
connection asks nothing. Against the real simulator."""

import pytest
from django.urls import reverse

from applications.services import filing
from oss.models import NibInquiry
from oss.simulator import OssSimulator
from outbox.models import OutboxMessage
from tests.journeys import APPLICANT, applicant, demo_type
from tests.oss.inbound import connect_btg

pytestmark = pytest.mark.django_db

KEY_ENV = "OSS_USER_KEY_TEST_INQUIRY"
UNKNOWN_NIB = "9120999999999"
S = NibInquiry.State


@pytest.fixture
def sim():
    with OssSimulator(slow_seconds=1.5) as simulator:
        yield simulator


@pytest.fixture
def btg(demo, sim, monkeypatch):
    monkeypatch.setenv(KEY_ENV, sim.user_key)
    return connect_btg(
        sim,
        monkeypatch,
        path_template=sim.prefix + "/{method}",
        user_key_env=KEY_ENV,
        connect_timeout=1.0,
        read_timeout=0.5,
    )


@pytest.fixture
def known(sim) -> dict:
    nib = sim.seeded_nibs[0]
    return {"nib": nib, **sim.state.nibs[nib]}


def new_draft():
    return filing.application_create_draft(
        permit_type_id=demo_type("BTG", "SIP-DU").pk, actor=applicant()
    )


def post_business(client, application, **values):
    data = {"business_name": "", "nib": "", "kbli": "", "address": "", **values}
    return client.post(reverse("applications:edit", args=[application.pk]), data)


def edit_page(client, application) -> str:
    return client.get(reverse("applications:edit", args=[application.pk])).content.decode()


def test_a_known_nib_typed_on_the_page_fills_the_empty_fields_after_the_request(
    btg, sim, known, login, run_outbox
):
    client = login(APPLICANT)
    application = new_draft()
    response = post_business(client, application, nib=known["nib"])
    assert response.status_code == 302
    assert sim.requests("inqueryNIB") == []  # not inside the applicant's request
    assert NibInquiry.objects.get(application=application).state == S.PENDING
    assert 'id="oss-nib-inquiry"' in edit_page(client, application)

    run_outbox()
    inquiry = NibInquiry.objects.get(application=application)
    assert inquiry.state == S.FOUND
    application.refresh_from_db()
    assert application.business_name == known["nama_perseroan"]
    assert application.kbli == known["data_proyek"][0]["kbli"]
    assert application.address and application.address in known["alamat_perseroan"]
    assert set(inquiry.filled) == {"business_name", "kbli", "address"}
    assert len(sim.accepted("inqueryNIB")) == 1
    assert "oss-nib-found" in edit_page(client, application)

    # saving the same NIB again asks nothing
    post_business(client, application, nib=known["nib"], business_name="Usaha Saya")
    run_outbox()
    assert len(sim.requests("inqueryNIB")) == 1


def test_what_the_applicant_typed_is_kept_through_the_service_as_the_api_saves(
    btg, sim, known, run_outbox
):
    application = new_draft()
    filing.application_update_draft(
        application_id=application.pk,
        actor=application.applicant,
        data={"nib": known["nib"], "business_name": "Nama Pilihan Saya"},
    )
    run_outbox()
    application.refresh_from_db()
    assert application.business_name == "Nama Pilihan Saya"
    assert application.kbli == known["data_proyek"][0]["kbli"]
    assert set(NibInquiry.objects.get(application=application).filled) == {"kbli", "address"}


def test_an_unknown_nib_tells_the_applicant_and_changes_nothing(btg, sim, login, run_outbox):
    client = login(APPLICANT)
    application = new_draft()
    post_business(client, application, nib=UNKNOWN_NIB, business_name="Usaha Baru")
    run_outbox()
    inquiry = NibInquiry.objects.get(application=application)
    assert inquiry.state == S.UNKNOWN and inquiry.filled == []
    assert "400" in inquiry.detail
    application.refresh_from_db()
    assert (application.business_name, application.kbli, application.address) == (
        "Usaha Baru",
        "",
        "",
    )
    assert "oss-nib-unknown" in edit_page(client, application)


@pytest.mark.parametrize("mode", ["500", "slow", "drop"])
def test_oss_down_or_slow_tells_the_applicant_who_goes_on_by_hand(
    btg, sim, known, login, run_outbox, mode
):
    client = login(APPLICANT)
    application = new_draft()
    sim.fail(mode, count=None, methods=["inqueryNIB"])
    response = post_business(client, application, nib=known["nib"])
    assert response.status_code == 302
    run_outbox()
    inquiry = NibInquiry.objects.get(application=application)
    assert inquiry.state == S.UNAVAILABLE and inquiry.filled == []
    application.refresh_from_db()
    assert (application.business_name, application.kbli) == ("", "")
    assert "oss-nib-unavailable" in edit_page(client, application)
    # the applicant goes on by hand
    response = post_business(
        client, application, nib=known["nib"], business_name="Usaha Manual", kbli="47726"
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.business_name == "Usaha Manual"


def test_a_missing_user_key_is_shown_as_oss_unavailable(btg, sim, known, run_outbox, monkeypatch):
    monkeypatch.delenv(KEY_ENV)
    application = new_draft()
    filing.application_update_draft(
        application_id=application.pk, actor=application.applicant, data={"nib": known["nib"]}
    )
    run_outbox()
    assert NibInquiry.objects.get(application=application).state == S.UNAVAILABLE
    assert sim.requests("inqueryNIB") == []


def test_a_region_without_a_connection_asks_nothing(btg, sim, known, login, run_outbox):
    btg.enabled = False
    btg.save()
    client = login(APPLICANT)
    application = new_draft()
    post_business(client, application, nib=known["nib"])
    run_outbox()
    assert not NibInquiry.objects.exists()
    assert not OutboxMessage.objects.filter(task_name="oss.tasks.inquire_nib").exists()
    assert sim.requests("inqueryNIB") == []
    assert 'id="oss-nib-inquiry"' not in edit_page(client, application)


def test_a_draft_made_from_an_oss_push_asks_oss_nothing(btg, sim, client, run_outbox):
    from oss.simulator import sample_data_nib
    from tests.oss.inbound import push

    data = sample_data_nib(files_base_url=sim.base_url, kd_izin=("024000000201",))
    status, _answer = push(client, data)
    assert status == 200
    run_outbox()
    assert not NibInquiry.objects.exists()
    assert sim.requests("inqueryNIB") == []


# --- by NPWP, and asked again (the draft page's panel) -----------------------------------------
def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_applicant_asks_by_npwp_and_the_nib_is_filled_after_the_request(
    btg, sim, known, login, run_outbox
):
    client = login(APPLICANT)
    client.cookies["django_language"] = "en"
    application = new_draft()
    page = edit_page(client, application)
    assert reverse("oss:inquiry_npwp", args=[application.pk]) in page  # no NIB yet: offered
    npwp = known["npwp_perseroan"]
    typed = f"{npwp[:2]}.{npwp[2:5]}.{npwp[5:8]}.{npwp[8]}-{npwp[9:12]}.{npwp[12:]}"
    response = client.post(reverse("oss:inquiry_npwp", args=[application.pk]), {"npwp": typed})
    assert response.status_code == 302
    assert sim.requests("inqueryNIB") == []  # not inside the applicant's request
    inquiry = NibInquiry.objects.get(application=application)
    assert (inquiry.state, inquiry.npwp, inquiry.nib) == (S.PENDING, npwp, "")
    assert f"NPWP {npwp}" in edit_page(client, application)

    run_outbox()
    (asked,) = sim.accepted("inqueryNIB")
    assert asked.body == {"INQUERYNIB": {"npwp": npwp}}
    inquiry.refresh_from_db()
    assert inquiry.state == S.FOUND and inquiry.nib == known["nib"]
    assert set(inquiry.filled) == {"nib", "business_name", "kbli", "address"}
    application.refresh_from_db()
    assert application.nib == known["nib"]
    assert application.business_name == known["nama_perseroan"]
    page = edit_page(client, application)
    assert "oss-nib-found" in page and known["nib"] in page
    assert reverse("oss:inquiry_npwp", args=[application.pk]) not in page
    # the NIB OSS filled is not asked about again when the applicant saves the form
    post_business(client, application, nib=known["nib"], business_name="Usaha Saya")
    run_outbox()
    assert len(sim.requests("inqueryNIB")) == 1


def test_an_npwp_oss_does_not_know_tells_the_applicant(btg, sim, login, run_outbox):
    client = login(APPLICANT)
    client.cookies["django_language"] = "en"
    application = new_draft()
    client.post(reverse("oss:inquiry_npwp", args=[application.pk]), {"npwp": "0999999999999999"})
    run_outbox()
    inquiry = NibInquiry.objects.get(application=application)
    assert inquiry.state == S.UNKNOWN and inquiry.filled == []
    application.refresh_from_db()
    assert application.nib == "" and application.business_name == ""
    page = edit_page(client, application)
    assert "oss-nib-unknown" in page and "0999999999999999" in page
    assert reverse("oss:inquiry_npwp", args=[application.pk]) in page  # may try another


@pytest.mark.parametrize(
    "npwp", ["", "12345", "01.234.567.8-912.00A", "12345678901234567", "٠" * 15]
)
def test_a_bad_npwp_gets_a_clear_message_and_changes_nothing(btg, sim, login, npwp):
    client = login(APPLICANT)
    client.cookies["django_language"] = "en"
    application = new_draft()
    before = OutboxMessage.objects.count()
    response = client.post(
        reverse("oss:inquiry_npwp", args=[application.pk]), {"npwp": npwp}, follow=True
    )
    assert any("15 or 16 digits" in m for m in messages_of(response)), messages_of(response)
    assert not NibInquiry.objects.exists()
    assert OutboxMessage.objects.count() == before


def test_an_inquiry_oss_did_not_answer_is_asked_again_through_the_outbox(
    btg, sim, known, login, run_outbox
):
    client = login(APPLICANT)
    client.cookies["django_language"] = "en"
    application = new_draft()
    sim.fail("504", count=None, methods=["inqueryNIB"])
    post_business(client, application, nib=known["nib"])
    run_outbox()
    assert NibInquiry.objects.get(application=application).state == S.UNAVAILABLE
    page = edit_page(client, application)
    assert "OSS did not answer; try again" in page
    assert reverse("oss:inquiry_retry", args=[application.pk]) in page

    sim.reset_failures()
    asked_before = len(sim.requests("inqueryNIB"))
    response = client.post(reverse("oss:inquiry_retry", args=[application.pk]))
    assert response.status_code == 302
    assert len(sim.requests("inqueryNIB")) == asked_before  # not inside the request
    inquiry = NibInquiry.objects.get(application=application)
    assert inquiry.state == S.PENDING and inquiry.nib == known["nib"]
    run_outbox()
    inquiry.refresh_from_db()
    assert inquiry.state == S.FOUND
    application.refresh_from_db()
    assert application.business_name == known["nama_perseroan"]
    assert reverse("oss:inquiry_retry", args=[application.pk]) not in edit_page(client, application)

    # answered now: asking again is refused, nothing changes
    before = (OutboxMessage.objects.count(), NibInquiry.objects.get().asked_at)
    response = client.post(reverse("oss:inquiry_retry", args=[application.pk]), follow=True)
    assert any("no unanswered inquiry" in m for m in messages_of(response))
    assert (OutboxMessage.objects.count(), NibInquiry.objects.get().asked_at) == before


def test_only_the_drafts_applicant_asks_and_only_for_a_draft(btg, sim, known, login, run_outbox):
    application = new_draft()
    sim.fail("500", count=None, methods=["inqueryNIB"])
    filing.application_update_draft(
        application_id=application.pk, actor=application.applicant, data={"nib": known["nib"]}
    )
    run_outbox()
    before = (OutboxMessage.objects.count(), list(NibInquiry.objects.values_list("state", "npwp")))
    other = login("siti.rahma@example.id")
    assert other.post(reverse("oss:inquiry_retry", args=[application.pk])).status_code == 404
    assert (
        other.post(
            reverse("oss:inquiry_npwp", args=[application.pk]), {"npwp": known["npwp_perseroan"]}
        ).status_code
        == 404
    )
    assert (
        OutboxMessage.objects.count(),
        list(NibInquiry.objects.values_list("state", "npwp")),
    ) == before

    # the region switched off: the draft is not looked up at OSS any more
    btg.enabled = False
    btg.save()
    client = login(APPLICANT)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("oss:inquiry_retry", args=[application.pk]), follow=True)
    assert any("not looked up at OSS" in m for m in messages_of(response)), messages_of(response)
    assert (
        OutboxMessage.objects.count(),
        list(NibInquiry.objects.values_list("state", "npwp")),
    ) == before
