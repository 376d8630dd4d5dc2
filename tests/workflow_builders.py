"""Build applications for workflow tests through the services: the catalog is published, the
draft filled, documents uploaded and the file submitted exactly as an applicant would."""

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from agencies.models import Agency, Region
from applications.demo import minimal_pdf
from applications.models import Application, Document
from applications.services import filing
from applications.services.revisions import document_replace
from permits.models import FormField, PermitType, Requirement, RouteStep
from permits.services.catalog import permit_type_publish

PDF = minimal_pdf()


def permit_type(region_code="BTG", agencies=("DINKES", "DLH"), code="KLINIK-T") -> PermitType:
    """A small clinic-like permit type routed to `agencies` in parallel, 10 working days each."""
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


def pdf_upload(code: str, content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{code}.pdf", content, content_type="application/pdf")


def upload(application: Application, code: str, content: bytes = PDF) -> Document:
    """The applicant replaces a document (after a return, or for a revision request)."""
    return document_replace(
        application_id=application.pk,
        requirement_code=code,
        upload=pdf_upload(code, content),
        actor=application.applicant,
    )


def submitted_application(applicant_email="budi.santoso@example.id", **kwargs) -> Application:
    ptype = permit_type(**kwargs)
    applicant = User.objects.get(email=applicant_email)
    application = filing.application_create_draft(permit_type_id=ptype.pk, actor=applicant)
    filing.application_update_draft(
        application_id=application.pk,
        actor=applicant,
        data={
            "business_name": "Klinik Sehat Sentosa",
            "nib": "9120001234567",
            "kbli": "86105",
            "address": "Jl. Ahmad Yani No. 5",
            "kelurahan": "Api-Api",
            "kecamatan": "Bontang Utara",
            "jumlah_ruang": "6",
        },
    )
    for code in ("ktp", "denah"):
        filing.document_upload(
            application_id=application.pk,
            requirement_code=code,
            upload=pdf_upload(code),
            actor=applicant,
        )
    return filing.application_submit(application_id=application.pk, actor=applicant)


def all_accepted(application: Application) -> dict:
    return {d.pk: {"verdict": "accepted"} for d in application.documents.filter(is_current=True)}
