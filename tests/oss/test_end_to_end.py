"""Issue 16 end to end, over real HTTP both ways: the simulator (a real server) pushes
`receiveNIB` to the live portal; the applicant finds the pre-filled draft on the web page,
completes and submits it there; intake accepts, the OPDs recommend, the signer issues; the
deliveries run; and the simulated OSS has received 09, 10, 12, 45, 50 and the `IZINFINAL` with
our permit number and a file URL it fetched the signed PDF from — in order, each once."""

import re
import time
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from accounts.models import User
from applications.models import Status
from oss.models import Business, ChecklistItem, InboundPush, OssDelivery
from oss.simulator import OssSimulator, sample_data_nib
from permits.models import Permit
from permits.services.issuance import permit_issue
from tests.journeys import SIGNER, _sample_value, file_for, recommend, route
from tests.oss.inbound import PASSWORD, USERNAME, connect_btg, nib_url

SIA = "024000000201"
KEY_ENV = "OSS_USER_KEY_TEST_E2E"
EMAIL = "pemilik.apotek@apoteksehat.example"
NEW_PASSWORD = "kunci-Pintu-biru-4729"  # a test value, not a secret


@pytest.mark.django_db(transaction=True)
def test_a_file_from_oss_gets_every_status_and_the_permit_back_in_order_once(
    demo, live_server, monkeypatch, run_outbox, client, signing_cert, settings, mailoutbox
):
    settings.SITE_URL = live_server.url  # where OSS fetches the permit file from
    with OssSimulator(seed=False) as sim:
        monkeypatch.setenv(KEY_ENV, sim.user_key)
        connect_btg(
            sim,
            monkeypatch,
            path_template=sim.prefix + "/{method}",
            user_key_env=KEY_ENV,
            connect_timeout=1.0,
            read_timeout=2.0,
        )
        # 1. OSS pushes the business and its checklist (one SIA) to our live endpoint
        data = sample_data_nib(files_base_url=sim.base_url, kd_izin=(SIA,), email=EMAIL)
        result = sim.push_nib(
            live_server.url + nib_url(), data, username=USERNAME, password=PASSWORD
        )
        assert result.http_status == 200, result
        assert InboundPush.objects.get().outcome == "stored"
        run_outbox()  # the requirement files fetched from OSS

        item = ChecklistItem.objects.get(kd_izin=SIA)
        application = item.application
        assert application is not None and application.status == Status.DRAFT
        business = Business.objects.get(nib=data["nib"])
        assert application.applicant == business.applicant

        # 2. the applicant claims the account from the welcome mail (confirms the address, sets
        # a password), logs in and sees the pre-filled draft
        mail = next(m for m in mailoutbox if m.to == [EMAIL])
        links = {urlsplit(u).path for u in re.findall(r"https?://\S+", mail.body)}
        confirm = next(p for p in links if "/confirm/" in p)
        client.get(confirm)
        reset = next(p for p in links if "/password/reset/" in p)
        form_url = client.get(reset, follow=True).redirect_chain[-1][0]
        response = client.post(
            form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )
        assert response.status_code == 302, response.content.decode()[:1000]
        business.applicant.refresh_from_db()
        assert business.applicant.email_confirmed_at is not None
        assert client.login(username=EMAIL, password=NEW_PASSWORD)
        edit_url = reverse("applications:edit", args=[application.pk])
        page = client.get(edit_url).content.decode()
        assert data["nib"] in page and "PT Apotek Sehat Bontang" in page

        # 3. completes it on the page: the fields OSS did not fill, the documents it did not send
        snapshot = application.catalog_version.snapshot
        values = {
            "business_name": application.business_name,
            "nib": application.nib,
            "kbli": application.kbli,
            "address": application.address,
            "kelurahan": application.kelurahan or "Api-Api",
            "kecamatan": application.kecamatan or "Bontang Utara",
        }
        for field in snapshot["fields"]:
            values[field["key"]] = _sample_value(field)
        response = client.post(edit_url, values)
        assert response.status_code == 302, response.content.decode()[:2000]
        held = set(
            application.documents.filter(is_current=True).values_list("requirement_code", flat=True)
        )
        for requirement in snapshot["requirements"]:
            if requirement["is_required"] and requirement["code"] not in held:
                upload = file_for(requirement)
                response = client.post(
                    reverse(
                        "applications:upload_document", args=[application.pk, requirement["code"]]
                    ),
                    {"file": upload},
                )
                assert response.status_code == 302
        response = client.post(reverse("applications:submit", args=[application.pk]), follow=True)
        application.refresh_from_db()
        shown = [str(m) for m in response.context["messages"]]
        assert application.status == Status.SUBMITTED, shown
        run_outbox()
        assert sim.statuses(item.id_izin) == ["09"]

        # 4. intake accepts, the OPDs recommend, the signer issues
        route(application, run_outbox)
        recommend(application)
        permit = permit_issue(application_id=application.pk, actor=User.objects.get(email=SIGNER))
        run_outbox()
        permit.refresh_from_db()
        assert permit.status == Permit.Status.VALID, permit.last_error
        run_outbox()  # anything the issuance's deliveries left

        # 5. OSS holds every status and the permit, in order, each once
        assert sim.statuses(item.id_izin) == ["09", "10", "12", "45", "50"]
        methods = [r.method for r in sim.accepted() if r.method.startswith("receiveLicense")]
        assert methods == ["receiveLicenseStatus"] * 5 + ["receiveLicense"]
        licences = sim.accepted("receiveLicense")
        final = licences[0].inner
        assert final["nomor_izin"] == permit.number
        assert final["id_izin"] == item.id_izin and final["nib"] == data["nib"]
        assert final["file_izin"].startswith(live_server.url + "/oss/files/permit/")
        deadline = time.monotonic() + 10
        while (sim.izin(item.id_izin).file_fetch or {"pending": True}).get("pending"):
            assert time.monotonic() < deadline, "OSS never fetched the permit file"
            time.sleep(0.1)
        fetched = sim.izin(item.id_izin).file_fetch
        assert fetched["ok"] and fetched["pdf"] and fetched["http_status"] == 200, fetched
        assert set(OssDelivery.objects.values_list("status", flat=True)) == {
            OssDelivery.Status.SENT
        }
        assert OssDelivery.objects.count() == 6
