"""OSS outbound (issue 16, phase 2): every tracked event of a file that came from OSS becomes a
delivery, sent in order, once, to the real simulator (oss/simulator: a real HTTP server)."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from agencies.models import Region
from applications.services.intake import application_return
from applications.sla.legal import legal_guard
from oss.models import ChecklistItem, OssDelivery, OssStatusCheck, RegionConnection
from oss.observability import delivery_gauges
from oss.services.deliveries import deliveries_send, delivery_resend
from oss.services.reconciliation import reconcile_recent
from oss.simulator import OssSimulator
from oss.tasks import deliver_due
from outbox.testing import run_pending
from permits.models import Permit
from permits.services.issuance import permit_issue
from tests.journeys import (
    SIGNER,
    applicant,
    demo_type,
    draft,
    recommend,
    route,
    submit,
    verifier_of,
)

pytestmark = pytest.mark.django_db

KEY_ENV = "OSS_USER_KEY_TEST_BTG"
MONITOR = "monitor.btg@ptsp.local"
D = OssDelivery.Status


@pytest.fixture
def sim():
    with OssSimulator(slow_seconds=1.5) as simulator:
        yield simulator


@pytest.fixture
def connected(demo, sim, monkeypatch):
    """Kota Bontang (BTG) connected to the simulator, its user_key in the environment (the
    demo's own connection, pointed at this test's simulator)."""
    monkeypatch.setenv(KEY_ENV, sim.user_key)
    connection, _created = RegionConnection.objects.update_or_create(
        region=Region.objects.get(code="BTG"),
        defaults={
            "enabled": True,
            "kd_daerah": "6474000000",
            "base_url": sim.base_url,
            "path_template": sim.prefix + "/{method}",
            "user_key_env": KEY_ENV,
            "connect_timeout": 1.0,
            "read_timeout": 0.5,
        },
    )
    return connection


def _from_oss(sim, *, linked=True):
    """A draft of the demo's SIP-DU that came from OSS: a checklist item the simulator knows
    (its first seeded business), linked to the draft as receiveNIB does."""
    nib = sim.seeded_nibs[0]
    business = sim.state.nibs[nib]
    entry = business["data_checklist"][0]
    application = draft(demo_type("BTG", "SIP-DU"), applicant(), business={"nib": nib})
    item = ChecklistItem.objects.create(
        region=application.region,
        id_izin=entry["id_izin"],
        kd_izin=entry["kd_izin"],
        nib=nib,
        oss_id=business["oss_id"],
        id_proyek=entry.get("id_proyek") or "",
        application=application if linked else None,
    )
    return application, item


def _issue(application):
    permit = permit_issue(application_id=application.pk, actor=User.objects.get(email=SIGNER))
    run_pending()
    permit.refresh_from_db()
    assert permit.status == Permit.Status.VALID, permit.last_error
    return permit


def _walk(application):
    """Filed → intake → review → recommended, the background work run as a worker would."""
    submit(application)
    run_pending()
    route(application, run_pending)
    recommend(application)
    return application


def _codes(application):
    return list(
        OssDelivery.objects.filter(application=application)
        .order_by("id")
        .values_list("method", "kd_status", "status")
    )


def test_a_files_walk_reports_09_10_12_45_50_and_the_permit_in_order_once(
    connected, sim, signing_cert, client
):
    application, item = _from_oss(sim)
    _walk(application)
    permit = _issue(application)

    assert sim.statuses(item.id_izin) == ["09", "10", "12", "45", "50"]
    licences = sim.accepted("receiveLicense")
    assert len(licences) == 1
    final = licences[0].inner
    assert final["nomor_izin"] == permit.number
    assert final["id_izin"] == item.id_izin and final["kd_daerah"] == "6474000000"
    # the permit after its 50, as the last call
    methods = [r.method for r in sim.accepted()]
    assert methods[-2:] == ["receiveLicenseStatus", "receiveLicense"]
    rows = _codes(application)
    assert [(m, k) for m, k, _s in rows] == [
        ("receiveLicenseStatus", "09"),
        ("receiveLicenseStatus", "10"),
        ("receiveLicenseStatus", "12"),
        ("receiveLicenseStatus", "45"),
        ("receiveLicenseStatus", "50"),
        ("receiveLicense", "50"),
    ]
    assert {s for _m, _k, s in rows} == {D.SENT}
    licence = OssDelivery.objects.get(application=application, method="receiveLicense")
    assert licence.nomor_izin == sim.izin(item.id_izin).nomor_izin != ""
    # the officer and the time in the guide's shape
    accepted_10 = sim.izin(item.id_izin).statuses[1]
    assert accepted_10["nama_status"] and len(accepted_10["tgl_status"]) == 19

    # a sent delivery is never sent again: the sweep, the task, a second run find nothing
    before = len(sim.requests())
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        deliver_due()
    assert deliveries_send(application_id=application.pk) == "done"
    assert len(sim.requests()) == before

    # the link OSS fetches the permit from: the PDF, through a signed link only
    url = final["file_izin"]
    assert "/oss/files/permit/" in url and "/media/" not in url
    path = urlsplit(url).path
    response = client.get(path)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")

    # the staff see the file's deliveries and OSS's permit number
    client.force_login(User.objects.get(email=MONITOR))
    page = client.get(reverse("oss:application", args=[application.pk])).content.decode()
    assert page.count('class="oss-delivery oss-sent"') == 6
    assert licence.nomor_izin in page
    # and on the monitor's page of the file, beside its history
    page = client.get(reverse("monitoring:file", args=[application.pk])).content.decode()
    assert 'id="oss-deliveries"' in page and licence.nomor_izin in page
    dashboard = client.get(reverse("monitoring:dashboard")).content.decode()
    assert reverse("oss:integration") in dashboard


def test_the_permit_link_refuses_forged_altered_and_expired_tokens(
    connected, sim, signing_cert, client
):
    application, _item = _from_oss(sim)
    _walk(application)
    _issue(application)
    url = OssDelivery.objects.get(application=application, method="receiveLicense").payload[
        "IZINFINAL"
    ]["file_izin"]
    path = urlsplit(url).path
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert client.get(path.replace(token, token[:-2] + "xx")).status_code == 404
    assert client.get(reverse("oss:permit_file", args=["not-a-token"])).status_code == 404
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert client.get(path).status_code == 404


def test_oss_down_then_up_everything_arrives_in_order_once(connected, sim):
    application, item = _from_oss(sim)
    sim.fail("500", count=None, methods=["receiveLicenseStatus"])
    _walk(application)
    assert sim.statuses(item.id_izin) == []
    rows = _codes(application)
    assert [k for _m, k, _s in rows] == ["09", "10", "12", "45"]
    first = OssDelivery.objects.filter(application=application).order_by("id").first()
    assert first.status == D.FAILED_RETRYING and first.last_http_status == 500
    # the later ones waited behind the first: never tried while it failed
    assert OssDelivery.objects.filter(application=application, attempts=0).count() == 3

    # an hour of retries while OSS is down: each retry backs off, nothing gets through
    start = timezone.now()
    for minutes in (1, 5, 15, 40, 60):
        with time_machine.travel(start + timedelta(minutes=minutes)):
            deliver_due()
    assert sim.statuses(item.id_izin) == []
    first.refresh_from_db()
    assert 1 < first.attempts < 10  # backed off, not hammered

    sim.reset_failures()
    with time_machine.travel(start + timedelta(hours=3)):
        deliver_due()
        deliver_due()
    assert sim.statuses(item.id_izin) == ["09", "10", "12", "45"]
    assert {s for _m, _k, s in _codes(application)} == {D.SENT}


def test_a_call_that_timed_out_but_arrived_is_not_sent_twice(connected, sim):
    application, item = _from_oss(sim)
    sim.fail("slow", count=1, methods=["receiveLicenseStatus"], delay=1.5)
    submit(application)
    run_pending()
    delivery = OssDelivery.objects.get(application=application)
    assert delivery.status == D.FAILED_RETRYING and delivery.last_maybe_taken
    sim.wait_until(lambda: sim.statuses(item.id_izin) == ["09"], timeout=5)
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        deliver_due()
    delivery.refresh_from_db()
    assert delivery.status == D.SENT
    assert sim.statuses(item.id_izin) == ["09"]  # asked (checkLicenseStatus), not sent again
    assert len(sim.accepted("checkLicenseStatus")) == 1


@pytest.mark.parametrize(
    ("mode", "http_status", "keterangan"),
    [("kode400", 200, "Data Parameter Salah (simulasi)"), ("401", 401, "User Akses Tidak Valid")],
)
def test_a_refusal_is_shown_with_osss_keterangan_and_send_again_works(
    connected, sim, client, mode, http_status, keterangan
):
    application, item = _from_oss(sim)
    sim.fail(mode, count=1, methods=["receiveLicenseStatus"])
    submit(application)
    run_pending()
    route(application, run_pending)
    refused, *later = OssDelivery.objects.filter(application=application).order_by("id")
    assert refused.status == D.FAILED_PERMANENT and refused.kd_status == "09"
    assert refused.last_http_status == http_status and keterangan in refused.last_keterangan
    # the later statuses wait behind it, untried; the sweep does not touch a refusal
    assert [d.attempts for d in later] == [0, 0] and sim.statuses(item.id_izin) == []
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        deliver_due()
    assert sim.statuses(item.id_izin) == []

    client.force_login(User.objects.get(email=MONITOR))
    page = client.get(reverse("oss:integration")).content.decode()
    assert keterangan in page and 'class="oss-refused"' in page
    response = client.post(reverse("oss:resend", args=[refused.pk]), {"next": "integration"})
    assert response.status_code == 302
    run_pending()
    assert sim.statuses(item.id_izin) == ["09", "10", "12"]
    refused.refresh_from_db()
    assert refused.status == D.SENT and refused.resent_by.email == MONITOR
    page = client.get(reverse("oss:integration")).content.decode()
    assert 'class="oss-refused"' not in page


def test_send_again_is_refused_for_a_sent_delivery_and_for_other_regions_staff(
    connected, sim, client
):
    application, _item = _from_oss(sim)
    submit(application)
    run_pending()
    delivery = OssDelivery.objects.get(application=application)
    assert delivery.status == D.SENT
    from ptsp.errors import Conflict

    with pytest.raises(Conflict):
        delivery_resend(delivery_id=delivery.pk, actor=User.objects.get(email=MONITOR))
    before = len(sim.requests())
    other = User.objects.filter(memberships__role="monitor").exclude(email=MONITOR).first()
    client.force_login(other)
    assert client.post(reverse("oss:resend", args=[delivery.pk])).status_code == 404
    assert client.get(reverse("oss:application", args=[application.pk])).status_code == 404
    run_pending()
    assert len(sim.requests()) == before
    client.logout()
    response = client.post(reverse("oss:resend", args=[delivery.pk]))
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_a_region_without_a_connection_sends_nothing_and_works_as_today(demo, sim, signing_cert):
    RegionConnection.objects.filter(region__code="BTG").delete()  # the demo's own
    application, _item = _from_oss(sim)  # from OSS, but Bontang has no connection
    _walk(application)
    _issue(application)
    assert not OssDelivery.objects.exists() and sim.requests() == []
    application.refresh_from_db()
    assert application.status == "issued"


def test_a_switched_off_connection_or_a_file_not_from_oss_sends_nothing(connected, sim):
    portal_file = draft(demo_type("BTG", "SIP-DU"), applicant())  # filed in the portal
    submit(portal_file)
    run_pending()
    assert not OssDelivery.objects.exists()
    connected.enabled = False
    connected.save()
    application, _item = _from_oss(sim)
    submit(application)
    run_pending()
    assert not OssDelivery.objects.exists() and sim.requests() == []


def test_a_missing_user_key_waits_closed_and_sends_once_it_is_set(connected, sim, monkeypatch):
    monkeypatch.delenv(KEY_ENV)
    application, item = _from_oss(sim)
    submit(application)
    run_pending()
    delivery = OssDelivery.objects.get(application=application)
    assert delivery.status == D.FAILED_RETRYING and KEY_ENV in delivery.last_keterangan
    assert sim.requests() == []
    monkeypatch.setenv(KEY_ENV, sim.user_key)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        deliver_due()
    assert sim.statuses(item.id_izin) == ["09"]


def test_return_and_resubmit_report_11_then_09(connected, sim):
    application, item = _from_oss(sim)
    submit(application)
    run_pending()
    document = application.documents.filter(is_current=True).first()
    verdicts = {
        d.pk: {"verdict": "accepted"} for d in application.documents.filter(is_current=True)
    }
    verdicts[document.pk] = {"verdict": "rejected", "note": "Dokumen tidak terbaca."}
    application_return(
        application_id=application.pk,
        actor=verifier_of("BTG"),
        verdicts=verdicts,
    )
    run_pending()
    assert sim.statuses(item.id_izin) == ["09", "11"]


def test_reconciliation_lists_differences_and_shows_unknown_codes(connected, sim, client):
    application, item = _from_oss(sim)
    submit(application)
    run_pending()
    assert reconcile_recent() == 0
    assert not OssStatusCheck.objects.get(checklist_item=item).differs
    sim.set_license_status(item.id_izin, "58")
    assert reconcile_recent() == 1
    check = OssStatusCheck.objects.get(checklist_item=item)
    assert check.differs and check.ours == "09" and check.theirs == "58"
    assert not check.theirs_known
    client.force_login(User.objects.get(email=MONITOR))
    page = client.get(reverse("oss:integration")).content.decode()
    assert 'class="oss-differs"' in page and "58" in page


def test_metrics_count_deliveries_by_status_and_the_lag(connected, sim):
    application, _item = _from_oss(sim)
    sim.fail("504", count=None)
    submit(application)
    run_pending()
    by_status, lag = delivery_gauges()
    samples = {tuple(s.labels.values()): s.value for s in by_status.samples}
    assert samples[("BTG", "failed_retrying")] == 1
    assert lag.samples[0].value >= 0


def test_the_staff_pages_of_a_file_show_what_oss_was_told(connected, sim, client):
    application, _item = _from_oss(sim)
    submit(application)
    run_pending()
    client.force_login(verifier_of("BTG"))
    page = client.get(reverse("applications:intake_check", args=[application.pk])).content
    page = page.decode()
    assert 'id="oss-deliveries"' in page and 'data-kd-status="09"' in page
    assert reverse("oss:resend", args=[application.oss_deliveries.get().pk]) not in page
    portal_file = submit(draft(demo_type("BTG", "SIP-DU"), applicant()))
    page = client.get(reverse("applications:intake_check", args=[portal_file.pk])).content
    assert b'id="oss-deliveries"' not in page


def test_a_worker_killed_during_the_call_does_not_make_oss_count_it_twice(
    connected, sim, monkeypatch
):
    """The call reached OSS, then the worker died before it could record the answer: the next
    attempt asks OSS (checkLicenseStatus) and finds the status there."""
    from oss.client import OssClient

    class Killed(BaseException):  # like SIGKILL: nothing after the call runs
        pass

    real_call = OssClient.call

    def call_then_die(self, method, payload, read):
        result = real_call(self, method, payload, read)
        if method == "receiveLicenseStatus":
            raise Killed
        return result

    application, item = _from_oss(sim)
    monkeypatch.setattr(OssClient, "call", call_then_die)
    with pytest.raises(Killed):
        submit(application)
        run_pending()
    monkeypatch.setattr(OssClient, "call", real_call)
    delivery = OssDelivery.objects.get(application=application)
    assert delivery.status == D.PENDING and delivery.last_maybe_taken
    assert sim.statuses(item.id_izin) == ["09"]
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        deliver_due()
    delivery.refresh_from_db()
    assert delivery.status == D.SENT
    assert sim.statuses(item.id_izin) == ["09"]


def test_a_message_the_guide_refuses_is_shown_and_never_blocks_the_file(connected, sim, client):
    application, item = _from_oss(sim)
    item.kd_izin = "0330000001011"  # 13 characters: fits a checklist, not IZINSTATUS (12)
    item.save()
    submit(application)
    run_pending()
    application.refresh_from_db()
    assert application.status == "submitted"  # the event went through
    delivery = OssDelivery.objects.get(application=application)
    assert delivery.status == D.FAILED_PERMANENT and delivery.attempts == 0
    assert "kd_izin" in delivery.last_keterangan and sim.requests() == []
    from ptsp.errors import Conflict

    with pytest.raises(Conflict):
        delivery_resend(delivery_id=delivery.pk, actor=User.objects.get(email=MONITOR))


def test_the_sweep_lists_only_files_whose_first_unsent_delivery_is_due(connected, sim):
    from oss.services.deliveries import due_applications

    blocked, _item = _from_oss(sim)
    sim.fail("kode400", count=1, methods=["receiveLicenseStatus"])
    submit(blocked)
    run_pending()
    route(blocked, run_pending)  # 10 and 12 wait behind the refused 09
    assert OssDelivery.objects.filter(application=blocked, status=D.PENDING).count() == 2
    assert due_applications() == []
    first = OssDelivery.objects.filter(application=blocked).order_by("id").first()
    delivery_resend(delivery_id=first.pk, actor=User.objects.get(email=MONITOR))
    assert due_applications() == [blocked.pk]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_oss_fetches_the_permit_pdf_from_the_link_it_was_sent(
    live_server, demo, sim, signing_cert, settings, monkeypatch
):
    """The simulator, like OSS, downloads `file_izin` after receiveLicense: from our running
    server, through the signed link, and gets the signed PDF."""
    settings.SITE_URL = live_server.url
    monkeypatch.setenv(KEY_ENV, sim.user_key)
    RegionConnection.objects.update_or_create(  # the demo's own, pointed here
        region=Region.objects.get(code="BTG"),
        defaults={
            "enabled": True,
            "kd_daerah": "6474000000",
            "base_url": sim.base_url,
            "path_template": sim.prefix + "/{method}",
            "user_key_env": KEY_ENV,
            "read_timeout": 2.0,
        },
    )
    application, item = _from_oss(sim)
    _walk(application)
    permit = _issue(application)
    assert sim.wait_until(lambda: "ok" in (sim.izin(item.id_izin).file_fetch or {}), timeout=10)
    fetch = sim.izin(item.id_izin).file_fetch
    assert fetch["ok"] and fetch["http_status"] == 200 and fetch["pdf"], fetch
    assert fetch["sha256"] == permit.sha256 and fetch["url"].startswith(live_server.url)


def test_inspection_revision_and_rejection_report_40_41_42_93_90(connected, sim, signing_cert):
    from applications.services.outcome import application_confirm_rejection
    from applications.services.reviews import inspection_schedule, review_decide
    from applications.services.revisions import revision_answer
    from tests.journeys import CLINIC_DATA, clinic_type, replace_document

    nib = sim.seeded_nibs[0]
    business = sim.state.nibs[nib]
    entry = business["data_checklist"][0]
    application = draft(clinic_type(), applicant(), {**CLINIC_DATA, "nib": nib})
    ChecklistItem.objects.create(
        region=application.region,
        id_izin=entry["id_izin"],
        kd_izin=entry["kd_izin"],
        nib=nib,
        oss_id=business["oss_id"],
        application=application,
    )
    submit(application)
    route(application, run_pending)
    dinkes = application.reviews.get(agency__code="DINKES")
    dlh = application.reviews.get(agency__code="DLH")
    inspection_schedule(
        review_id=dinkes.pk,
        actor=dinkes.assignee,
        scheduled_for=timezone.now() + timedelta(days=3),
        place="Jl. Ahmad Yani No. 5",
    )
    review_decide(
        review_id=dinkes.pk,
        actor=dinkes.assignee,
        decision="request_revision",
        revision_items=[{"kind": "document", "key": "denah", "note": "Ukuran ruang"}],
    )
    replace_document(application, "denah")
    revision_answer(review_id=dinkes.pk, actor=application.applicant, note="Sudah")
    review_decide(
        review_id=dlh.pk, actor=dlh.assignee, decision="reject", reasons="Lokasi tidak sesuai."
    )
    application_confirm_rejection(
        application_id=application.pk, actor=User.objects.get(email=SIGNER), note="Ditolak."
    )
    run_pending()
    statuses = sim.izin(entry["id_izin"]).statuses
    assert [s["kd_status"] for s in statuses] == [
        "09",
        "10",
        "12",
        "40",
        "41",
        "42",
        "93",
        "90",
    ]  # 12 once for two OPDs
    assert statuses[3]["nama_status"] == dinkes.assignee.full_name[:50]  # who inspects
    assert statuses[5]["keterangan"] == "Sudah"  # the applicant's answer
    assert statuses[6]["keterangan"] == "Lokasi tidak sesuai."  # the OPD's reasons
    assert statuses[6]["nama_status"] == dlh.assignee.full_name[:50]
    assert statuses[7]["keterangan"] == "Ditolak."
    assert statuses[7]["nama_status"] == User.objects.get(email=SIGNER).full_name[:50]


def test_the_integration_page_says_whether_oss_answers_and_lists_unclaimed_permits(
    connected, sim, client
):
    client.force_login(User.objects.get(email=MONITOR))
    page = client.get(reverse("oss:integration")).content.decode()
    assert "Not tried yet" in page or "Belum dicoba" in page
    _draft, waiting = _from_oss(sim, linked=False)  # e.g. an unknown kd_izin, for an operator
    nib = sim.seeded_nibs[1]
    business = sim.state.nibs[nib]
    entry = business["data_checklist"][0]
    application = draft(demo_type("BTG", "SIP-DU"), applicant(), business={"nib": nib})
    ChecklistItem.objects.create(
        region=application.region,
        id_izin=entry["id_izin"],
        kd_izin=entry["kd_izin"],
        nib=nib,
        oss_id=business["oss_id"],
        application=application,
    )
    sim.fail("drop", count=None)
    submit(application)
    run_pending()
    page = client.get(reverse("oss:integration")).content.decode()
    assert 'class="oss-unclaimed"' in page and waiting.id_izin in page
    assert 'class="oss-waiting"' in page
    reachable = page.split('id="oss-reachable">', 1)[1].split("</dd>", 1)[0]
    assert reachable.startswith(("No", "Tidak")), reachable
    sim.reset_failures()
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        deliver_due()
    page = client.get(reverse("oss:integration")).content.decode()
    reachable = page.split('id="oss-reachable">', 1)[1].split("</dd>", 1)[0]
    assert reachable.startswith(("Yes", "Ya")), reachable
    assert 'class="oss-waiting"' not in page


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_sigkilled_mid_delivery_is_counted_once_by_oss(demo, sim, settings, monkeypatch):
    """A real process sends the file's 09 and is SIGKILLed while it waits for OSS's answer
    (OSS is slow and finishes the call anyway); the next sweep confirms it with
    checkLicenseStatus and the simulator holds it once."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    monkeypatch.setenv(KEY_ENV, sim.user_key)
    RegionConnection.objects.update_or_create(  # the demo's own, pointed here
        region=Region.objects.get(code="BTG"),
        defaults={
            "enabled": True,
            "kd_daerah": "6474000000",
            "base_url": sim.base_url,
            "path_template": sim.prefix + "/{method}",
            "user_key_env": KEY_ENV,
            "read_timeout": 30.0,
        },
    )
    application, item = _from_oss(sim)
    submit(application)  # recorded, not sent: the outbox is not run here
    delivery = OssDelivery.objects.get(application=application)
    sim.fail("slow", count=1, methods=["receiveLicenseStatus"], delay=3)
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}",
        KEY_ENV: sim.user_key,
    }
    code = (
        "import django; django.setup(); "
        "from oss.services.deliveries import deliveries_send; "
        f"deliveries_send(application_id={application.pk})"
    )
    root = Path(__file__).resolve().parents[2]
    worker = subprocess.Popen(
        [sys.executable, "-c", code], cwd=root, env=env, stdout=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            delivery.refresh_from_db()
            if delivery.last_maybe_taken:
                break
            time.sleep(0.05)
        assert delivery.last_maybe_taken, "the worker never started the call"
        time.sleep(0.3)  # the request is on its way / being answered slowly
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert sim.wait_until(lambda: sim.statuses(item.id_izin) == ["09"], timeout=10)
    delivery.refresh_from_db()
    assert delivery.status == D.PENDING  # the worker died before recording anything
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # until PostgreSQL notices the dead session's lock
        if deliveries_send(application_id=application.pk) != "busy":
            break
        time.sleep(0.2)
    delivery.refresh_from_db()
    assert delivery.status == D.SENT
    assert sim.statuses(item.id_izin) == ["09"]
    assert len(sim.accepted("receiveLicenseStatus")) == 1
    assert len(sim.accepted("checkLicenseStatus")) == 1  # asked, not sent again


def test_a_deemed_approval_reports_57(connected, sim):
    """Issue 18: no decision by the legal deadline (SIP-DU: UU 30/2014's 5 working days) - the
    guard deems the file approved and OSS hears 57, once."""
    application, item = _from_oss(sim)
    submit(application)
    run_pending()
    route(application, run_pending)
    application.refresh_from_db()
    assert legal_guard(now=application.legal_due_at + timedelta(seconds=1)).deemed == 1
    assert legal_guard(now=application.legal_due_at + timedelta(minutes=10)).deemed == 0
    run_pending()
    assert sim.statuses(item.id_izin)[-1] == "57"
    assert sim.statuses(item.id_izin).count("57") == 1
