"""receiveNIB and receiveFileDS at our own endpoints, on the real database: OSS's push (the
bytes the simulator sends) stores the business and turns each checklist item of ours into a
pre-filled draft owned by the business's applicant; the same push twice, an update before its
original, revocation, an unknown kd_izin; and every bad input of issue 16 refused in the
guide's shape with nothing stored and nothing personal in the log."""

import copy
import json
import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ApplicantProfile, User
from applications.models import Application, Status
from catalog.models import PermitType
from oss.models import (
    Business,
    ChecklistIntake,
    ChecklistItem,
    InboundPush,
    PermitMapping,
    RegionConnection,
    SignedPermitFile,
)
from oss.services.inbound import checklist_intake_retry
from oss.simulator import OssSimulator, sample_data_nib
from oss.simulator.samples import KD_DAERAH_PALEMBANG
from oss.token import make_token, oss_today
from outbox.models import OutboxMessage
from tests.oss.inbound import (
    PASSWORD,
    USERNAME,
    answer_status,
    body_of,
    connect_btg,
    file_ds_url,
    nib_url,
    push,
)

pytestmark = pytest.mark.django_db

SIA, PBG, UNKNOWN = "024000000201", "033000000101", "090000000301"
NIK = "6474011203880001"  # the sample push's (a test value)


@pytest.fixture
def sim():
    with OssSimulator(seed=False) as simulator:
        yield simulator


@pytest.fixture
def btg(demo, sim, monkeypatch) -> RegionConnection:
    return connect_btg(sim, monkeypatch)


def sample(sim, **options) -> dict:
    options.setdefault("email", "pengurus.baru@apoteksehat.example")
    return sample_data_nib(files_base_url=sim.base_url, **options)


def counts() -> tuple[int, ...]:
    return (
        Business.objects.count(),
        ChecklistItem.objects.count(),
        Application.objects.count(),
        User.objects.count(),
        OutboxMessage.objects.count(),
    )


# --- a push stored --------------------------------------------------------------------------
def test_a_push_stores_the_business_and_makes_prefilled_drafts_for_a_new_applicant(
    btg, sim, client
):
    data = sample(sim, kd_izin=(SIA, PBG))
    status, answer = push(client, data)
    assert (status, answer) == (
        200,
        {"responreceiveNIB": {"status": "1", "keterangan": "Berhasil menyimpan data"}},
    )

    business = Business.objects.get(nib=data["nib"])
    assert business.region == btg.region
    assert business.name == "PT Apotek Sehat Bontang"
    assert (business.npwp, business.scale, business.is_umk) == ("012345678901000", "02", True)
    assert business.state == Business.State.ACTIVE
    assert business.last_push["nib"] == data["nib"]  # kept for audit
    person = business.responsible_persons.get()
    assert person.nik == NIK and NIK not in str(person) and person.masked_nik in str(person)
    project = business.projects.get()
    assert (project.kbli, project.risk_level, project.kd_daerah) == ("47726", "MT", btg.kd_daerah)
    assert project.coordinates == "0.1322,117.4985"

    applicant = business.applicant
    assert applicant.email == "pengurus.baru@apoteksehat.example"
    assert not applicant.has_usable_password()  # invited to claim it (the welcome mail)
    assert ApplicantProfile.objects.get(user=applicant).nik == NIK
    assert OutboxMessage.objects.filter(
        task_name="accounts.tasks.send_welcome_email", args=[applicant.pk]
    ).exists()

    items = {row.kd_izin: row for row in ChecklistItem.objects.filter(nib=data["nib"])}
    assert set(items) == {SIA, PBG}
    for kd_izin, type_code in ((SIA, "SIA"), (PBG, "PBG")):
        application = items[kd_izin].application
        assert items[kd_izin].intake.state == ChecklistIntake.State.DRAFTED
        assert application.status == Status.DRAFT and application.applicant == applicant
        assert application.permit_type.code == type_code
        assert (application.business_name, application.nib, application.kbli) == (
            "PT Apotek Sehat Bontang",
            data["nib"],
            "47726",
        )
        assert application.address.startswith("Jl. Ahmad Yani No. 12")
        assert str(application.latitude).startswith("0.1322")
    record = InboundPush.objects.get(nib=data["nib"])
    assert (record.outcome, record.items, record.drafts, record.http_status) == (
        "stored",
        2,
        2,
        200,
    )


def test_the_welcome_mail_of_an_account_made_from_oss_has_the_link_that_claims_it(
    btg, sim, client, mailoutbox, run_outbox
):
    data = sample(sim, kd_izin=(SIA,))
    push(client, data)
    run_outbox()
    mail = next(m for m in mailoutbox if m.to == ["pengurus.baru@apoteksehat.example"])
    assert "/accounts/password/reset/" in mail.body


def test_the_same_push_twice_creates_nothing_new(btg, sim, client):
    data = sample(sim, kd_izin=(SIA, PBG))
    assert push(client, data)[0] == 200
    before = counts()
    status, answer = push(client, data)
    assert status == 200 and answer_status(answer) == "1"
    assert counts() == before
    assert InboundPush.objects.filter(nib=data["nib"], outcome="stored").count() == 2


def test_an_existing_applicant_is_found_by_email_or_nik(btg, sim, client):
    by_email = User.objects.filter(applicant_profile__isnull=False).order_by("pk").first()
    data = sample(sim, kd_izin=(SIA,), email=by_email.email.upper(), nik="3171010101900003")
    assert push(client, data)[0] == 200
    assert Business.objects.get(nib=data["nib"]).applicant == by_email

    other = User.objects.filter(applicant_profile__isnull=False).exclude(pk=by_email.pk).first()
    nik = other.applicant_profile.nik
    data = sample(sim, kd_izin=(PBG,), email="someone.else@example.org", nik=nik)
    users = User.objects.count()
    assert push(client, data)[0] == 200
    assert Business.objects.get(nib=data["nib"]).applicant == other
    assert User.objects.count() == users
    assert ChecklistItem.objects.get(nib=data["nib"]).application.applicant == other


def test_a_staff_account_never_becomes_the_applicant(btg, sim, client):
    officer = User.objects.get(email="verifikator.btg@ptsp.local")
    data = sample(sim, kd_izin=(SIA,), email=officer.email, nik="3171010101900003")
    assert push(client, data)[0] == 200
    item = ChecklistItem.objects.get(nib=data["nib"])
    assert item.application is None
    assert item.intake.state == ChecklistIntake.State.NO_APPLICANT


def test_an_unknown_kd_izin_is_kept_for_an_operator_and_answered_status_1(btg, sim, client):
    data = sample(sim, kd_izin=(UNKNOWN, SIA))
    status, answer = push(client, data)
    assert status == 200 and answer_status(answer) == "1"
    waiting = ChecklistItem.objects.get(nib=data["nib"], kd_izin=UNKNOWN)
    assert waiting.application is None
    assert waiting.intake.state == ChecklistIntake.State.UNKNOWN_CODE
    assert waiting.intake.raw["kd_izin"] == UNKNOWN  # the item as received, for the operator
    assert ChecklistItem.objects.get(nib=data["nib"], kd_izin=SIA).application is not None

    # The operator maps the code, then asks again: the draft is made, once.
    PermitMapping.objects.create(
        region=btg.region,
        kd_izin=UNKNOWN,
        permit_type=PermitType.objects.get(region=btg.region, code="REKLAME"),
    )
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "root.oss@ptsp.local", "x", full_name="Root"
    )
    checklist_intake_retry(intake_id=waiting.intake.pk, actor=admin)
    checklist_intake_retry(intake_id=waiting.intake.pk, actor=admin)
    waiting.refresh_from_db()
    assert waiting.intake.state == ChecklistIntake.State.DRAFTED
    assert waiting.application.permit_type.code == "REKLAME"
    assert waiting.application.nib == data["nib"]
    assert Application.objects.filter(nib=data["nib"]).count() == 2


def test_an_item_that_asks_nothing_of_us_makes_no_draft(btg, sim, client):
    data = sample(sim, kd_izin=(SIA,), flag_checklist="O")
    assert push(client, data)[0] == 200
    item = ChecklistItem.objects.get(nib=data["nib"])
    assert item.application is None and item.intake.state == ChecklistIntake.State.NOT_ACTIONABLE
    assert Business.objects.get(nib=data["nib"]).applicant is None  # no account made for nothing


def test_an_update_that_arrives_before_its_original_keeps_the_newer_data(btg, sim, client):
    original = sample(sim, kd_izin=(SIA, PBG))
    update = copy.deepcopy(original)
    update.update(
        tipe_dokumen="5",
        tgl_perubahan_nib=oss_today().isoformat(),
        nama_perseroan="PT Apotek Sehat Bontang Utama",
        skala_usaha="03",
    )
    assert push(client, update)[0] == 200
    assert push(client, original)[0] == 200
    business = Business.objects.get(nib=original["nib"])
    assert business.name == "PT Apotek Sehat Bontang Utama" and business.scale == "03"
    assert business.last_tipe_dokumen == "5"
    assert ChecklistItem.objects.filter(nib=original["nib"]).count() == 2
    assert Application.objects.filter(nib=original["nib"]).count() == 2
    # and a later update still wins
    later = copy.deepcopy(update)
    later["nama_perseroan"] = "PT Apotek Sehat Nusantara"
    assert push(client, later)[0] == 200
    assert Business.objects.get(nib=original["nib"]).name == "PT Apotek Sehat Nusantara"


def test_revocation_and_cancellation_mark_the_business_and_stop_new_drafts(btg, sim, client):
    data = sample(sim, kd_izin=(SIA,))
    assert push(client, data)[0] == 200
    revoked = copy.deepcopy(sample(sim, nib=data["nib"], kd_izin=(PBG,), tipe_dokumen="3"))
    assert push(client, revoked)[0] == 200
    business = Business.objects.get(nib=data["nib"])
    assert business.state == Business.State.REVOKED
    item = ChecklistItem.objects.get(nib=data["nib"], kd_izin=PBG)
    assert item.application is None
    assert item.intake.state == ChecklistIntake.State.BUSINESS_CLOSED
    cancelled = sample(sim, nib=data["nib"], kd_izin=(), tipe_dokumen="4")
    assert push(client, cancelled)[0] == 200
    assert Business.objects.get(nib=data["nib"]).state == Business.State.CANCELLED
    # an original arriving late does not reopen it
    assert push(client, data)[0] == 200
    assert Business.objects.get(nib=data["nib"]).state == Business.State.CANCELLED


# --- bad input: refused in the guide's shape, nothing stored, nothing personal logged --------
def _refused(client, caplog, data, *, expect_status, expect_code, **options):
    before = counts()
    with caplog.at_level(logging.INFO, logger="oss.inbound"):
        status, answer = push(client, data, **options)
    assert status == expect_status, answer
    assert set(answer) == {"responreceiveNIB"}
    assert answer_status(answer) == "2" and answer["responreceiveNIB"]["keterangan"]
    assert counts() == before  # nothing stored
    record = InboundPush.objects.order_by("-pk").first()
    assert (record.outcome, record.code, record.http_status) == ("refused", expect_code, status)
    for secret in (NIK, "apoteksehat.example", "Siti Rahmawati", PASSWORD):
        assert secret not in caplog.text
        assert secret not in record.reason
    assert "outcome=refused" in caplog.text
    return answer


@pytest.mark.parametrize(
    ("case", "expect_status", "expect_code"),
    [
        ("missing", 401, "token_missing"),
        ("wrong", 401, "token_mismatch"),
        ("yesterday", 401, "token_stale_date"),
        ("other_nib", 401, "token_mismatch"),
        ("not_hex", 401, "token_malformed"),
    ],
)
def test_a_bad_token_is_refused(btg, sim, client, caplog, case, expect_status, expect_code):
    data = sample(sim)
    token = {
        "missing": "",
        "wrong": make_token(username=USERNAME, password="salah", nib=data["nib"], on=oss_today()),
        "yesterday": make_token(
            username=USERNAME,
            password=PASSWORD,
            nib=data["nib"],
            on=oss_today() - timedelta(days=1),
        ),
        "other_nib": make_token(
            username=USERNAME, password=PASSWORD, nib="9120100000001", on=oss_today()
        ),
        "not_hex": "OSS000qw" + data["nib"] + oss_today().strftime("%Y%m%d"),
    }[case]
    _refused(
        client, caplog, data, token=token, expect_status=expect_status, expect_code=expect_code
    )


def test_malformed_json_is_refused(btg, sim, client, caplog):
    data = sample(sim)
    raw = body_of(data)[:-3] + b"}"
    answer = _refused(client, caplog, data, raw=raw, expect_status=400, expect_code="malformed")
    assert "JSON" in answer["responreceiveNIB"]["keterangan"]


def test_a_nib_with_letters_is_refused(btg, sim, client, caplog):
    data = sample(sim, nib="91202ABC45678")
    _refused(client, caplog, data, expect_status=401, expect_code="token_invalid_nib")


def test_a_payload_that_breaks_the_guide_is_refused_with_the_field(btg, sim, client, caplog):
    data = sample(sim)
    data["data_checklist"][0]["kd_daerah"] = "647400000"
    answer = _refused(client, caplog, data, expect_status=400, expect_code="invalid")
    assert "data_checklist[0].kd_daerah" in answer["responreceiveNIB"]["keterangan"]


def test_a_refusal_that_quotes_a_personal_value_keeps_it_out_of_the_record_and_log(
    btg, sim, client, caplog
):
    data = sample(sim)
    data["tgl_lahir_user_proses"] = "1988-02-31"  # a birth date, and not a real one
    answer = _refused(client, caplog, data, expect_status=400, expect_code="invalid")
    assert "tgl_lahir_user_proses" in answer["responreceiveNIB"]["keterangan"]
    record = InboundPush.objects.order_by("-pk").first()
    assert record.reason == "dataNIB.tgl_lahir_user_proses: format"
    assert "1988-02-31" not in record.reason and "1988-02-31" not in caplog.text


def test_a_push_to_another_regions_kd_daerah_is_refused(btg, sim, client, caplog):
    data = sample(sim, kd_daerah=KD_DAERAH_PALEMBANG)
    # Palembang has no OSS connection: its address takes nothing
    _refused(
        client,
        caplog,
        data,
        url=nib_url(KD_DAERAH_PALEMBANG),
        expect_status=404,
        expect_code="region_disabled",
    )
    # Palembang's checklist sent to Bontang's address: not ours
    answer = _refused(client, caplog, data, expect_status=400, expect_code="other_region")
    assert "6474000000" in answer["responreceiveNIB"]["keterangan"]


def test_a_disabled_region_takes_nothing(btg, sim, client, caplog):
    RegionConnection.objects.filter(pk=btg.pk).update(enabled=False)
    _refused(client, caplog, sample(sim), expect_status=404, expect_code="region_disabled")


def test_a_region_without_its_push_password_in_the_environment_refuses(
    btg, sim, client, caplog, monkeypatch
):
    monkeypatch.delenv("OSS_TEST_BTG_PUSH_PASSWORD")
    _refused(client, caplog, sample(sim), expect_status=401, expect_code="token_not_configured")


def test_a_body_over_the_limit_is_refused_before_it_is_read(btg, sim, client, caplog, settings):
    settings.OSS_INBOUND_MAX_BODY_BYTES = 4096
    data = sample(sim)
    assert len(body_of(data)) > 4096
    _refused(client, caplog, data, expect_status=413, expect_code="body_too_large")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:1/_sim/files/denah-lokasi.pdf",  # loopback, not the OSS address
        "http://localhost/denah.pdf",
        "http://10.20.30.40/denah.pdf",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/denah.pdf",
        "https://files.example.org/denah.pdf",  # another host
        "http://user:pw@{sim}/_sim/files/denah-lokasi.pdf",
    ],
)
def test_a_file_url_outside_the_oss_hosts_is_refused(btg, sim, client, caplog, url):
    data = sample(sim)
    host = sim.base_url.split("//", 1)[1]
    data["data_checklist"][1]["data_persyaratan"][0]["file_dokumen"] = url.format(sim=host)
    answer = _refused(client, caplog, data, expect_status=400, expect_code="file_url_refused")
    assert (
        "data_checklist[1].data_persyaratan[0].file_dokumen"
        in (answer["responreceiveNIB"]["keterangan"])
    )


def test_only_post_is_answered(btg, client):
    assert client.get(nib_url()).status_code == 405


# --- receiveFileDS ---------------------------------------------------------------------------
def _file_ds(client, body: dict, nib: str, token: str | None = None):
    token = token or make_token(username=USERNAME, password=PASSWORD, nib=nib, on=oss_today())
    response = client.post(
        file_ds_url(),
        data=json.dumps({"receiveFileDS": body}).encode(),
        content_type="application/json",
        HTTP_TOKEN=token,
    )
    return response.status_code, response.json()


def test_receive_file_ds_keeps_osss_signed_file_on_the_permit(
    btg, sim, client, run_outbox, signing_cert
):
    from tests.journeys import issued_permit

    permit = issued_permit(run_outbox)
    nib = "9120200000017"
    ChecklistItem.objects.create(
        region=btg.region,
        id_izin="I-202612010000000000017",
        kd_izin=SIA,
        nib=nib,
        application=permit.application,
    )
    url = sim.file_url("izin-ds.pdf")
    body = {"id_izin": "I-202612010000000000017", "nib": nib, "file_izin": url}
    status, answer = _file_ds(client, body, nib)
    assert (status, answer["responreceiveFileDS"]["status"]) == (200, "1")
    signed = SignedPermitFile.objects.get(permit=permit)
    assert signed.url == url and signed.id_izin == "I-202612010000000000017"
    assert timezone.now() - signed.received_at < timedelta(minutes=1)
    # sent again with a new URL: replaced, not doubled
    status, _answer = _file_ds(client, {**body, "file_izin": url + "?v=2"}, nib)
    assert status == 200 and SignedPermitFile.objects.get(permit=permit).url.endswith("?v=2")


def test_receive_file_ds_for_an_unknown_permit_or_a_bad_token_stores_nothing(btg, sim, client):
    nib = "9120200000017"
    body = {"id_izin": "I-202612010000000000099", "nib": nib, "file_izin": sim.file_url("x.pdf")}
    status, answer = _file_ds(client, body, nib)
    assert (status, answer["responreceiveFileDS"]["status"]) == (400, "2")
    assert "tidak ditemukan" in answer["responreceiveFileDS"]["keterangan"]
    status, answer = _file_ds(client, body, nib, token="0" * 40)
    assert (status, answer["responreceiveFileDS"]["status"]) == (401, "2")
    assert not SignedPermitFile.objects.exists()


def test_the_admin_action_makes_the_draft_once_the_code_is_mapped(btg, sim, client, settings):
    data = sample(sim, kd_izin=(UNKNOWN,))
    push(client, data)
    intake = ChecklistIntake.objects.get(item__nib=data["nib"])
    PermitMapping.objects.create(
        region=btg.region,
        kd_izin=UNKNOWN,
        permit_type=PermitType.objects.get(region=btg.region, code="REKLAME"),
    )
    root = User.objects.create_superuser("root.oss@ptsp.local", "x", full_name="Root")
    client.force_login(root)
    response = client.post(
        "/admin/oss/checklistintake/",
        {"action": "make_drafts_again", "_selected_action": [intake.pk]},
    )
    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.state == ChecklistIntake.State.DRAFTED


def test_the_admin_shows_a_business_with_its_people_masked(btg, sim, client):
    data = sample(sim, kd_izin=(SIA,))
    push(client, data)
    business = Business.objects.get(nib=data["nib"])
    root = User.objects.create_superuser("root.oss@ptsp.local", "x", full_name="Root")
    client.force_login(root)
    page = client.get(f"/admin/oss/business/{business.pk}/change/").content.decode()
    assert "PT Apotek Sehat Bontang" in page and "647401******0001" in page
    assert NIK not in page  # neither the person's NIK nor the raw push
    listing = client.get("/admin/oss/inboundpush/").content.decode()
    assert data["nib"] in listing
