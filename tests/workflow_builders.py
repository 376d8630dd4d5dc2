"""Build applications for workflow tests through the workflow itself.

Until the filing services land on this branch, a draft and its documents are made here; from
`submitted` on, every step goes through the services under test.
"""

import hashlib

from django.core.files.base import ContentFile

from accounts.models import User
from agencies.models import Agency, Region
from applications.models import Application, Document
from applications.workflow import application_transition
from permits.models import PermitType, PermitTypeVersion

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def permit_type(region_code="BTG", agencies=("DINKES", "DLH"), code="KLINIK-T") -> PermitType:
    region = Region.objects.get(code=region_code)
    ptype, _ = PermitType.objects.get_or_create(
        region=region,
        code=code,
        defaults={
            "name_id": "Izin Operasional Klinik (uji)",
            "name_en": "Clinic permit (test)",
            "intake_days": 2,
            "issuance_days": 1,
        },
    )
    route = [
        {
            "agency_id": Agency.objects.get(region=region, code=c).pk,
            "agency_code": c,
            "review_days": 10,
        }
        for c in agencies
    ]
    snapshot = {
        "code": code,
        "name_id": ptype.name_id,
        "name_en": ptype.name_en,
        "intake_days": 2,
        "issuance_days": 1,
        "route": route,
        "requirements": [
            {
                "code": "ktp",
                "name_id": "KTP",
                "name_en": "ID card",
                "is_required": True,
                "accepted_kinds": ["pdf"],
                "max_size_kb": 2048,
            },
            {
                "code": "denah",
                "name_id": "Denah ruangan",
                "name_en": "Floor plan",
                "is_required": True,
                "accepted_kinds": ["pdf"],
                "max_size_kb": 2048,
            },
        ],
        "fields": [
            {
                "key": "jumlah_ruang",
                "label_id": "Jumlah ruang",
                "label_en": "Rooms",
                "kind": "integer",
                "is_required": True,
            }
        ],
    }
    version = ptype.versions.order_by("-number").first()
    if version is None or version.snapshot != snapshot:
        PermitTypeVersion.objects.create(
            permit_type=ptype, number=(version.number + 1 if version else 1), snapshot=snapshot
        )
    return ptype


def upload(application: Application, code: str, content: bytes = PDF, actor=None) -> Document:
    current = application.documents.filter(requirement_code=code, is_current=True).first()
    version = 1
    if current:
        version = current.version + 1
        current.is_current = False
        current.save(update_fields=["is_current"])
    document = Document(
        application=application,
        requirement_code=code,
        version=version,
        original_name=f"{code}.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=actor or application.applicant,
    )
    document.file.save(f"{code}.pdf", ContentFile(content), save=False)
    document.save()
    return document


def submitted_application(applicant_email="budi.santoso@example.id", **kwargs) -> Application:
    ptype = permit_type(**kwargs)
    applicant = User.objects.get(email=applicant_email)
    application = Application.objects.create(
        applicant=applicant,
        region=ptype.region,
        permit_type=ptype,
        catalog_version=ptype.versions.order_by("-number").first(),
        business_name="Klinik Sehat Sentosa",
        nib="9120001234567",
        kbli="86105",
        address="Jl. Ahmad Yani No. 5",
        kelurahan="Api-Api",
        kecamatan="Bontang Utara",
        form_data={"jumlah_ruang": 6},
    )
    for code in ("ktp", "denah"):
        upload(application, code)
    application, _ = application_transition(
        application_id=application.pk, action="submit", actor=applicant
    )
    application.tracking_number = f"{ptype.region.code}-2026-{application.pk:06d}"
    application.save(update_fields=["tracking_number"])
    return application


def all_accepted(application: Application) -> dict:
    return {d.pk: {"verdict": "accepted"} for d in application.documents.filter(is_current=True)}
