"""Sample applications for the demo applicants, made through the filing services. Idempotent:
an applicant who already has an application of a permit type gets no second one."""

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from applications.models import Application
from applications.services import filing
from catalog.models import PermitType


def minimal_pdf(text: bytes = b"") -> bytes:
    """A small, complete one-page PDF (catalog, pages, page, a cross-reference table that is
    right to the byte): what the upload checks accept as a real PDF. `text` goes in a comment
    line, to make distinct files."""
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>",
    ]
    out = b"%PDF-1.4\n" + (b"% " + text + b"\n" if text else b"")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def sample_image(kind: str = "PNG", size: tuple[int, int] = (8, 8)) -> bytes:
    """A small real image (Pillow), decodable to its last pixel."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, kind)
    return out.getvalue()


PDF_BYTES = minimal_pdf()
PNG_BYTES = sample_image("PNG")

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
