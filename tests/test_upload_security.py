"""Uploads: active PDFs, image bombs, the virus-scanning hook, the quota and file names."""

import io
import os
import socket
import struct
import threading
import zlib

import pytest
from django.core.files.storage import default_storage
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from applications.demo import minimal_pdf, sample_image
from applications.models import Document
from applications.services import filing
from ptsp.errors import DomainError
from security.content import pdf_active_names_parsed, pdf_active_names_raw
from tests.journeys import PDF, apotek, applicant, upload

# The messages are read in English; the default language of a test is Indonesian.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def draft(demo):
    return filing.application_create_draft(permit_type_id=apotek().pk, actor=applicant())


def put(draft, data, name="dok.pdf", code="surat_permohonan"):
    return filing.document_upload(
        application_id=draft.pk, requirement_code=code, upload=upload(name, data), actor=applicant()
    )


def _pdf(build) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _refused(draft, data, code, name="dok.pdf", requirement="surat_permohonan"):
    with pytest.raises(DomainError) as caught:
        put(draft, data, name=name, code=requirement)
    assert caught.value.code == code
    assert not Document.objects.filter(application=draft).exists()
    return caught.value


def _add_js(writer):
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('x');"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)


JS_PDF = _pdf(_add_js)
ATTACHMENT_PDF = _pdf(lambda w: w.add_attachment("payload.exe", b"MZ" + b"\x00" * 64))
HIDDEN_JS = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction<</S/J#61vaScript/J#53(app.alert(1))>>>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
LAUNCH = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction<</S/Launch/F(cmd.exe)>>>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PAGE_AA = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/AA<</O 4 0 R>>>>endobj\n"
    b"4 0 obj<</S/URI/URI(http://example.invalid)>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def test_a_plain_pdf_made_by_pypdf_is_accepted(draft):
    clean = _pdf(lambda w: None)
    document = put(draft, clean)
    assert document.scan_result == "not scanned"


@pytest.mark.parametrize(
    "data", [JS_PDF, HIDDEN_JS, PAGE_AA], ids=["javascript", "hex-escaped-js", "page-aa"]
)
def test_pdfs_with_scripts_are_refused(draft, data):
    error = _refused(draft, data, "file_active_content")
    assert "scripts" in str(error.message)


@pytest.mark.parametrize("data", [ATTACHMENT_PDF, LAUNCH], ids=["embedded-file", "launch"])
def test_pdfs_with_embedded_files_or_launch_are_refused(draft, data):
    error = _refused(draft, data, "file_active_content")
    assert "embedded files" in str(error.message)


def test_both_scans_see_the_script_and_ignore_lookalike_names():
    assert "JavaScript" in pdf_active_names_parsed(JS_PDF)
    assert "JS" in pdf_active_names_raw(JS_PDF)
    assert pdf_active_names_raw(b"%PDF-1.4 /JSONData /AAA") == set()


def _png(width: int, height: int) -> bytes:
    def chunk(kind, body):
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("size", [(20000, 20000), (100000, 100000)], ids=["over", "far-over"])
def test_decompression_bombs_are_refused_before_decoding(draft, size):
    ptype = draft.catalog_version.snapshot["requirements"]
    image_code = next(r["code"] for r in ptype if "png" in r["accepted_kinds"])
    error = _refused(draft, _png(*size), "file_image_too_large", "foto.png", image_code)
    assert "too large in pixels" in str(error.message)


def test_a_normal_image_is_accepted(draft):
    requirements = draft.catalog_version.snapshot["requirements"]
    image_code = next(r["code"] for r in requirements if "png" in r["accepted_kinds"])
    out = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(out, "PNG")
    document = put(draft, out.getvalue(), "foto.png", image_code)
    assert document.content_type == "image/png"


class FakeClamd:
    """A clamd speaking the real INSTREAM protocol on a Unix socket: it reports the EICAR test
    string as a virus. (No clamd is installed on the test machine.)"""

    def __init__(self, path):
        self.path = path
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(path)
        self.server.listen(4)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                command = b""
                while not command.endswith(b"\0"):
                    command += conn.recv(1)
                data = b""
                while True:
                    size = struct.unpack("!L", self._exactly(conn, 4))[0]
                    if size == 0:
                        break
                    data += self._exactly(conn, size)
                found = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE" in data
                conn.sendall(b"stream: Eicar-Test-Signature FOUND\0" if found else b"stream: OK\0")

    @staticmethod
    def _exactly(conn, n):
        buf = b""
        while len(buf) < n:
            part = conn.recv(n - len(buf))
            if not part:
                raise OSError("closed")
            buf += part
        return buf

    def close(self):
        self.server.close()


@pytest.fixture
def clamd(settings, tmp_path):
    path = str(tmp_path / "clamd.sock")
    server = FakeClamd(path)
    settings.CLAMAV_SOCKET = path
    yield server
    server.close()


EICAR_PDF = PDF + b"% X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*\n"


def test_with_a_scanner_clean_files_are_recorded_clean(draft, clamd):
    assert put(draft, PDF).scan_result == "clean"


def test_with_a_scanner_infected_files_are_refused(draft, clamd):
    error = _refused(draft, EICAR_PDF, "file_infected")
    assert "virus" in str(error.message)


def test_a_configured_but_unreachable_scanner_refuses_uploads(draft, settings, tmp_path):
    settings.CLAMAV_SOCKET = str(tmp_path / "nobody-listens.sock")
    error = _refused(draft, PDF, "scan_unavailable")
    assert "try again" in str(error.message)


def test_the_upload_quota_per_applicant(draft, settings):
    from django.db.models import Sum

    used = Document.objects.filter(application__applicant=applicant()).aggregate(t=Sum("size"))
    settings.UPLOAD_QUOTA_BYTES = (used["t"] or 0) + len(PDF) * 2 + 10
    put(draft, PDF)
    put(draft, PDF)  # a new version counts too
    error = _refused_after(draft)
    assert "storage limit" in str(error.message)


def _refused_after(draft):
    count = Document.objects.filter(application=draft).count()
    with pytest.raises(DomainError) as caught:
        put(draft, PDF)
    assert caught.value.code == "upload_quota"
    assert Document.objects.filter(application=draft).count() == count
    return caught.value


@pytest.mark.parametrize(
    "name", ["../../../etc/passwd.pdf", "..\\..\\boot.ini.pdf", "/tmp/x.pdf", "a\x00b.pdf"]
)
def test_file_names_are_never_used_in_paths(draft, name):
    document = put(draft, PDF, name=name)
    stored = document.file.name
    assert ".." not in stored and "passwd" not in stored and "boot" not in stored
    assert os.path.basename(stored) not in name
    assert default_storage.exists(stored)
    assert "/" not in document.original_name and "\\" not in document.original_name


# --- Files checked closed (issue 14) ----------------------------------------------------------


def _objstm_pdf(*, broken_array: bool = False) -> bytes:
    """A PDF 1.5 whose OpenAction JavaScript sits only inside a compressed object stream (a raw
    scan cannot see it), with a cross-reference stream; `broken_array` adds the unterminated
    array that made the old parser give up (and the old check count the file as clean)."""
    inner = b"<</S/JavaScript/JS(app.alert(1))>>"
    header = b"5 0 "
    objstm = zlib.compress(header + inner)
    annots = b"/Annots[6 0 R 7 0 R" if broken_array else b""
    objects = {
        1: b"<</Type/Catalog/Pages 2 0 R/OpenAction 5 0 R>>",
        2: b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        3: b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]" + annots + b">>",
        4: b"<</Type/ObjStm/N 1/First %d/Filter/FlateDecode/Length %d>>\nstream\n%s\nendstream"
        % (len(header), len(objstm), objstm),
    }
    out = b"%PDF-1.5\n"
    offsets = {}
    for number, body in objects.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    rows += [struct.pack(">BIH", 1, offsets[n], 0) for n in (1, 2, 3, 4)]
    rows += [struct.pack(">BIH", 2, 4, 0), struct.pack(">BIH", 1, xref_at, 0)]
    table = zlib.compress(b"".join(rows))
    out += (
        b"6 0 obj\n<</Type/XRef/Size 7/W[1 4 2]/Root 1 0 R/Filter/FlateDecode/Length %d>>\n"
        b"stream\n%s\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % (len(table), table, xref_at)
    )
    return out


def test_javascript_inside_a_compressed_object_stream_is_refused(draft):
    data = _objstm_pdf()
    assert "JavaScript" not in pdf_active_names_raw(data)  # invisible to a raw scan
    error = _refused(draft, data, "file_active_content")
    assert "scripts" in str(error.message)


def test_the_798_byte_pdf_behind_an_array_the_parser_refuses_is_refused(draft, api_upload):
    """The file of the penetration test: accepted by the web form and the API before."""
    data = _objstm_pdf(broken_array=True)
    assert len(data) < 1024
    _refused(draft, data, "file_active_content")
    response = api_upload(draft, data)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "file_active_content"
    assert not Document.objects.filter(application=draft).exists()


@pytest.mark.parametrize(
    "data",
    [
        minimal_pdf()[:-40],  # truncated: no %%EOF, the cross-reference table cut
        minimal_pdf()[:150] + b"\n%%EOF\n",  # cut in the middle of its objects
        b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",  # no xref
        b"%PDF-1.7\n" + b"\x00\xff" * 200 + b"\n%%EOF\n",  # a header and noise
    ],
    ids=["truncated", "cut-inside", "no-xref", "noise"],
)
def test_a_pdf_that_cannot_be_read_to_the_end_is_refused_as_damaged(draft, data):
    error = _refused(draft, data, "file_damaged")
    assert "This PDF is damaged" in str(error.message)


@pytest.mark.parametrize(
    "data, name, code",
    [
        (b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n%%EOF\n", "x.pdf", None),
        (minimal_pdf().replace(b"%PDF-1.4\n", b"%PDF-1.4\n<!DOCTYPE html>\n"), "x.pdf", None),
        (b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>", "x.png", "image"),
        (sample_image("PNG") + b"<script>alert(1)</script>", "x.png", "image"),
        (b"\xff\xd8\xff\xe0<?php system($_GET['c']); ?>", "x.jpg", "image"),
    ],
    ids=["pdf-header-html", "pdf-with-html", "png-header-html", "png-then-script", "jpeg-php"],
)
def test_a_header_followed_by_another_format_is_refused(draft, data, name, code):
    requirement = _image_requirement(draft) if code == "image" else "surat_permohonan"
    error = _refused(draft, data, "file_foreign_content", name, requirement)
    assert "web page or script code" in str(error.message)


@pytest.mark.parametrize(
    "data, name",
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "x.png"),  # the old stand-in: a header, no image
        (sample_image("PNG")[:-30], "x.png"),  # truncated image data
        (sample_image("PNG") + b"\x01\x02trailing bytes", "x.png"),  # something after IEND
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "x.jpg"),
        (sample_image("GIF"), "x.png"),  # GIF renamed: no PNG header
    ],
    ids=["png-stand-in", "png-truncated", "png-trailing", "jpeg-stand-in", "gif"],
)
def test_images_are_decoded_to_the_last_pixel(draft, data, name):
    requirement = _image_requirement(draft)
    with pytest.raises(DomainError) as caught:
        put(draft, data, name=name, code=requirement)
    assert caught.value.code in ("file_damaged", "file_kind")
    if caught.value.code == "file_damaged":
        assert "This image is damaged" in str(caught.value.message)
    assert not Document.objects.filter(application=draft).exists()


def test_the_pixel_bomb_message_shows_the_real_dimensions(draft):
    error = _refused(
        draft, _png(100000, 30000), "file_image_too_large", "x.png", _image_requirement(draft)
    )
    assert "100000 × 30000" in str(error.message)


def test_a_jpeg_bomb_shows_its_dimensions_too(draft):
    from security.content import image_size_from_header

    jpeg = sample_image("JPEG", (16, 12))
    assert image_size_from_header(jpeg) == (16, 12)


def test_real_images_and_pdfs_made_by_tools_are_accepted(draft):
    assert put(draft, minimal_pdf()).content_type == "application/pdf"
    requirement = _image_requirement(draft)
    assert put(draft, sample_image("JPEG"), "f.jpg", requirement).content_type == "image/jpeg"


def _image_requirement(draft) -> str:
    requirements = draft.catalog_version.snapshot["requirements"]
    return next(r["code"] for r in requirements if "png" in r["accepted_kinds"])


@pytest.fixture
def api_upload(client):
    """Upload through the API as the draft's applicant."""
    from rest_framework.test import APIClient

    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")

    def _upload(draft, data, code="surat_permohonan", name="dok.pdf"):
        api.force_authenticate(user=draft.applicant)
        return api.post(
            f"/api/v1/applications/{draft.pk}/documents/{code}/upload/",
            {"file": upload(name, data)},
            format="multipart",
        )

    return _upload
