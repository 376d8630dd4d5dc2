"""Rendering permits and letters to PDF/A-3b with WeasyPrint.

Each permit type may name its own template (`PermitType.pdf_template`, else
`permits/pdf/types/<code>.html` when it exists, else `permits/pdf/permit.html`); all extend
`permits/pdf/base.html` (A4, letterhead, signature block with QR code and the electronic-signature
footnote). The printed text is in the permit type's language (`pdf_language`), taken from the
`LABELS` below rather than the UI catalogues: it is the wording of a legal document, fixed per
language, and must not change with the translator's choices for the portal's screens.

Fonts are DejaVu from the system; nothing is fetched from the network (`url_fetcher` refuses).
WeasyPrint is imported with this module, once per process (it costs ≈ 0.4 s): the worker imports
`permits.tasks`, which imports this module at start.
"""

import base64
import contextlib
import gc
import io
import threading
from datetime import date

import segno
import weasyprint
import weasyprint.text.fonts
from django.conf import settings
from django.template.loader import render_to_string, select_template
from django.urls import reverse
from django.utils import timezone

from catalog.fields import display_value
from permits.signing import SigningUnavailable, get_signer
from ptsp.i18n import pick, pick_of

MONTHS = {
    "id": [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}

LABELS = {
    "id": {
        "number": "Nomor",
        "considering": "Berdasarkan",
        "deemed": (
            "Izin ini diterbitkan sebagai permohonan yang dianggap dikabulkan secara hukum "
            "(fiktif positif) karena tidak ada keputusan dalam batas waktu yang ditetapkan, "
            "berdasarkan {basis}."
        ),
        "sealed": "Diterbitkan secara otomatis dengan segel elektronik",
        "grants": "memberikan izin kepada",
        "holder": "Nama Pemilik / Penanggung Jawab",
        "business": "Nama Usaha",
        "nib": "Nomor Induk Berusaha (NIB)",
        "kbli": "KBLI",
        "address": "Alamat Lokasi Usaha",
        "kelurahan": "Kelurahan",
        "kecamatan": "Kecamatan",
        "details": "Data Teknis",
        "conditions": "Ketentuan",
        "validity": "Masa Berlaku",
        "valid_until": "berlaku sampai dengan tanggal",
        "valid_forever": "berlaku selama usaha masih berjalan dan tidak ada perubahan data",
        "tracking": "Nomor Registrasi Permohonan",
        "signed_title": "Ditandatangani secara elektronik oleh",
        "nip": "NIP.",
        "verify": "Pindai kode QR atau buka alamat berikut untuk memeriksa keaslian dokumen",
        "footnote": (
            "Dokumen ini telah ditandatangani secara elektronik menggunakan sertifikat "
            "elektronik yang diterbitkan oleh {issuer}. Sesuai UU ITE No. 11 Tahun 2008 Pasal 5 "
            "ayat (1), informasi elektronik dan/atau dokumen elektronik dan/atau hasil cetaknya "
            "merupakan alat bukti hukum yang sah. Dokumen ini tidak memerlukan tanda tangan "
            "basah dan cap dinas."
        ),
        "footnote_development": (
            "Dokumen ini ditandatangani dengan sertifikat pengembangan yang diterbitkan oleh "
            "{issuer}, bukan oleh Penyelenggara Sertifikasi Elektronik yang diakui. Dokumen ini "
            "TIDAK SAH secara hukum dan hanya untuk uji coba."
        ),
        "development_mark": "SERTIFIKAT PENGEMBANGAN — TIDAK SAH SECARA HUKUM",
        "page": "Halaman",
        "of": "dari",
        "rejection_title": "SURAT PENOLAKAN PERMOHONAN IZIN",
        "rejection_intro": (
            "Dengan hormat, berdasarkan hasil pemeriksaan teknis atas permohonan Saudara, "
            "dengan ini kami sampaikan bahwa permohonan berikut"
        ),
        "rejected": "TIDAK DAPAT DISETUJUI",
        "reasons": "dengan alasan sebagai berikut",
        "rejection_close": (
            "Saudara dapat mengajukan permohonan baru setelah memenuhi ketentuan yang "
            "dipersyaratkan. Demikian surat ini disampaikan untuk dapat dipergunakan "
            "sebagaimana mestinya."
        ),
        "to": "Kepada Yth.",
        "permit_requested": "Jenis Izin",
        "subject": "Perihal",
        "subject_value": "Penolakan Permohonan",
    },
    "en": {
        "number": "Number",
        "considering": "Pursuant to",
        "deemed": (
            "This permit is issued as an application deemed granted by law (fiktif positif): "
            "no decision was made within the legal deadline, pursuant to {basis}."
        ),
        "sealed": "Issued automatically under electronic seal",
        "grants": "hereby grants a permit to",
        "holder": "Owner / Person in charge",
        "business": "Business name",
        "nib": "Business Identification Number (NIB)",
        "kbli": "KBLI",
        "address": "Business address",
        "kelurahan": "Kelurahan",
        "kecamatan": "Kecamatan",
        "details": "Technical data",
        "conditions": "Conditions",
        "validity": "Validity",
        "valid_until": "valid until",
        "valid_forever": "valid while the business operates and its data do not change",
        "tracking": "Application tracking number",
        "signed_title": "Electronically signed by",
        "nip": "NIP",
        "verify": "Scan the QR code or open this address to check that the document is genuine",
        "footnote": (
            "This document has been signed electronically with an electronic certificate issued "
            "by {issuer}. Under Law 11/2008 on Electronic Information and Transactions, Article "
            "5(1), electronic documents and their printouts are valid legal evidence. No wet "
            "signature or stamp is required."
        ),
        "footnote_development": (
            "This document was signed with a development certificate issued by {issuer}, not "
            "by a recognised electronic certification authority. It is NOT legally valid and "
            "is for testing only."
        ),
        "development_mark": "DEVELOPMENT CERTIFICATE — NOT LEGALLY VALID",
        "page": "Page",
        "of": "of",
        "rejection_title": "NOTICE OF REJECTION OF A PERMIT APPLICATION",
        "rejection_intro": (
            "Following the technical review of your application, we inform you that the "
            "following application"
        ),
        "rejected": "CANNOT BE APPROVED",
        "reasons": "for the following reasons",
        "rejection_close": (
            "You may file a new application once the requirements are met. This letter is "
            "issued to be used as appropriate."
        ),
        "to": "To",
        "permit_requested": "Permit",
        "subject": "Subject",
        "subject_value": "Rejection of application",
    },
}

# A neutral regional emblem for regions without an uploaded logo (a shield with a star).
DEFAULT_EMBLEM = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 120">'
    '<path d="M50 4 L94 18 V58 C94 88 74 106 50 116 C26 106 6 88 6 58 V18 Z" fill="#0b4f6c" '
    'stroke="#c9a227" stroke-width="5"/>'
    '<path d="M50 24 l8.8 17.8 19.7 2.9 -14.2 13.9 3.4 19.6 -17.7 -9.3 -17.7 9.3 3.4 -19.6 '
    '-14.2 -13.9 19.7 -2.9 z" fill="#f2c94c"/>'
    '<path d="M22 88 h56" stroke="#f2c94c" stroke-width="5"/>'
    '<path d="M28 98 h44" stroke="#f2c94c" stroke-width="4"/></svg>'
)


def long_date(value: date, language: str = "id") -> str:
    """ "22 November 2026" (Indonesian and English read the same way)."""
    return f"{value.day} {MONTHS.get(language, MONTHS['id'])[value.month - 1]} {value.year}"


def place_name(region) -> str:
    """ "Bontang" for "Kota Bontang", "Kutai Kartanegara" for "Kabupaten Kutai Kartanegara"."""
    for prefix in ("Kota ", "Kabupaten ", "Kab. "):
        if region.name.startswith(prefix):
            return region.name[len(prefix) :]
    return region.name


def verification_url(token: str) -> str:
    return settings.SITE_URL + reverse("permits:verify", args=[token])


def qr_data_uri(url: str) -> str:
    """The QR code as an inline PNG data URI (no file, no network)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=2)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _logo_data_uri(region) -> str:
    if region.logo:
        try:
            with region.logo.open("rb") as f:
                data = f.read()
            kind = "image/svg+xml" if data.lstrip().startswith(b"<") else "image/png"
            return f"data:{kind};base64," + base64.b64encode(data).decode()
        except OSError:
            pass
    return "data:image/svg+xml;base64," + base64.b64encode(DEFAULT_EMBLEM.encode()).decode()


def _field_rows(application, language: str) -> list[tuple[str, str]]:
    """The permit type's own fields, labelled from the application's catalog snapshot."""
    snapshot = application.catalog_version.snapshot or {}
    data = application.form_data or {}
    rows = []
    fields = snapshot.get("fields") or []
    for field in fields:
        key = field.get("key")
        if key not in data or data[key] in ("", None):
            continue
        label = pick_of(field, "label", language=language) or key
        rows.append((label, display_value(field, data[key], language)))
    known = {f.get("key") for f in fields}
    for key, value in data.items():
        if key not in known and value not in ("", None):
            rows.append((key.replace("_", " ").capitalize(), str(value)))
    return rows


def letterhead(region) -> dict:
    lines = [line.strip() for line in (region.letterhead_text or "").splitlines() if line.strip()]
    return {
        "government": lines[0] if lines else f"PEMERINTAH {region.name.upper()}",
        "office": lines[1] if len(lines) > 1 else "",
        "address": lines[2:] if len(lines) > 2 else [],
        "logo": _logo_data_uri(region),
    }


def permit_context(permit) -> dict:
    application = permit.application
    permit_type = permit.permit_type
    language = permit_type.pdf_language or "id"
    region = permit.region
    issued = timezone.localtime(permit.issued_at, timezone=_zone(region)).date()
    url = verification_url(permit.verification_token)
    return {
        "lang": language,
        "L": LABELS[language],
        **footnote_context(region, language, user=getattr(permit, "signer", None)),
        "kop": letterhead(region),
        "region": region,
        "permit": permit,
        "application": application,
        "permit_type": permit_type,
        "title": pick(permit_type.name_id, permit_type.name_en, language=language).upper(),
        "legal_basis": [
            line.strip() for line in (permit_type.legal_basis or "").splitlines() if line.strip()
        ],
        "fields": _field_rows(application, language),
        "conditions": [
            line.strip() for line in (permit_type.conditions or "").splitlines() if line.strip()
        ],
        "valid_until": long_date(permit.valid_until, language) if permit.valid_until else "",
        "place_date": f"{place_name(region)}, {long_date(issued, language)}",
        "qr": qr_data_uri(url),
        "verify_url": url,
        "deemed_text": (
            LABELS[language]["deemed"].format(basis=permit.deemed_basis)
            if permit.deemed_basis
            else ""
        ),
    }


def footnote_context(region, language: str, *, user=None, remote: bool = True) -> dict:
    """The footnote names who really issued the signing certificate — the person's BSrE
    certificate's issuer when the region signs with BSrE, the local PKCS#12's otherwise; a
    development one is marked on the document as not legally valid (issue 21 item 10)."""
    issuer = certificate_issuer(region, user=user, remote=remote)
    labels = LABELS[language]
    text = labels["footnote_development" if issuer["development"] else "footnote"]
    return {
        "footnote": text.format(issuer=issuer["name"] or "?"),
        "development": issuer["development"],
    }


def certificate_issuer(region, *, user=None, remote: bool = True) -> dict:
    """The issuer of the certificate that signs `region`'s documents as `user`
    (permits.signing.get_signer); unknown counts as a development certificate."""
    try:
        signer = get_signer(region, user=user, remote=remote)
    except SigningUnavailable:
        return {"name": "", "development": True}
    describe = getattr(signer, "certificate_issuer", None)
    return describe() if describe else {"name": "", "development": True}


def _zone(region):
    import zoneinfo

    return zoneinfo.ZoneInfo(region.timezone or settings.TIME_ZONE)


def permit_template_names(permit_type) -> list[str]:
    names = []
    # Only the permit templates may be named, never an arbitrary template of the site.
    if permit_type.pdf_template and permit_type.pdf_template.startswith("permits/pdf/"):
        names.append(permit_type.pdf_template)
    names.append(f"permits/pdf/types/{permit_type.code.lower()}.html")
    names.append("permits/pdf/permit.html")
    return names


def permit_html(permit) -> str:
    template = select_template(permit_template_names(permit.permit_type))
    return template.render(permit_context(permit))


# Only data: URIs (the inline logo and QR code) may be loaded; anything else is refused.
NO_NETWORK = weasyprint.urls.URLFetcher(allowed_protocols={"data"}, timeout=1)


_local = threading.local()


def _font_config():
    # Building a FontConfiguration (fontconfig set-up) costs tens of milliseconds; one per
    # thread is reused for every render (the templates declare no @font-face).
    config = getattr(_local, "font_config", None)
    if config is None:
        config = _local.font_config = weasyprint.text.fonts.FontConfiguration()
    return config


_gc_lock = threading.Lock()
_gc_pausers = 0


@contextlib.contextmanager
def gc_paused():
    """Hold Python's cyclic garbage collector off while a document is laid out.

    A WeasyPrint render allocates some hundred thousand linked objects; the collector, triggered
    by the allocations, then walks them mid-render, and in a process with Django loaded a render
    takes 65–70 ms or 110–120 ms depending on whether a collection fell inside it (measured,
    docs/issuance.md). Paused, the render is steady; the garbage is collected by the next
    ordinary collection after it. Process-wide, so nested and concurrent renders are counted.
    """
    global _gc_pausers
    with _gc_lock:
        _gc_pausers += 1
        gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0:
                gc.enable()


def html_to_pdf(html: str) -> bytes:
    """HTML → PDF/A-3b bytes. Only data: URIs are resolved; nothing is fetched."""
    with gc_paused():
        document = weasyprint.HTML(string=html, base_url="about:blank", url_fetcher=NO_NETWORK)
        return document.write_pdf(pdf_variant="pdf/a-3b", font_config=_font_config())


def render_permit_pdf(permit) -> bytes:
    return html_to_pdf(permit_html(permit))


def rejection_letter_context(letter, *, remote: bool = False) -> dict:
    """`remote`: the letter is signed by its signer's BSrE certificate (a BSrE region), whose
    issuer the footnote names; else the region's local certificate's."""
    application = letter.application
    language = application.permit_type.pdf_language or "id"
    region = application.region
    issued = timezone.localtime(letter.issued_at, timezone=_zone(region)).date()
    return {
        "lang": language,
        "L": LABELS[language],
        **footnote_context(region, language, user=letter.signer, remote=remote),
        "kop": letterhead(region),
        "region": region,
        "letter": letter,
        "application": application,
        "permit_type_name": pick_of(application.permit_type, "name", language=language),
        "reasons": [line.strip() for line in letter.reasons.splitlines() if line.strip()],
        "place_date": f"{place_name(region)}, {long_date(issued, language)}",
    }


def render_rejection_letter_pdf(letter, *, remote: bool = False) -> bytes:
    return html_to_pdf(
        render_to_string(
            "permits/pdf/rejection_letter.html", rejection_letter_context(letter, remote=remote)
        )
    )
