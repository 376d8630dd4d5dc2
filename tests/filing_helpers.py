"""Helpers for catalog and filing tests: files of each kind and a complete draft via services."""

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from applications.demo import minimal_pdf, sample_image
from applications.services import filing
from permits.models import PermitType

# Real files, complete to their last byte (the upload checks refuse stand-ins: security/content.py).
PDF = minimal_pdf()
PNG = sample_image("PNG")
JPEG = sample_image("JPEG")
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"

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


def upload(name="dok.pdf", data=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, data, content_type)


def file_for(requirement: dict):
    if "pdf" in requirement["accepted_kinds"]:
        return upload(f"{requirement['code']}.pdf", PDF)
    return upload(f"{requirement['code']}.png", PNG, "image/png")


def apotek(region_code="BTG") -> PermitType:
    return PermitType.objects.get(region__code=region_code, code="SIA")


def applicant(email="budi.santoso@example.id") -> User:
    return User.objects.get(email=email)


def complete_draft(user=None, permit_type=None, *, skip=()):
    """A draft of Izin Apotek with every required document except the codes in `skip`."""
    user = user or applicant()
    permit_type = permit_type or apotek()
    application = filing.application_create_draft(permit_type_id=permit_type.pk, actor=user)
    filing.application_update_draft(application_id=application.pk, actor=user, data=APOTEK_DATA)
    for requirement in application.catalog_version.snapshot["requirements"]:
        if requirement["is_required"] and requirement["code"] not in skip:
            filing.document_upload(
                application_id=application.pk,
                requirement_code=requirement["code"],
                upload=file_for(requirement),
                actor=user,
            )
    application.refresh_from_db()
    return application
