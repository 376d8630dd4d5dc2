"""The operator's page of the OSS integration (`oss:waiting`, docs/oss.md "The operator's
page"), on the real database with pushes from the real simulator: a region's DPMPTSP operator
sees the checklist items waiting for them and the requirement files whose fetch failed, maps an
unknown kd_izin (the waiting items get their drafts, once), processes an item again, tries a
failed fetch again now (through the outbox); each action is recorded; every bad input gets a
clear message and changes nothing; another region's staff get 404."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from applications.models import Application
from catalog.models import PermitType
from oss.models import (
    ChecklistIntake,
    ChecklistItem,
    OperatorAction,
    PermitMapping,
    RegionConnection,
    RequirementFile,
)
from oss.services.files import MAX_ATTEMPTS
from oss.simulator import OssSimulator, sample_data_nib
from outbox.models import OutboxMessage
from tests.oss.inbound import connect_btg, push

pytestmark = pytest.mark.django_db

SIA, UNKNOWN = "024000000201", "090000000301"
MONITOR = "monitor.btg@ptsp.local"
VERIFIER = "verifikator.btg@ptsp.local"
OTHER_REGION = "verifikator.plg@ptsp.local"


@pytest.fixture
def sim():
    with OssSimulator(seed=False) as simulator:
        yield simulator


@pytest.fixture
def btg(demo, sim, monkeypatch) -> RegionConnection:
    return connect_btg(sim, monkeypatch)


def pushed(client, sim, *kd_izin, **options) -> dict:
    options.setdefault("email", "operator.uji@apoteksehat.example")
    data = sample_data_nib(files_base_url=sim.base_url, kd_izin=kd_izin, **options)
    status, answer = push(client, data)
    assert status == 200, answer
    return data


def as_user(client, email: str):
    """Logged in as `email`, pages in English (the messages the tests read)."""
    client.force_login(User.objects.get(email=email))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def reklame(region) -> PermitType:
    return PermitType.objects.get(region=region, code="REKLAME")


def state() -> tuple:
    """Everything an operator's action may change."""
    return (
        PermitMapping.objects.count(),
        Application.objects.count(),
        OperatorAction.objects.count(),
        OutboxMessage.objects.count(),
        sorted(ChecklistIntake.objects.values_list("id", "state", "reason")),
        sorted(RequirementFile.objects.values_list("id", "state", "attempts", "next_attempt_at")),
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_page_lists_the_waiting_items_and_the_failed_files_and_links_from_integration(
    btg, sim, client, run_outbox
):
    unknown = pushed(client, sim, UNKNOWN)
    known = pushed(client, sim, SIA, email="berkas.gagal@apoteksehat.example")
    sim.fail("500", methods="file")
    run_outbox()
    as_user(client, MONITOR)
    assert reverse("oss:waiting") in client.get(reverse("oss:integration")).content.decode()
    page = client.get(reverse("oss:waiting")).content.decode()
    assert f'data-kd-izin="{UNKNOWN}"' in page
    waiting = ChecklistItem.objects.get(nib=unknown["nib"])
    assert waiting.id_izin in page and 'data-state="unknown_code"' in page
    files = RequirementFile.objects.filter(item__nib=known["nib"])
    assert files.count() == 2 and page.count('class="oss-failed-file"') == 2
    assert "HTTP 500" in page
    # the region's permit types are offered, another region's are not
    assert f'value="{reklame(btg.region).pk}"' in page
    other = PermitType.objects.exclude(region=btg.region).first()
    assert f'value="{other.pk}"' not in page

    # another region's staff see none of it
    as_user(client, OTHER_REGION)
    page = client.get(reverse("oss:waiting")).content.decode()
    assert waiting.id_izin not in page and 'class="oss-failed-file"' not in page


def test_mapping_an_unknown_code_makes_the_drafts_of_its_waiting_items_once(btg, sim, client):
    first = pushed(client, sim, UNKNOWN, SIA)
    second = pushed(client, sim, UNKNOWN, email="kedua@usaha.example", nik="6474011203880002")
    assert ChecklistIntake.objects.filter(state=ChecklistIntake.State.UNKNOWN_CODE).count() == 2
    as_user(client, MONITOR)
    response = client.post(
        reverse("oss:map_code"),
        {"region": btg.region.pk, "kd_izin": UNKNOWN, "permit_type": reklame(btg.region).pk},
        follow=True,
    )
    assert any("2 of 2" in m or "2 dari 2" in m for m in messages_of(response)), messages_of(
        response
    )
    mapping = PermitMapping.objects.get(region=btg.region, kd_izin=UNKNOWN)
    assert mapping.permit_type.code == "REKLAME"
    for data in (first, second):
        item = ChecklistItem.objects.get(nib=data["nib"], kd_izin=UNKNOWN)
        assert item.intake.state == ChecklistIntake.State.DRAFTED
        assert item.application.permit_type.code == "REKLAME"
        assert item.application.nib == data["nib"]
        assert item.requirement_files.exists()  # its files to fetch, like a push's
    action = OperatorAction.objects.get()
    assert (action.kind, action.subject, action.actor.email) == ("map_code", UNKNOWN, MONITOR)
    assert "REKLAME" in action.detail and "2/2" in action.detail
    page = client.get(reverse("oss:waiting")).content.decode()
    assert f'data-kd-izin="{UNKNOWN}"' not in page and "oss-action" in page

    # the same again: the mapping exists; nothing changes
    before = state()
    response = client.post(
        reverse("oss:map_code"),
        {"region": btg.region.pk, "kd_izin": UNKNOWN, "permit_type": reklame(btg.region).pk},
        follow=True,
    )
    assert any(UNKNOWN in m for m in messages_of(response))
    assert state() == before


@pytest.mark.parametrize(
    "case",
    ["other_region_type", "no_type", "letters", "too_long", "nothing_waits", "inactive_type"],
)
def test_a_bad_mapping_gets_a_clear_message_and_changes_nothing(btg, sim, client, case):
    pushed(client, sim, UNKNOWN)
    permit_type = reklame(btg.region).pk
    kd_izin = UNKNOWN
    if case == "other_region_type":
        permit_type = PermitType.objects.exclude(region=btg.region).first().pk
    elif case == "no_type":
        permit_type = ""
    elif case == "letters":
        kd_izin = "09000000030A"
    elif case == "too_long":
        kd_izin = "0900000003011"
    elif case == "nothing_waits":
        kd_izin = "090000000999"
    elif case == "inactive_type":
        PermitType.objects.filter(pk=permit_type).update(is_active=False)
    as_user(client, MONITOR)
    before = state()
    response = client.post(
        reverse("oss:map_code"),
        {"region": btg.region.pk, "kd_izin": kd_izin, "permit_type": permit_type},
        follow=True,
    )
    assert response.status_code == 200
    (message,) = messages_of(response)
    expected = {
        "other_region_type": "permit type",
        "no_type": "permit type",
        "inactive_type": "permit type",
        "letters": "12 digits",
        "too_long": "12 digits",
        "nothing_waits": "No item",
    }[case]
    assert expected in message, message
    assert state() == before


def test_another_regions_staff_cannot_map_process_or_retry(btg, sim, client, run_outbox):
    pushed(client, sim, UNKNOWN)
    known = pushed(client, sim, SIA, email="lain@usaha.example")
    sim.fail("500", methods="file")
    run_outbox()
    intake = ChecklistIntake.objects.get(state=ChecklistIntake.State.UNKNOWN_CODE)
    failed = RequirementFile.objects.filter(item__nib=known["nib"]).first()
    before = state()
    as_user(client, OTHER_REGION)
    assert (
        client.post(
            reverse("oss:map_code"),
            {"region": btg.region.pk, "kd_izin": UNKNOWN, "permit_type": reklame(btg.region).pk},
        ).status_code
        == 404
    )
    assert client.post(reverse("oss:process_item", args=[intake.pk])).status_code == 404
    assert client.post(reverse("oss:retry_file", args=[failed.pk])).status_code == 404
    # an applicant, even the business's own, is not an operator
    applicant = Application.objects.get(nib=known["nib"]).applicant
    client.force_login(applicant)
    assert client.get(reverse("oss:waiting")).status_code == 403
    assert client.post(reverse("oss:process_item", args=[intake.pk])).status_code == 403
    assert state() == before


def test_processing_an_item_again_makes_its_draft_once(btg, sim, client):
    data = pushed(client, sim, UNKNOWN)
    intake = ChecklistIntake.objects.get(item__nib=data["nib"])
    as_user(client, VERIFIER)
    # still unmapped: processed, still waiting, and the page says why
    response = client.post(reverse("oss:process_item", args=[intake.pk]), follow=True)
    assert any(UNKNOWN in m for m in messages_of(response)), messages_of(response)
    intake.refresh_from_db()
    assert intake.state == ChecklistIntake.State.UNKNOWN_CODE
    assert OperatorAction.objects.get().kind == "process_item"

    # mapped in the admin meanwhile: the next try makes the draft
    PermitMapping.objects.create(
        region=btg.region, kd_izin=UNKNOWN, permit_type=reklame(btg.region)
    )
    client.post(reverse("oss:process_item", args=[intake.pk]))
    intake.refresh_from_db()
    assert intake.state == ChecklistIntake.State.DRAFTED
    assert Application.objects.filter(nib=data["nib"]).count() == 1
    assert OperatorAction.objects.count() == 2

    # already processed: refused with a message, nothing changes
    before = state()
    response = client.post(reverse("oss:process_item", args=[intake.pk]), follow=True)
    assert any("processed already" in m for m in messages_of(response)), messages_of(response)
    assert state() == before


def test_an_item_that_does_not_wait_is_not_processed(btg, sim, client):
    data = pushed(client, sim, SIA, flag_checklist="O")  # OSS issues it itself
    intake = ChecklistIntake.objects.get(item__nib=data["nib"])
    assert intake.state == ChecklistIntake.State.NOT_ACTIONABLE
    as_user(client, MONITOR)
    before = state()
    response = client.post(reverse("oss:process_item", args=[intake.pk]), follow=True)
    assert any("does not wait" in m for m in messages_of(response)), messages_of(response)
    assert state() == before


def test_a_failed_fetch_is_tried_again_now_through_the_outbox(btg, sim, client, run_outbox):
    data = pushed(client, sim, SIA)
    sim.fail("500", methods="file")
    run_outbox()
    row = RequirementFile.objects.filter(item__nib=data["nib"]).order_by("id").first()
    assert row.state == RequirementFile.State.RETRYING and row.next_attempt_at > timezone.now()
    sim.reset_failures()
    as_user(client, MONITOR)
    started = timezone.now()
    response = client.post(reverse("oss:retry_file", args=[row.pk]), follow=True)
    assert messages_of(response)
    row.refresh_from_db()
    assert row.state == RequirementFile.State.RETRYING and row.next_attempt_at <= timezone.now()
    assert row.next_attempt_at >= started
    assert len(sim.requests("file")) == 2  # nothing fetched inside the request
    action = OperatorAction.objects.get()
    assert action.kind == "retry_file" and row.id_syarat in action.subject
    assert "HTTP 500" in action.detail
    ran = run_outbox()
    assert ran.count("oss.tasks.fetch_requirement_file") == 1
    row.refresh_from_db()
    assert row.state == RequirementFile.State.ATTACHED and row.document is not None

    # attached: nothing to try again; nothing changes
    before = state()
    response = client.post(reverse("oss:retry_file", args=[row.pk]), follow=True)
    assert any("has not failed" in m for m in messages_of(response)), messages_of(response)
    assert state() == before


def test_a_file_given_up_on_gets_one_more_attempt(btg, sim, client, run_outbox):
    data = pushed(client, sim, SIA)
    row = RequirementFile.objects.filter(item__nib=data["nib"]).order_by("id").first()
    RequirementFile.objects.filter(pk=row.pk).update(
        state=RequirementFile.State.GAVE_UP,
        attempts=MAX_ATTEMPTS,
        next_attempt_at=None,
        last_error="HTTP 503",
    )
    sim.fail("500", methods="file")
    as_user(client, MONITOR)
    client.post(reverse("oss:retry_file", args=[row.pk]))
    run_outbox()
    row.refresh_from_db()
    # one attempt, failed again: left to the operator again, not retried by itself
    assert (row.state, row.attempts) == (RequirementFile.State.GAVE_UP, MAX_ATTEMPTS + 1)
    sim.reset_failures()
    client.post(reverse("oss:retry_file", args=[row.pk]))
    run_outbox()
    row.refresh_from_db()
    assert row.state == RequirementFile.State.ATTACHED
    assert OperatorAction.objects.filter(kind="retry_file").count() == 2


def test_the_page_has_a_fixed_number_of_queries(btg, sim, client, run_outbox):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        """In the steady state: a first GET fills the per-process reference cache."""
        client.get(reverse("oss:waiting"))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("oss:waiting")).status_code == 200
        return len(captured)

    pushed(client, sim, UNKNOWN)
    as_user(client, MONITOR)
    one = queries()
    for index in range(4):
        pushed(client, sim, UNKNOWN, SIA, email=f"banyak{index}@usaha.example")
    sim.fail("500", methods="file")
    run_outbox()
    as_user(client, MONITOR)
    assert RequirementFile.objects.filter(state=RequirementFile.State.RETRYING).count() >= 4
    assert queries() == one


def test_the_staff_navigation_links_the_integration_page_for_a_connected_regions_operators(
    btg, client
):
    from ptsp.workdays import reference_cache

    link = f'href="{reverse("oss:integration")}"'
    as_user(client, VERIFIER)
    assert link in client.get(reverse("applications:intake_queue")).content.decode()
    as_user(client, OTHER_REGION)  # Palembang has no connection
    assert link not in client.get(reverse("applications:intake_queue")).content.decode()
    as_user(client, "petugas.pupr.btg@ptsp.local")  # an OPD officer is not an operator
    assert link not in client.get(reverse("applications:inbox")).content.decode()
    btg.enabled = False
    btg.save()
    reference_cache.clear()  # other processes follow within the cache's minute
    as_user(client, VERIFIER)
    assert link not in client.get(reverse("applications:intake_queue")).content.decode()
