"""Issue 15: one implementation of each rule, used by the web views and the API alike.

The application search and the signer's queue (`applications.selectors`), the public
verification's token and upload rules (`permits.selectors`, `permits.verification`), the one
row-locked counter (`ptsp.counters`), the one bilingual-text helper (`ptsp.i18n`) and the Roman
months of official numbers.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from accounts.models import User
from agencies.models import Region
from api.apis.issuance import PermitVerifyFileApi
from applications.models import Status, TrackingCounter
from applications.selectors import (
    applications_filtered,
    applications_for_signer,
    intake_queue,
    rejections_for_signer,
)
from permits.selectors import permit_by_verification_token
from permits.services.issuance import format_permit_number, roman_month
from permits.views.verification import CheckFileForm
from ptsp.counters import next_in_sequence
from ptsp.i18n import pick, pick_of
from tests.journeys import recommended_application, submitted_application

VERIFIER = "verifikator.btg@ptsp.local"
SIGNER = "kepala.btg@ptsp.local"
SIGNER_PLG = "kepala.plg@ptsp.local"


@pytest.mark.django_db
def test_applications_filtered_by_status_permit_and_words(demo):
    submitted = submitted_application()  # KLINIK-T, "Klinik Sehat Sentosa"
    recommended = recommended_application()  # SIP-DU
    verifier = User.objects.get(email=VERIFIER)

    def pks(qs):
        return set(qs.values_list("pk", flat=True))

    both = {submitted.pk, recommended.pk}
    assert pks(applications_filtered(verifier)) >= both
    assert pks(applications_filtered(verifier, q="")) == pks(applications_filtered(verifier))
    assert submitted.pk in pks(applications_filtered(verifier, q="SEHAT"))
    assert pks(applications_filtered(verifier, q=submitted.tracking_number[-6:])) >= {submitted.pk}
    assert recommended.pk not in pks(applications_filtered(verifier, q=submitted.tracking_number))
    assert pks(applications_filtered(verifier, permit="SIP-DU")) & both == {recommended.pk}
    assert pks(applications_filtered(verifier, status=Status.SUBMITTED)) & both == {submitted.pk}
    assert pks(applications_filtered(verifier, status=[Status.SUBMITTED, Status.RECOMMENDED])) >= (
        both
    )
    # A queue filters within itself: the intake queue holds the submitted file only.
    queue = intake_queue(verifier)
    assert pks(applications_filtered(queue)) & both == {submitted.pk}
    assert not pks(applications_filtered(queue, permit="SIP-DU")) & both
    # The applicant sees their own only, filtered the same way.
    applicant = submitted.applicant
    assert pks(applications_filtered(applicant, permit="KLINIK-T")) == {submitted.pk}


@pytest.mark.django_db
def test_the_signers_queues_are_their_regions_recommended_and_proposed_rejections(demo):
    submitted = submitted_application()
    recommended = recommended_application()
    signer = User.objects.get(email=SIGNER)
    queue = set(applications_for_signer(signer).values_list("pk", flat=True))
    assert recommended.pk in queue and submitted.pk not in queue
    assert not applications_for_signer(User.objects.get(email=SIGNER_PLG)).filter(pk=recommended.pk)
    assert not rejections_for_signer(signer).filter(pk__in=[submitted.pk, recommended.pk])


@pytest.mark.django_db
def test_a_malformed_or_unknown_token_finds_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):  # a malformed token is never looked up
        assert permit_by_verification_token("") is None
        assert permit_by_verification_token("short") is None
        assert permit_by_verification_token("x" * 42 + "!") is None
        assert permit_by_verification_token(None) is None
    assert permit_by_verification_token("A" * 43) is None


def _form_errors(upload) -> list[str]:
    form = CheckFileForm(data={}, files={"file": upload})
    return [] if form.is_valid() else [str(e) for e in form.errors["file"]]


def _api_errors(upload) -> list[str]:
    serializer = PermitVerifyFileApi.InputSerializer(data={"file": upload})
    return [] if serializer.is_valid() else [str(e) for e in serializer.errors["file"]]


def test_the_file_check_refuses_the_same_uploads_on_the_page_and_in_the_api(monkeypatch):
    translation.activate("en")  # the messages read in English (conftest resets the language)
    pdf = b"%PDF-1.7\n%%EOF\n"
    for errors in (_form_errors, _api_errors):
        assert errors(SimpleUploadedFile("a.pdf", pdf)) == []
        assert errors(SimpleUploadedFile("a.pdf", b"GIF89a....")) == ["This is not a PDF file."]
    monkeypatch.setattr("permits.verification.MAX_CHECK_UPLOAD", len(pdf) - 1)
    for errors in (_form_errors, _api_errors):
        assert errors(SimpleUploadedFile("a.pdf", pdf)) == ["The file is larger than 20 MB."]


@pytest.mark.django_db
def test_one_row_locked_counter_counts_per_key(demo):
    region = Region.objects.get(code="BTG")
    assert [next_in_sequence(TrackingCounter, region=region, year=2099) for _ in "abc"] == [
        1,
        2,
        3,
    ]
    assert next_in_sequence(TrackingCounter, region=region, year=2098) == 1
    assert TrackingCounter.objects.get(region=region, year=2099).last_value == 3


def test_one_bilingual_text_helper():
    item = {"name_id": "Izin Klinik", "name_en": "Clinic Permit", "label_id": "Ruang"}

    class Obj:
        name_id, name_en = "Izin", ""

    with translation.override("en"):
        assert pick("Izin", "Permit") == "Permit"
        assert pick("Izin", "") == "Izin"  # no English version: the Indonesian text
        assert pick_of(item, "name") == "Clinic Permit"
        assert pick_of(item, "label") == "Ruang"
        assert pick_of(Obj(), "name") == "Izin"
        assert pick_of(item, "name", language="id") == "Izin Klinik"
    with translation.override("id"):
        assert pick("Izin", "Permit") == "Izin"
        assert pick_of(item, "name") == "Izin Klinik"
        assert pick_of(item, "name", language="en") == "Clinic Permit"
        assert pick_of(item, "missing") == ""


def test_roman_months_of_official_numbers():
    assert [roman_month(m) for m in (1, 4, 9, 11, 12)] == ["I", "IV", "IX", "XI", "XII"]
    number = format_permit_number(
        "503/{seq:04d}/{code}/{roman_month}/{year}",
        seq=7,
        code="SIP",
        region="BTG",
        on=datetime.date(2026, 11, 3),
    )
    assert number == "503/0007/SIP/XI/2026"
