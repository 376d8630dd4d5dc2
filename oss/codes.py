"""The OSS integration guide's code tables (PIA 4.3.x, `src/footer.md`, "Lampiran").

Who uses it: `oss.protocol` (which codes a message may carry), `oss.client` (what an answer's
`kd_status` means), the simulator (`uraian_status` of its answers), and in phase 2 the pages that
show a delivery or a reconciliation. Nothing here raises: a code the table does not know (OSS
answers codes it never documented, e.g. "58" in the guide's own `checkLicenseStatus` example) is
looked up as an "unknown" entry that says so in both languages.

Meanings are stored in Indonesian (the guide's own words) and English; pages pick one by the
request's language. They are data, not translatable UI strings: the Indonesian column *is* the
guide's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ptsp.i18n import pick


@dataclass(frozen=True)
class KdStatus:
    """One row of Lampiran 10 ("Data Kode Status Izin"): a permit's status in OSS.

    `status_id` / `keterangan_id` are the guide's STATUS and KETERANGAN columns; `meaning_en` an
    English rendering. `regional` marks the codes a regional (K/L/D) system sends in
    `receiveLicenseStatus`; `retired` the codes the guide removed (they may still come back in an
    old file's history). `known` is False only for the placeholder of an unknown code.
    """

    code: str
    status_id: str
    keterangan_id: str
    meaning_en: str
    regional: bool = False
    retired: bool = False
    known: bool = True

    def label(self, language: str = "id") -> str:
        """`"50 Disetujui"` / `"50 Approved"`; an unknown code reads `"58 (kode tidak dikenal)"`."""
        return pick(
            f"{self.code} {self.status_id}", f"{self.code} {self.meaning_en}", language=language
        ).strip()


def _row(code, status_id, keterangan_id, meaning_en, *, regional=False, retired=False):
    return KdStatus(code, status_id, keterangan_id, meaning_en, regional, retired)


# Lampiran 10 as of PIA 4.3.20 (footer.md), in the guide's order. `regional=True` for the codes a
# regional licensing system reports (INTEGRATION-FACTS, issue 16). 57 is set by OSS itself
# ("disetujui secara otomatis oleh sistem OSS"); it is listed as regional because a region records
# a deemed approval under PP 28/2025, but see docs/oss.md ("Deviations").
_ROWS = (
    _row("05", "Proses Penapisan", "Penapisan dokumen lingkungan",
         "Environmental document screening", regional=True),
    _row("09", "Telah Melengkapi Persyaratan",
         "Dokumen permohonan dan persyaratan izin sudah diisi dan dilengkapi",
         "Application and requirements completed (filed)", regional=True),
    _row("10", "Dokumen Lengkap", "Dokumen permohonan izin sudah lengkap dan benar",
         "Documents complete and correct", regional=True),
    _row("11", "Dokumen Belum Lengkap", "Dokumen permohonan izin belum lengkap",
         "Documents incomplete", regional=True),
    _row("12", "Pemenuhan Komitmen", "Pemenuhan Komitmen",
         "Commitment being fulfilled (technical review)", regional=True),
    _row("20", "Validasi", "Petugas melakukan pengecekkan terhadap permohonan izin tersebut",
         "Validation by an officer", regional=True),
    _row("30", "Verifikasi Pembayaran",
         "Petugas melakukan verifikasi pembayaran terhadap Pelaku Usaha",
         "Payment verification", regional=True),
    _row("31", "Konfirmasi Pembayaran",
         "Petugas melakukan konfirmasi pembayaran terhadap Pelaku Usaha",
         "Payment confirmed", regional=True),
    _row("32", "Menunggu Verifikasi Bukti Bayar PNBP",
         "Pelaku usaha telah melakukan pembayaran PNBP",
         "Waiting for verification of the PNBP payment proof"),
    _row("33", "Persetujuan Pembayaran", "Petugas melakukan verifikasi pembayaran",
         "Payment approved", regional=True),
    _row("34", "Perbaikan Konfirmasi Pembayaran", "Pelaku usaha upload kembali PNBP",
         "Payment proof uploaded again"),
    _row("40", "Inspeksi", "Petugas melakukan pengecekan ke lapangan",
         "Field inspection", regional=True),
    _row("41", "Konfirmasi Persyaratan",
         "Pemberhentian perhitungan SLA perizinan karena ada urgensi tertentu",
         "Requirement confirmation asked: the SLA stops", regional=True),
    _row("42", "Data Konfirmasi Persyaratan", "Mulai kembali perhitungan SLA perizinan",
         "Confirmation data given: the SLA resumes", regional=True),
    _row("43", "Re-Konfirmasi Persyaratan", "Pemberhentian perhitungan SLA kembali ke awal",
         "Re-confirmation asked: the SLA stops and restarts from zero", regional=True),
    _row("44", "Data Re-Konfirmasi Persyaratan",
         "Mulai kembali perhitungan SLA perizinan dari awal",
         "Re-confirmation data given: the SLA restarts from zero"),
    _row("45", "Persyaratan terverifikasi", "Persetujuan status persyaratan oleh dinas teknis",
         "Requirements verified by the technical agency", regional=True),
    _row("49", "Pengambilan Nomor", "Pengambilan nomor Izin/SS/UMKU dalam hal integrasi",
         "Permit number taken (integration)"),
    _row("50", "Disetujui", "Petugas menyetujui Izin dari Pelaku Usaha",
         "Approved", regional=True),
    _row("52", "Terbit Sementara", "Terbit sementara untuk dilakukan pemenuhan komitmen",
         "Issued provisionally, pending commitments"),
    _row("57", "Disetujui secara otomatis oleh sistem OSS (fiktif positif)",
         "Disetujui secara otomatis oleh sistem OSS (fiktif positif) berdasarkan Pasal 175 "
         "angka 6 Undang-Undang Nomor 11 Tahun 2020",
         "Approved automatically by OSS (deemed approval, fiktif positif)", regional=True),
    _row("60", "Peringatan",
         "Petugas memberikan peringatan terhadap Izin Pelaku Usaha, apabila Izin tersebut "
         "bermasalah", "Warning"),
    _row("70", "Penghentian Sementara Kegiatan Berusaha",
         "Petugas menghentikan sementara kegiatan berusaha, apabila Izin tersebut bermasalah",
         "Business activity suspended"),
    _row("80", "Pengenaan Denda Administratif",
         "Petugas memberikan denda administratif, apabila Izin tersebut bermasalah",
         "Administrative fine"),
    _row("90", "Ditolak", "Petugas menolak permohonan Izin Usaha", "Rejected", regional=True),
    _row("91", "Pencabutan Perizinan Berusaha", "Petugas mencabut Izin Usaha",
         "Permit revoked (code removed in PIA 4.3.19)", retired=True),
    _row("92", "Pembatalan Perizinan Berusaha", "Petugas membatalkan Izin Berusaha",
         "Permit cancelled (code removed in PIA 4.3.19)", retired=True),
    _row("93", "Penolakan Persyaratan", "Penolakan status persyaratan oleh Dinas Teknis",
         "Requirements rejected by the technical agency", regional=True),
)  # fmt: skip

KD_STATUS: dict[str, KdStatus] = {row.code: row for row in _ROWS}

#: The codes a regional system reports (issue 16's list).
REGIONAL_KD_STATUS: tuple[str, ...] = tuple(row.code for row in _ROWS if row.regional)

#: The codes a `receiveLicenseStatus` may carry: every code of the table not retired.
SENDABLE_KD_STATUS: frozenset[str] = frozenset(row.code for row in _ROWS if not row.retired)


def normalise_code(value: object) -> str:
    """A code as text: `"50"`, `50` and `" 50 "` read `"50"`; a one-digit number is padded
    (`5` → `"05"`). Anything else (None, a list) reads as its short text form. Never raises."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:02d}"
    if value is None:
        return ""
    text = str(value).strip()
    return text[:20]


def kd_status(code: object) -> KdStatus:
    """The row of `code`, or an "unknown" row carrying the code as received. Never raises."""
    text = normalise_code(code)
    row = KD_STATUS.get(text)
    if row is not None:
        return row
    shown = text or "?"
    return KdStatus(
        code=shown,
        status_id="(kode tidak dikenal)",
        keterangan_id="Kode status ini tidak ada dalam tabel pedoman integrasi OSS",
        meaning_en="(unknown code)",
        known=False,
    )


# Lampiran 9: the answer codes of OSS (`kode`), also its HTTP statuses.
RESPONSE_CODES: dict[int, tuple[str, str]] = {
    200: ("Sukses", "Success"),
    400: ("Data Parameter Salah", "Wrong parameters"),
    401: ("User Akses Tidak Valid", "Invalid access (user_key)"),
    403: ("Ilegal Inquery /Akses", "Illegal inquiry / access"),
    404: ("Akses Service Tidak Ditemukan", "Service not found"),
    405: ("Akses Service Ditolak", "Service access refused"),
    500: ("Proses Payload Data Di Sistem OSS Gagal", "OSS failed to process the payload"),
    504: ("Proses Payload Data Di Sistem OSS Timeout", "OSS timed out processing the payload"),
}


def response_meaning(kode: int | None, language: str = "id") -> str:
    """The guide's words for an answer code; an unlisted code reads as such. Never raises."""
    pair = RESPONSE_CODES.get(kode) if isinstance(kode, int) else None
    id_text, en_text = pair or ("(kode tidak dikenal)", "(unknown code)")
    return pick(id_text, en_text, language=language)


class TipeDokumen(StrEnum):
    """`dataNIB.tipe_dokumen`: what a `receiveNIB` push is."""

    ORIGINAL = "9"  # Original: a new NIB / first push
    UPDATE = "5"  # Update of the business data or checklist
    REVOCATION = "3"  # Pencabutan: the NIB is revoked
    CANCELLATION = "4"  # Pembatalan: the NIB is cancelled


TIPE_DOKUMEN_MEANING: dict[str, tuple[str, str]] = {
    "9": ("Original", "Original"),
    "5": ("Update", "Update"),
    "3": ("Pencabutan", "Revocation"),
    "4": ("Pembatalan", "Cancellation"),
}

# Lampiran 28: `data_checklist[].flag_checklist`.
FLAG_CHECKLIST: dict[str, tuple[str, str]] = {
    "Y": ("Komitmen", "Commitment to fulfil: the authority processes the permit"),
    "N": ("Tidak Komitmen", "No commitment"),
    "O": ("Otomatis Terbit", "Issued automatically by OSS"),
    "T": ("Tidak Butuh Komitmen (Tembusan)", "No commitment needed (copy only)"),
}

# `kewenangan`: whose authority the permit is.
KEWENANGAN: dict[str, tuple[str, str]] = {
    "00": ("Kewenangan Pusat", "Central government"),
    "01": ("Kewenangan Provinsi", "Province"),
    "02": ("Kewenangan Kab/Kota", "Regency / city"),
}

# Lampiran 27: `jenis_izin` / `jenis_perizinan`.
JENIS_IZIN: dict[str, tuple[str, str]] = {
    "01": ("Izin Dasar", "Basic permit"),
    "02": ("Izin", "Permit"),
    "04": ("Sertifikat Standar", "Standard certificate"),
    "K02": ("Persyarat Standar", "Standard requirement"),
    "K03": ("UMKU", "Business support permit (PB-UMKU)"),
}

# Lampiran 29: what `getDataReferensi` can be asked for (kode → table).
REFERENCE_TABLES: dict[str, str] = {
    "1": "Status Permodalan",
    "2": "Jenis Perusahaan",
    "3": "Jenis Angka Pengenal Importir (API)",
    "4": "Jenis Identitas",
    "5": "Jenis Status Tanah",
    "6": "Jenis Asal Investor",
    "7": "Jenis Akta",
    "8": "Kode Izin",
    "9": "Kode Status Respon",
    "10": "Kode Status Izin",
    "11": "Kode Klasifikasi Saham",
    "12": "Kode Status Badan Hukum",
    "13": "Kode Jenis Pemegang Saham",
    "14": "Kode Status Dokumen NIB",
    "15": "Kode Daftar Negatif Investasi (DNI)",
    "16": "Kode Jenis Lokasi",
    "17": "Kode Satuan Tanah",
    "18": "Kode Jenis Pelaku Usaha",
    "19": "Kode Status Flag Pajak",
    "20": "Kode Referensi Sektor",
    "21": "Kode Jenis Kawasan",
    "22": "Kode Status Proyek",
    "23": "Kode Pendidikan",
    "24": "Kode Posisi Lokasi",
    "25": "Kode Status Lokasi",
    "26": "Jenis Proyek",
    "27": "Jenis Izin",
    "28": "Kode Flag Checklist",
    "29": "Kode Jabatan Tenaga Kerja Asing",
    "30": "Kode KBLI Berdasarkan Mapping ke KBLI",
    "31": "Kode Bidang Spesifik",
    "32": "Kode Kawasan",
}
