"""Builders for states that other parts of the workflow will reach through services.

`recommended_application` is THE ONLY place in the tests that writes an application's status
directly: intake and the OPD reviews (the workflow issue) are being built in parallel. Replace
its body with service calls (submit → accept → every review recommends) when they land.
"""

import itertools
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from agencies.models import Agency, Region, Review, ReviewStatus
from applications.models import Application, Status
from permits.models import PermitType, PermitTypeVersion, RouteStep

_serial = itertools.count(1)

TYPE_DEFAULTS = {
    "name_id": "Surat Izin Praktik Dokter Umum",
    "name_en": "General Practitioner Practice Permit",
    "legal_basis": (
        "Undang-Undang Nomor 17 Tahun 2023 tentang Kesehatan\n"
        "Peraturan Pemerintah Nomor 28 Tahun 2024 tentang Peraturan Pelaksanaan UU Kesehatan\n"
        "Peraturan Wali Kota tentang Pendelegasian Kewenangan Perizinan kepada DPMPTSP"
    ),
    "validity_months": 60,
    "number_format": "500.16.7.2/{seq:04d}/{code}/DPMPTSP/{roman_month}/{year}",
    "conditions": (
        "Wajib memasang papan nama praktik sesuai ketentuan.\n"
        "Wajib mematuhi standar profesi dan standar pelayanan.\n"
        "Izin ini tidak berlaku apabila terjadi perubahan tempat praktik.\n"
        "Izin ini dapat dicabut apabila pemegang izin melanggar ketentuan peraturan perundang-"
        "undangan."
    ),
}

FIELDS = [
    {"key": "str_number", "label_id": "Nomor STR", "label_en": "STR number", "kind": "text"},
    {
        "key": "practice_hours",
        "label_id": "Jam Praktik",
        "label_en": "Practice hours",
        "kind": "text",
    },
    {
        "key": "room_area",
        "label_id": "Luas Ruang Praktik",
        "label_en": "Practice room area",
        "kind": "decimal",
        "unit": "m²",
    },
]


def permit_type(region: Region, code: str = "SIP-DU", **overrides) -> PermitType:
    """The permit type `code` of the region (made when the demo has none) with a version."""
    ptype, created = PermitType.objects.get_or_create(
        region=region, code=code, defaults={**TYPE_DEFAULTS, **overrides}
    )
    if created:
        dinkes = Agency.objects.filter(region=region, code="DINKES").first()
        if dinkes:
            RouteStep.objects.create(permit_type=ptype, agency=dinkes, review_days=5)
    if not ptype.versions.exists():
        PermitTypeVersion.objects.create(
            permit_type=ptype, number=1, snapshot={"fields": FIELDS, "requirements": []}
        )
    return ptype


def recommended_application(
    region_code: str = "BTG",
    permit_code: str = "SIP-DU",
    applicant_email: str = "budi.santoso@example.id",
    **fields,
) -> Application:
    """An application every OPD on the route has recommended (status `recommended`)."""
    region = Region.objects.get(code=region_code)
    ptype = permit_type(region, permit_code)
    version = ptype.versions.order_by("-number").first()
    applicant = User.objects.get(email=applicant_email)
    n = next(_serial)
    now = timezone.now()
    application = Application.objects.create(
        tracking_number=f"{region_code}-{now.year}-{Application.objects.count() + n:06d}",
        applicant=applicant,
        region=region,
        permit_type=ptype,
        catalog_version=version,
        status=Status.RECOMMENDED,  # the one direct status write; see the module docstring
        business_name=fields.pop("business_name", "Klinik Pratama Sehat Sentosa"),
        nib=fields.pop("nib", "9120301234567"),
        kbli=fields.pop("kbli", "86103"),
        address=fields.pop("address", "Jl. Ahmad Yani No. 17"),
        kelurahan=fields.pop("kelurahan", "Api-Api"),
        kecamatan=fields.pop("kecamatan", "Bontang Utara"),
        form_data=fields.pop(
            "form_data",
            {
                "str_number": "3121100222145678",
                "practice_hours": "Senin–Jumat 16.00–21.00 WITA",
                "room_area": "24",
            },
        ),
        submitted_at=now,
        due_at=now + timedelta(days=1),
        **fields,
    )
    for step in ptype.route.select_related("agency"):
        Review.objects.create(
            application=application,
            agency=step.agency,
            status=ReviewStatus.RECOMMENDED,
            budget_days=step.review_days,
            decided_at=now,
            reasons="Persyaratan teknis terpenuhi; hasil peninjauan lapangan sesuai.",
        )
    return application
