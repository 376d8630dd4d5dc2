"""One way to build a file at any point of its life, through the services, as people do it.

A file is drafted and filled by its applicant (`draft`), submitted (`submit`), accepted by the
region's verifier and routed by the background task (`route`), recommended by every OPD on its
route (`recommend`) and signed (`issued_permit`). Each step calls the same service the web page
and the API call; nothing is written to the database behind the services' back. The named
shortcuts the tests use (`complete_draft`, `submitted_application`, `recommended_application`,
`routed_at`, ...) are these steps put together.

Two catalogs are used: the demo's own permit types (`demo_type`, e.g. Izin Apotek "SIA" and the
SIP-DU), and a small clinic-like type routed to DINKES and DLH in parallel (`clinic_type`), whose
two documents and one field keep workflow tests short.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from accounts.models import User
from agencies.models import Agency, Region, Role
from agencies.selectors import agency_heads
from applications.demo import minimal_pdf, sample_image
from applications.models import Application, Document
from applications.services import filing
from applications.services.intake import application_accept, application_return
from applications.services.reviews import review_decide, review_head_decide
from applications.services.revisions import document_replace
from catalog.models import FormField, PermitType, Requirement, RouteStep
from catalog.services import permit_type_publish
from outbox.testing import run_pending
from permits.models import Permit
from ptsp.workdays import add_working_days

# --- Files: real ones, complete to their last byte (the upload checks refuse stand-ins) --------

PDF = minimal_pdf()
PNG = sample_image("PNG")
JPEG = sample_image("JPEG")
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"


def upload(name="dok.pdf", data=PDF, content_type="application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type)


def pdf_upload(code: str, content: bytes = PDF) -> SimpleUploadedFile:
    return upload(f"{code}.pdf", content)


def file_for(requirement: dict) -> SimpleUploadedFile:
    """A file of a kind the requirement (a catalog snapshot entry) accepts."""
    if "pdf" in requirement["accepted_kinds"]:
        return pdf_upload(requirement["code"])
    return upload(f"{requirement['code']}.png", PNG, "image/png")


# --- People -------------------------------------------------------------------------------

APPLICANT = "budi.santoso@example.id"
VERIFIER = "verifikator.btg@ptsp.local"
SIGNER = "kepala.btg@ptsp.local"


def applicant(email: str = APPLICANT) -> User:
    return User.objects.get(email=email)


def verifier_of(region_code: str) -> User:
    return User.objects.filter(
        memberships__agency__region__code=region_code, memberships__role=Role.VERIFIER
    ).first()


# --- The catalog ----------------------------------------------------------------------------

#: The business part of a draft (the same for every permit type).
BUSINESS = {
    "business_name": "Klinik Pratama Sehat Sentosa",
    "nib": "9120301234567",
    "kbli": "86103",
    "address": "Jl. Ahmad Yani No. 17",
    "kelurahan": "Api-Api",
    "kecamatan": "Bontang Utara",
}
#: A draft of the clinic-like type (`clinic_type`).
CLINIC_DATA = {
    "business_name": "Klinik Sehat Sentosa",
    "nib": "9120001234567",
    "kbli": "86105",
    "address": "Jl. Ahmad Yani No. 5",
    "kelurahan": "Api-Api",
    "kecamatan": "Bontang Utara",
    "jumlah_ruang": "6",
}
#: A draft of the demo's Izin Apotek (`apotek`).
APOTEK_DATA = {
    "business_name": "Apotek Uji",
    "nib": "9120301234567",
    "kbli": "47721",
    "address": "Jl. Uji No. 1",
    "kelurahan": "Api-Api",
    "kecamatan": "Bontang Utara",
    "nama_apoteker": "apt. Uji",
    "nomor_sipa": "SIPA-1",
    "luas_ruang": "40",
    "jenis_pemohon": "Perorangan",
}


def _sample_value(field: dict) -> str:
    """A value every field of this kind accepts (a date field may ask for a day to come)."""
    samples = {
        "text": "Uji 3121100222145678",
        "integer": "3",
        "decimal": "24",
        "date": (date.today() + timedelta(days=30)).isoformat(),
        "boolean": "on",
    }
    return field["choices"][0] if field["kind"] == "choice" else samples[field["kind"]]


def demo_type(region_code: str = "BTG", code: str = "SIP-DU") -> PermitType:
    return PermitType.objects.get(region__code=region_code, code=code)


def apotek(region_code: str = "BTG") -> PermitType:
    return demo_type(region_code, "SIA")


def clinic_type(region_code="BTG", agencies=("DINKES", "DLH"), code="KLINIK-T") -> PermitType:
    """A small clinic-like permit type routed to `agencies` in parallel, 10 working days each,
    with two PDF documents and one integer field; published once, then reused."""
    region = Region.objects.get(code=region_code)
    ptype, created = PermitType.objects.get_or_create(
        region=region,
        code=code,
        defaults={
            "name_id": "Izin Operasional Klinik (uji)",
            "name_en": "Clinic permit (test)",
            "intake_days": 2,
            "issuance_days": 1,
            "requires_nib": True,
            # Issue 18: a sectoral law without deemed approval, so that the SLA tests that
            # follow these files for weeks see no legal warnings (tests/test_legal_deadlines.py
            # builds the types that have them).
            "deemed_policy": "none",
            "legal_deadline_basis": "Peraturan sektoral (uji): tanpa fiktif positif",
        },
    )
    if created:
        for order, agency_code in enumerate(agencies):
            RouteStep.objects.create(
                permit_type=ptype,
                agency=Agency.objects.get(region=region, code=agency_code),
                review_days=10,
                order=order,
            )
        for order, (req_code, name_id, name_en) in enumerate(
            [("ktp", "KTP", "ID card"), ("denah", "Denah ruangan", "Floor plan")]
        ):
            Requirement.objects.create(
                permit_type=ptype,
                code=req_code,
                name_id=name_id,
                name_en=name_en,
                accepted_kinds=["pdf"],
                max_size_kb=2048,
                order=order,
            )
        FormField.objects.create(
            permit_type=ptype,
            key="jumlah_ruang",
            label_id="Jumlah ruang",
            label_en="Rooms",
            kind="integer",
        )
        permit_type_publish(permit_type=ptype)
    return ptype


# Kept under its first name: the workflow tests' "permit_type(...)" is the clinic-like type.
permit_type = clinic_type


# --- The steps of a file's life ---------------------------------------------------------------


def draft(
    permit_type: PermitType, user: User, data: dict | None = None, *, skip=(), business=None
) -> Application:
    """A draft filled with `data` (default: `BUSINESS` with the `business` overrides, and a
    sample value for each field of the type) and every required document but the codes in
    `skip`."""
    application = filing.application_create_draft(permit_type_id=permit_type.pk, actor=user)
    snapshot = application.catalog_version.snapshot
    if data is None:
        samples = {f["key"]: _sample_value(f) for f in snapshot["fields"]}
        data = {**BUSINESS, **(business or {}), **samples}
    filing.application_update_draft(application_id=application.pk, actor=user, data=data)
    for requirement in snapshot["requirements"]:
        if requirement["is_required"] and requirement["code"] not in skip:
            filing.document_upload(
                application_id=application.pk,
                requirement_code=requirement["code"],
                upload=file_for(requirement),
                actor=user,
            )
    application.refresh_from_db()
    return application


def submit(application: Application) -> Application:
    return filing.application_submit(application_id=application.pk, actor=application.applicant)


def all_accepted(application: Application) -> dict:
    """The verifier's verdicts accepting every current document."""
    return {d.pk: {"verdict": "accepted"} for d in application.documents.filter(is_current=True)}


def route(application: Application, run_outbox=run_pending, verifier: User | None = None):
    """Accepted at intake by the region's verifier, routed by the background task."""
    application_accept(
        application_id=application.pk,
        actor=verifier or verifier_of(application.region.code),
        verdicts=all_accepted(application),
    )
    run_outbox()
    application.refresh_from_db()
    return application


def assess(application: Application, inputs: dict | None = None, reason: str = ""):
    """The assessing agency's officer sets the levy of a levied file (issue 17), from the
    application's own inputs unless `inputs` are given."""
    from catalog.services import levy_of
    from fees.cases import assessment_inputs_from, assessment_record

    levy = levy_of(application.catalog_version.snapshot)
    if levy is None:
        return None
    review = application.reviews.select_related("assignee").get(
        agency_id=levy["assessing_agency_id"]
    )
    return assessment_record(
        review_id=review.pk,
        actor=review.assignee,
        inputs=inputs or assessment_inputs_from(application),
        reason=reason,
    )


def pay_levy(application: Application) -> Application:
    """The bank pays a levied file's SKRD, host-to-host (fees.h2h), as the regional bank does."""
    from django.test import Client

    from fees.h2h import DEMO_BANK_REGIONS
    from tests.fees.h2h_calls import pay

    bill = application.bills.first()
    bank = next(b for b, region in DEMO_BANK_REGIONS.items() if region == application.region.code)
    reply = pay(Client(), bill.billing_code, int(bill.total), bank=bank)
    assert reply["response_code"] == "00", reply
    run_pending()
    application.refresh_from_db()
    return application


def recommend(application: Application) -> Application:
    """Every OPD on the route recommends, through its assigned officer (the levy assessed
    first, for a levied type), stage after stage; where the route asks for it, the agency
    head approves the recommendation (issue 18)."""
    assess(application)
    decided: set[int] = set()
    while True:
        reviews = [
            r
            for r in application.reviews.select_related("assignee", "agency")
            if r.pk not in decided and r.status in ("in_review", "awaiting_head_approval")
        ]
        if not reviews:
            break
        for review in reviews:
            decided.add(review.pk)
            if review.status == "in_review":
                review = review_decide(
                    review_id=review.pk,
                    actor=review.assignee,
                    decision="recommend",
                    reasons="Persyaratan teknis terpenuhi; hasil peninjauan lapangan sesuai.",
                )
            if review.status == "awaiting_head_approval":
                review_head_decide(
                    review_id=review.pk,
                    actor=agency_heads(review.agency).first(),
                    decision="approve",
                )
    run_pending()
    application.refresh_from_db()
    return application


def replace_document(application: Application, code: str, content: bytes = PDF) -> Document:
    """The applicant replaces a document (after a return, or for a revision request)."""
    return document_replace(
        application_id=application.pk,
        requirement_code=code,
        upload=pdf_upload(code, content),
        actor=application.applicant,
    )


def return_for_a_blurred_plan(application: Application, note: str = "Denah buram") -> None:
    """Bontang's verifier (VERIFIER) returns `application`: its site plan (denah) is blurred
    (`note`), every other current document accepted."""
    verdicts = {
        d.pk: {"verdict": "rejected", "note": note}
        if d.requirement_code == "denah"
        else {"verdict": "accepted"}
        for d in application.documents.filter(is_current=True)
    }
    application_return(
        application_id=application.pk,
        actor=User.objects.get(email=VERIFIER),
        verdicts=verdicts,
    )


# --- The shortcuts the tests use ------------------------------------------------------------


def complete_draft(user=None, permit_type=None, *, skip=()) -> Application:
    """A draft of Izin Apotek with every required document except the codes in `skip`."""
    return draft(permit_type or apotek(), user or applicant(), APOTEK_DATA, skip=skip)


def submitted_application(applicant_email=APPLICANT, **clinic) -> Application:
    """A clinic-like file (`clinic_type(**clinic)`) submitted by `applicant_email`."""
    return submit(draft(clinic_type(**clinic), applicant(applicant_email), CLINIC_DATA))


def recommended_application(
    region_code: str = "BTG",
    permit_code: str = "SIP-DU",
    applicant_email: str = APPLICANT,
    **business,
) -> Application:
    """A file of the demo's `permit_code` every OPD on its route has recommended.

    Its background work (routing, notices) runs here, in-process, even when a test has turned
    publishing on for a real worker.
    """
    with override_settings(OUTBOX_PUBLISH_ON_COMMIT=False):
        ptype = demo_type(region_code, permit_code)
        application = submit(draft(ptype, applicant(applicant_email), business=business))
        application = recommend(route(application, run_pending))
        if application.status == "awaiting_payment":
            application = pay_levy(application)
        return application


def issued_permit(run_outbox, signer_email: str = SIGNER, **application) -> Permit:
    """A permit signed by `signer_email` for a new recommended application (`application`:
    `recommended_application`'s arguments), its issuance run by `run_outbox`; it must be valid."""
    from permits.services.issuance import permit_issue

    recommended = recommended_application(**application)
    permit = permit_issue(application_id=recommended.pk, actor=User.objects.get(email=signer_email))
    run_outbox()
    permit.refresh_from_db()
    assert permit.status == Permit.Status.VALID, permit.last_error
    return permit


def permit_pdf(permit: Permit) -> bytes:
    """The bytes of the permit's signed file."""
    with permit.file.open("rb") as f:
        return f.read()


# --- At a known instant (time-machine) -------------------------------------------------------

WITA = ZoneInfo("Asia/Makassar")


def wita(m, d, hh=9, mm=0, y=2026) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=WITA)


def routed_at(when, run_outbox, submitted=None, **clinic) -> Application:
    """A clinic-like file submitted at `submitted` (default: `when`), accepted and routed at
    `when`."""
    with time_machine.travel(submitted or when, tick=False):
        application = submitted_application(**clinic)
        # As the filing service does at submission: the time and the intake clock.
        application.submitted_at = submitted or when
        application.due_at = add_working_days(application.region, submitted or when, 2)
        application.save(update_fields=["submitted_at", "due_at"])
    with time_machine.travel(when, tick=False):
        route(application, run_outbox, verifier=User.objects.get(email=VERIFIER))
    return application
