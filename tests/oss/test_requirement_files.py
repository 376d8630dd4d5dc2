"""OSS's requirement files: fetched from the simulator by the outbox's background job, checked
like any upload and attached to the draft; a failing URL is recorded and tried again after its
back-off until the file arrives; an address outside the configured OSS hosts, a file the upload
checks refuse and an oversized file are recorded and never attached."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import Document
from oss.models import ChecklistItem, RegionConnection, RequirementFile
from oss.services.files import (
    MAX_ATTEMPTS,
    backoff,
    requirement_file_fetch,
    requirement_files_requeue,
)
from oss.simulator import OssSimulator, sample_data_nib
from tests.oss.inbound import connect_btg, push

pytestmark = pytest.mark.django_db

SIA = "024000000201"


@pytest.fixture
def sim():
    with OssSimulator(seed=False) as simulator:
        yield simulator


@pytest.fixture
def btg(demo, sim, monkeypatch) -> RegionConnection:
    return connect_btg(sim, monkeypatch)


def pushed_sia(client, sim) -> ChecklistItem:
    data = sample_data_nib(
        files_base_url=sim.base_url, kd_izin=(SIA,), email="berkas@apoteksehat.example"
    )
    status, answer = push(client, data)
    assert status == 200, answer
    return ChecklistItem.objects.get(nib=data["nib"])


def test_the_files_are_fetched_in_the_background_and_attached_to_the_draft(
    btg, sim, client, run_outbox
):
    item = pushed_sia(client, sim)
    files = {f.id_syarat: f for f in item.requirement_files.all()}
    # S-01-001 denah-lokasi.pdf by its name, S-01-002 by the demo mapping
    assert {k: (f.requirement_code, f.state) for k, f in files.items()} == {
        "S-01-001": ("denah", RequirementFile.State.PENDING),
        "S-01-002": ("surat_permohonan", RequirementFile.State.PENDING),
    }
    assert not item.application.documents.exists()  # nothing fetched inside the request

    ran = run_outbox()
    assert ran.count("oss.tasks.fetch_requirement_file") == 2
    documents = {d.requirement_code: d for d in item.application.documents.filter(is_current=True)}
    assert set(documents) == {"denah", "surat_permohonan"}
    served = sim.state.files["denah-lokasi.pdf"][1]
    assert documents["denah"].sha256 == hashlib.sha256(served).hexdigest()
    assert documents["denah"].uploaded_by == item.application.applicant
    assert documents["denah"].original_name == "denah-lokasi.pdf"
    for row in item.requirement_files.all():
        assert row.state == RequirementFile.State.ATTACHED and row.document is not None
    assert len(sim.requests("file")) == 2

    # a second delivery of the same work does nothing
    assert requirement_file_fetch(file_id=files["S-01-001"].pk) == RequirementFile.State.ATTACHED
    assert len(sim.requests("file")) == 2
    assert Document.objects.filter(application=item.application).count() == 2


def test_a_failing_url_is_recorded_retried_with_backoff_and_the_file_arrives(
    btg, sim, client, run_outbox
):
    item = pushed_sia(client, sim)
    sim.fail("500", methods="file")
    started = timezone.now()
    run_outbox()
    for row in item.requirement_files.all():
        assert row.state == RequirementFile.State.RETRYING
        assert (row.attempts, row.last_error) == (1, "HTTP 500")
        assert row.next_attempt_at >= started + backoff(1)
    assert not item.application.documents.exists()

    # not yet due: nothing enqueued
    assert requirement_files_requeue(now=timezone.now()) == 0
    # still failing at the next attempt
    due = timezone.now() + timedelta(minutes=2)
    assert requirement_files_requeue(now=due) == 2
    run_outbox()
    assert [r.attempts for r in item.requirement_files.all()] == [2, 2]
    assert all(r.next_attempt_at >= due for r in item.requirement_files.all())

    # OSS answers again: the files arrive
    sim.reset_failures()
    assert requirement_files_requeue(now=timezone.now() + timedelta(hours=1)) == 2
    run_outbox()
    assert {r.state for r in item.requirement_files.all()} == {RequirementFile.State.ATTACHED}
    assert item.application.documents.filter(is_current=True).count() == 2


def test_a_file_that_keeps_failing_is_left_to_an_operator(btg, sim, client):
    item = pushed_sia(client, sim)
    row = item.requirement_files.first()
    sim.fail("drop", methods="file")
    for _attempt in range(MAX_ATTEMPTS):
        RequirementFile.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        requirement_file_fetch(file_id=row.pk)
    row.refresh_from_db()
    assert row.state == RequirementFile.State.GAVE_UP and row.next_attempt_at is None
    assert requirement_files_requeue(now=timezone.now() + timedelta(days=30)) == 1  # the other


def test_an_address_no_longer_configured_is_refused_at_fetch_time(btg, sim, client, run_outbox):
    item = pushed_sia(client, sim)
    RegionConnection.objects.filter(pk=btg.pk).update(base_url="https://api-prd.oss.go.id")
    run_outbox()
    for row in item.requirement_files.all():
        assert row.state == RequirementFile.State.REFUSED
        assert "privat" in row.last_error
    assert sim.requests("file") == []  # nothing was asked of that address
    assert not item.application.documents.exists()


def test_a_file_refused_by_the_upload_checks_is_recorded_and_not_attached(
    btg, sim, client, run_outbox
):
    sim.add_file("denah-lokasi.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")
    item = pushed_sia(client, sim)
    run_outbox()
    denah = item.requirement_files.get(id_syarat="S-01-001")
    assert (denah.state, denah.last_error) == (RequirementFile.State.REJECTED, "file_kind")
    assert item.requirement_files.get(id_syarat="S-01-002").state == "attached"
    assert not item.application.documents.filter(requirement_code="denah").exists()


def test_an_oversized_file_is_rejected_without_reading_it_all(btg, sim, client, run_outbox):
    big = sim.state.files["denah-lokasi.pdf"][1] + b"%" * (6 * 1024 * 1024)
    sim.add_file("denah-lokasi.pdf", big)
    item = pushed_sia(client, sim)
    run_outbox()
    denah = item.requirement_files.get(id_syarat="S-01-001")
    assert (denah.state, denah.last_error) == (RequirementFile.State.REJECTED, "file_too_large")


def test_a_file_the_applicant_uploaded_first_is_kept(btg, sim, client, run_outbox):
    from applications.services.filing import document_upload
    from tests.journeys import pdf_upload

    item = pushed_sia(client, sim)
    application = item.application
    own = document_upload(
        application_id=application.pk,
        requirement_code="denah",
        upload=pdf_upload("denah"),
        actor=application.applicant,
    )
    run_outbox()
    assert item.requirement_files.get(id_syarat="S-01-001").state == "skipped"
    assert application.documents.get(requirement_code="denah", is_current=True) == own
