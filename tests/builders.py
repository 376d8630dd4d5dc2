"""Build applications that have reached `recommended`, through the services only: the draft is
filled and submitted by the applicant, accepted by the verifier, routed by the task and
recommended by every OPD on its route — exactly the journey a real file takes."""

from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from accounts.models import User
from agencies.models import Role
from agencies.services import review_decide
from applications.demo import minimal_pdf, sample_image
from applications.models import Application
from applications.services import filing
from applications.services.intake import application_accept
from outbox.testing import run_pending
from permits.models import Permit, PermitType

PDF = minimal_pdf()
PNG = sample_image("PNG")

BUSINESS = {
    "business_name": "Klinik Pratama Sehat Sentosa",
    "nib": "9120301234567",
    "kbli": "86103",
    "address": "Jl. Ahmad Yani No. 17",
    "kelurahan": "Api-Api",
    "kecamatan": "Bontang Utara",
}
SAMPLE_VALUES = {
    "text": "Uji 3121100222145678",
    "integer": "3",
    "decimal": "24",
    # a month from today: a date field may ask for a day to come (e.g. the planned start)
    "date": (date.today() + timedelta(days=30)).isoformat(),
    "boolean": "on",
}


def _field_value(field: dict) -> str:
    if field["kind"] == "choice":
        return field["choices"][0]
    return SAMPLE_VALUES[field["kind"]]


def _file_for(requirement: dict) -> SimpleUploadedFile:
    if "pdf" in requirement["accepted_kinds"]:
        return SimpleUploadedFile(f"{requirement['code']}.pdf", PDF, "application/pdf")
    return SimpleUploadedFile(f"{requirement['code']}.png", PNG, "image/png")


def recommended_application(
    region_code: str = "BTG",
    permit_code: str = "SIP-DU",
    applicant_email: str = "budi.santoso@example.id",
    **business,
) -> Application:
    """An application every OPD on its route has recommended (status `recommended`).

    Its background work (routing, notices) runs here, in-process, even when a test has turned
    publishing on for a real worker.
    """
    with override_settings(OUTBOX_PUBLISH_ON_COMMIT=False):
        return _recommended(region_code, permit_code, applicant_email, **business)


def _recommended(region_code, permit_code, applicant_email, **business) -> Application:
    ptype = PermitType.objects.get(region__code=region_code, code=permit_code)
    applicant = User.objects.get(email=applicant_email)
    application = filing.application_create_draft(permit_type_id=ptype.pk, actor=applicant)
    snapshot = application.catalog_version.snapshot
    data = {**BUSINESS, **business}
    data.update({f["key"]: _field_value(f) for f in snapshot["fields"]})
    filing.application_update_draft(application_id=application.pk, actor=applicant, data=data)
    for requirement in snapshot["requirements"]:
        if requirement["is_required"]:
            filing.document_upload(
                application_id=application.pk,
                requirement_code=requirement["code"],
                upload=_file_for(requirement),
                actor=applicant,
            )
    application = filing.application_submit(application_id=application.pk, actor=applicant)
    verifier = User.objects.filter(
        memberships__agency__region__code=region_code, memberships__role=Role.VERIFIER
    ).first()
    application_accept(
        application_id=application.pk,
        actor=verifier,
        verdicts={
            d.pk: {"verdict": "accepted"} for d in application.documents.filter(is_current=True)
        },
    )
    run_pending()  # routing, as the worker runs it
    for review in application.reviews.select_related("assignee"):
        review_decide(
            review_id=review.pk,
            actor=review.assignee,
            decision="recommend",
            reasons="Persyaratan teknis terpenuhi; hasil peninjauan lapangan sesuai.",
        )
    run_pending()
    application.refresh_from_db()
    return application


def issued_permit(run_outbox, signer_email: str = "kepala.btg@ptsp.local", **application) -> Permit:
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
