"""Sample applications for the demo applicants, made through the filing services. Idempotent:
an applicant who already has an application of a permit type gets no second one."""

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from applications.models import Application
from applications.services import filing
from permits.models import PermitType

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

SAMPLES = [
    # (applicant, region, permit code, submit?, business data, form data)
    (
        "budi.santoso@example.id",
        "BTG",
        "SIA",
        True,
        {
            "business_name": "Apotek Sehat Lestari",
            "nib": "9120301234567",
            "kbli": "47721",
            "address": "Jl. Ahmad Yani No. 12",
            "kelurahan": "Api-Api",
            "kecamatan": "Bontang Utara",
            "latitude": "0.133300",
            "longitude": "117.500000",
        },
        {
            "nama_apoteker": "apt. Dewi Lestari, S.Farm.",
            "nomor_sipa": "503/SIPA/0042/2026",
            "luas_ruang": "48",
            "jenis_pemohon": "Badan usaha",
        },
    ),
    (
        "budi.santoso@example.id",
        "BTG",
        "PBG",
        False,
        {
            "business_name": "Ruko Budi Santoso",
            "address": "Jl. MT Haryono No. 5",
            "kelurahan": "Tanjung Laut",
            "kecamatan": "Bontang Selatan",
        },
        {"fungsi_bangunan": "Usaha", "luas_bangunan": "180", "jumlah_lantai": "2"},
    ),
    (
        "siti.rahma@example.id",
        "PLG",
        "SIP-DU",
        True,
        {
            "business_name": "Praktik dr. Siti Rahmawati",
            "address": "Jl. Jenderal Sudirman No. 88",
            "kelurahan": "20 Ilir D I",
            "kecamatan": "Ilir Timur I",
        },
        {"nomor_str": "3121100220145678", "sip_ke": "1", "nama_fasyankes": "Klinik Musi Sehat"},
    ),
    (
        "andi.wijaya@example.id",
        "BTG",
        "IUTS",
        True,
        {
            "business_name": "PT Wijaya Mart",
            "nib": "8120009876543",
            "kbli": "47111",
            "address": "Jl. DI Panjaitan No. 21",
            "kelurahan": "Gunung Elai",
            "kecamatan": "Bontang Utara",
        },
        {
            "format_toko": "Minimarket",
            "luas_lantai_jual": "250",
            "jarak_pasar_rakyat": "1200",
            "jaringan_waralaba": "false",
        },
    ),
]


def _sample_file(kinds: list[str], code: str):
    if "pdf" in kinds or not kinds:
        return SimpleUploadedFile(f"{code}.pdf", PDF_BYTES, "application/pdf")
    return SimpleUploadedFile(f"{code}.png", PNG_BYTES, "image/png")


def seed() -> None:
    for email, region_code, code, submit, business, fields in SAMPLES:
        user = User.objects.filter(email=email).first()
        permit_type = PermitType.objects.filter(region__code=region_code, code=code).first()
        if user is None or permit_type is None:
            continue
        if Application.objects.filter(applicant=user, permit_type=permit_type).exists():
            continue
        application = filing.application_create_draft(permit_type_id=permit_type.pk, actor=user)
        filing.application_update_draft(
            application_id=application.pk, actor=user, data={**business, **fields}
        )
        requirements = application.catalog_version.snapshot["requirements"]
        for requirement in requirements if submit else requirements[:2]:
            if not requirement["is_required"] and submit:
                continue
            filing.document_upload(
                application_id=application.pk,
                requirement_code=requirement["code"],
                upload=_sample_file(requirement["accepted_kinds"], requirement["code"]),
                actor=user,
            )
        if submit:
            filing.application_submit(application_id=application.pk, actor=user)
