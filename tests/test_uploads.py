"""Uploads: kind from the bytes, size limits, empty files, file names, private storage."""

import hashlib

import pytest
from django.core.files.storage import default_storage

from applications.services import filing
from applications.uploads import clean_display_name, sniff_kind
from ptsp.errors import DomainError
from tests.journeys import EXE, HTML, JPEG, PDF, PNG, apotek, applicant, upload

# The messages are read in English; the default language of a test is Indonesian.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def draft(demo):
    return filing.application_create_draft(permit_type_id=apotek().pk, actor=applicant())


def put(draft, code, file):
    return filing.document_upload(
        application_id=draft.pk, requirement_code=code, upload=file, actor=applicant()
    )


def test_sniffing():
    assert sniff_kind(PDF) == "pdf"
    assert sniff_kind(PNG) == "png"
    assert sniff_kind(JPEG) == "jpeg"
    assert sniff_kind(EXE) is None
    assert sniff_kind(HTML) is None


def test_a_good_pdf_is_stored_privately_with_hash_and_size(draft):
    document = put(draft, "surat_permohonan", upload("Surat Permohonan.pdf", PDF))
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF)
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert document.original_name == "Surat Permohonan.pdf"
    assert document.file.name.startswith("documents/")
    assert "Surat" not in document.file.name and document.file.name.endswith(".pdf")
    assert default_storage.open(document.file.name).read() == PDF


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("setup.pdf", EXE, "application/pdf"),
        ("gambar.png", HTML, "image/png"),
        ("foto.pdf", PNG, "application/pdf"),  # an image where only PDF is accepted
    ],
)
def test_wrong_kind_is_refused_and_nothing_is_stored(draft, name, data, content_type):
    with pytest.raises(DomainError) as error:
        put(draft, "surat_permohonan", upload(name, data, content_type))
    assert error.value.code == "file_kind"
    assert "Accepted: PDF" in str(error.value)
    assert not draft.documents.exists()


def test_oversize_file_is_refused(draft):
    big = PDF + b"0" * (2048 * 1024)
    with pytest.raises(DomainError) as error:
        put(draft, "surat_permohonan", upload("big.pdf", big))
    assert error.value.code == "file_too_large"
    assert "MB" in str(error.value)
    assert not draft.documents.exists()


def test_empty_file_is_refused(draft):
    with pytest.raises(DomainError) as error:
        put(draft, "surat_permohonan", upload("kosong.pdf", b""))
    assert error.value.code == "file_empty"
    assert not draft.documents.exists()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\budi\\surat.pdf", "surat.pdf"),
        ("sur\x00at\x1b[31m\r\n.pdf", "surat[31m.pdf"),
        ("a" * 500 + ".pdf", "a" * 116 + ".pdf"),
        ("surat.exe", "surat.pdf"),
        ("", "dokumen.pdf"),
    ],
)
def test_file_names_are_cleaned_to_a_display_name(given, expected):
    assert clean_display_name(given, "pdf") == expected


@pytest.mark.parametrize("name", ["../../../../tmp/evil.pdf", "x\x00\x07y.pdf", "b" * 500 + ".pdf"])
def test_bad_file_names_never_reach_the_storage_path(draft, name):
    document = put(draft, "surat_permohonan", upload(name, PDF))
    assert len(document.original_name) <= 120
    assert "/" not in document.original_name and "\x00" not in document.original_name
    assert document.file.name.startswith("documents/")
    assert ".." not in document.file.name and "evil" not in document.file.name


def test_replacing_keeps_the_old_version(draft):
    first = put(draft, "foto_papan_nama", upload("a.png", PNG, "image/png"))
    second = put(draft, "foto_papan_nama", upload("b.jpg", JPEG, "image/jpeg"))
    first.refresh_from_db()
    assert not first.is_current and second.is_current and second.version == 2
    filing.document_remove(
        application_id=draft.pk, requirement_code="foto_papan_nama", actor=applicant()
    )
    assert not draft.documents.filter(is_current=True).exists()
    assert draft.documents.count() == 2
