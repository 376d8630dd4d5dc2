"""What we send to OSS, as typed values that build the guide's JSON, and OSS's answers read back.

Who calls it: `oss.client` (and, in phase 2, the delivery tasks that build these from our
domain events). `to_payload()` returns the exact body for the method and validates it against the
guide first, refusing unknown keys: a payload that breaks the guide raises `ProtocolError` here
and is never sent. The `read_*` functions turn an answer's wrapper into typed values; they never
raise (an answer that lacks a field reads as blank).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from oss.codes import KdStatus, kd_status, normalise_code
from oss.protocol.inbound import ChecklistItem, checklist_item, data_nib_fields, lift, text_of
from oss.protocol.schema import Issue, ProtocolError, validate
from oss.protocol.specs import (
    CHECK_LICENSE_STATUS,
    DATA_CHECKLIST,
    DATA_NIB,
    GET_DATA_REFERENSI,
    INQUERY_LICENSE,
    INQUERY_NIB,
    RECEIVE_LICENSE,
    RECEIVE_LICENSE_STATUS,
    UPDATE_LICENSE,
)
from oss.token import OSS_TIMEZONE


def _oss_time(moment: datetime) -> str:
    """`tgl_status`: "YYYY-MM-DD HH:MM:SS" on OSS's clock (Asia/Jakarta, like the token)."""
    if moment.tzinfo is None:
        raise ProtocolError([Issue("tgl_status", "type", "needs a timezone-aware datetime")])
    return moment.astimezone(OSS_TIMEZONE).strftime("%Y-%m-%d %H:%M:%S")


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


@dataclass(frozen=True, kw_only=True)
class DataPnbp:
    """`IZINSTATUS.data_pnbp`: the fee (PNBP / levy) billed at this status."""

    kd_akun: str = ""
    kd_penerimaan: str = ""
    kd_billing: str = ""
    tgl_billing: date | None = None
    tgl_expire: date | None = None
    nominal: int | Decimal | None = None
    url_dokumen: str = ""

    def to_json(self) -> dict:
        return {
            "kd_akun": self.kd_akun,
            "kd_penerimaan": self.kd_penerimaan,
            "kd_billing": self.kd_billing,
            "tgl_billing": _day(self.tgl_billing),
            "tgl_expire": _day(self.tgl_expire),
            "nominal": int(self.nominal) if self.nominal is not None else "",
            "url_dokumen": self.url_dokumen,
        }


@dataclass(frozen=True, kw_only=True)
class LicenseStatus:
    """One `receiveLicenseStatus` (`IZINSTATUS`): a permit's status change in our system.

    `status_at` is when it happened (aware); it is sent on OSS's clock. `nama_status` /
    `nip_status` name the acting officer."""

    nib: str
    oss_id: str
    id_izin: str
    kd_izin: str
    kd_status: str
    status_at: datetime
    nama_status: str
    nip_status: str = ""
    id_proyek: str = ""
    id_produk: str = ""
    kd_instansi: str = ""
    keterangan: str = ""
    file_lampiran: str = ""
    persetujuan_form: bool | None = None
    data_pnbp: DataPnbp | None = None

    def to_payload(self) -> dict:
        """The body ``{"IZINSTATUS": {...}}``. Raises `ProtocolError` if it breaks the guide."""
        inner = {
            "nib": self.nib,
            "id_produk": self.id_produk,
            "id_proyek": self.id_proyek,
            "oss_id": self.oss_id,
            "id_izin": self.id_izin,
            "kd_izin": self.kd_izin,
            "kd_instansi": self.kd_instansi,
            "kd_status": self.kd_status,
            "tgl_status": _oss_time(self.status_at),
            "nip_status": self.nip_status,
            "nama_status": self.nama_status,
            "keterangan": self.keterangan,
            "file_lampiran": self.file_lampiran,
        }
        if self.persetujuan_form is not None:
            inner["persetujuan_form"] = self.persetujuan_form
        if self.data_pnbp is not None:
            inner["data_pnbp"] = self.data_pnbp.to_json()
        body = {"IZINSTATUS": inner}
        validate(RECEIVE_LICENSE_STATUS, body, unknown="reject")
        return body


@dataclass(frozen=True, kw_only=True)
class DataTeknis:
    """`IZINFINAL.data_teknis`: the approved building figures of a PBG (as text, per the guide)."""

    id_komitmen: str = ""
    luas_bangunan_disetujui: str = ""
    jumlah_lantai_disetujui: str = ""
    tinggi_bangunan_disetujui: str = ""
    luas_basement_disetujui: str = ""
    jumlah_lantai_basement_disetujui: str = ""

    def to_json(self) -> dict:
        return {
            "id_komitmen": self.id_komitmen,
            "luas_bangunan_disetujui": self.luas_bangunan_disetujui,
            "jumlah_lantai_disetujui": self.jumlah_lantai_disetujui,
            "tinggi_bangunan_disetujui": self.tinggi_bangunan_disetujui,
            "luas_basement_disetujui": self.luas_basement_disetujui,
            "jumlah_lantai_basement_disetujui": self.jumlah_lantai_basement_disetujui,
        }


@dataclass(frozen=True, kw_only=True)
class FinalLicense:
    """The issued permit (`IZINFINAL`) for `receiveLicense`, or `updateLicense`.

    `file_izin` is a URL OSS can fetch the signed PDF from (≤ 2 MB per the guide)."""

    nib: str
    id_proyek: str
    oss_id: str
    id_izin: str
    kd_izin: str
    kd_daerah: str
    nomor_izin: str
    tgl_terbit_izin: date
    tgl_berlaku_izin: date
    nama_ttd: str
    nip_ttd: str
    jabatan_ttd: str
    status_izin: str = "50"
    file_izin: str = ""
    keterangan: str = ""
    file_lampiran: str = ""
    nomenklatur_nomor_izin: str = ""
    bln_berlaku_izin: int | None = None
    thn_berlaku_izin: int | None = None
    jenis_perizinan: str = ""
    data_teknis: DataTeknis | None = None

    def _common(self) -> dict:
        return {
            "nib": self.nib,
            "id_proyek": self.id_proyek,
            "oss_id": self.oss_id,
            "id_izin": self.id_izin,
            "kd_izin": self.kd_izin,
            "kd_daerah": self.kd_daerah,
            "nomor_izin": self.nomor_izin,
            "tgl_terbit_izin": _day(self.tgl_terbit_izin),
            "tgl_berlaku_izin": _day(self.tgl_berlaku_izin),
            "nama_ttd": self.nama_ttd,
            "nip_ttd": self.nip_ttd,
            "jabatan_ttd": self.jabatan_ttd,
            "status_izin": self.status_izin,
            "file_izin": self.file_izin,
            "keterangan": self.keterangan,
            "file_lampiran": self.file_lampiran,
            "nomenklatur_nomor_izin": self.nomenklatur_nomor_izin,
        }

    def to_payload(self) -> dict:
        """The `receiveLicense` body ``{"IZINFINAL": {...}}`` (validity months/years as numbers,
        `data_teknis` when given). Raises `ProtocolError` if it breaks the guide."""
        inner = self._common()
        if self.bln_berlaku_izin is not None:
            inner["bln_berlaku_izin"] = self.bln_berlaku_izin
        if self.thn_berlaku_izin is not None:
            inner["thn_berlaku_izin"] = self.thn_berlaku_izin
        inner["jenis_perizinan"] = self.jenis_perizinan
        if self.data_teknis is not None:
            inner["data_teknis"] = self.data_teknis.to_json()
        body = {"IZINFINAL": inner}
        validate(RECEIVE_LICENSE, body, unknown="reject")
        return body

    def to_update_payload(self, *, kewenangan: str = "02") -> dict:
        """The `updateLicense` body: the same `IZINFINAL` plus `kewenangan`, validity as text,
        without `data_teknis` / `jenis_perizinan` (the guide's updateLicense table)."""
        inner = self._common()
        inner["kewenangan"] = kewenangan
        if self.bln_berlaku_izin is not None:
            inner["bln_berlaku_izin"] = str(self.bln_berlaku_izin)
        if self.thn_berlaku_izin is not None:
            inner["thn_berlaku_izin"] = str(self.thn_berlaku_izin)
        body = {"IZINFINAL": inner}
        validate(UPDATE_LICENSE, body, unknown="reject")
        return body


def check_license_status_payload(id_izin: str) -> dict:
    """``{"CHECKLICENSESTATUS": {"id_izin": ...}}``. Raises `ProtocolError`."""
    body = {"CHECKLICENSESTATUS": {"id_izin": id_izin}}
    validate(CHECK_LICENSE_STATUS, body, unknown="reject")
    return body


def inquery_nib_payload(
    *, nib: str | None = None, oss_id: str | None = None, npwp: str | None = None
) -> dict:
    """``{"INQUERYNIB": {...}}`` by `nib`, `nib` + `oss_id`, or `npwp`. Raises `ProtocolError`."""
    inner = {
        key: value
        for key, value in (("nib", nib), ("oss_id", oss_id), ("npwp", npwp))
        if value is not None
    }
    body = {"INQUERYNIB": inner}
    validate(INQUERY_NIB, body, unknown="reject")
    return body


def inquery_license_payload(id_izin: str, *, with_requirements: bool = True) -> dict:
    """``{"INQUERYLICENSE": {"id_izin": ..., "data_persyaratan": true}}``."""
    body = {"INQUERYLICENSE": {"id_izin": id_izin, "data_persyaratan": with_requirements}}
    validate(INQUERY_LICENSE, body, unknown="reject")
    return body


def get_data_referensi_payload(kode: str | int) -> dict:
    """``{"GETDATAREFERENSI": {"kode": "8"}}`` (Lampiran 29 names the tables)."""
    body = {"GETDATAREFERENSI": {"kode": str(kode)}}
    validate(GET_DATA_REFERENSI, body, unknown="reject")
    return body


# --- Answers -------------------------------------------------------------------------------------


_text = text_of


@dataclass(frozen=True)
class LicenseAnswer:
    """`responreceiveLicense` / `responupdateLicense` on success: OSS's own permit number."""

    nomor_izin: str
    jenis_perizinan: str = ""
    file_lampiran: str = ""
    keterangan_reset_izin_ds: str = ""


def read_license_answer(wrapper: Mapping) -> LicenseAnswer:
    return lift(LicenseAnswer, wrapper)


@dataclass(frozen=True)
class LicenseStatusCheck:
    """`checkLicenseStatus`'s `dataIZIN`: the status OSS holds, looked up in the code table
    (`status.known` is False for a code the guide does not list, such as "58")."""

    id_izin: str
    nib: str
    id_proyek: str
    kd_status: str
    uraian_status: str
    file_lampiran: str
    status: KdStatus


def read_license_status_check(wrapper: Mapping) -> LicenseStatusCheck:
    data = wrapper.get("dataIZIN") if isinstance(wrapper, Mapping) else None
    data = data if isinstance(data, Mapping) else {}
    code = data.get("kd_status")
    return lift(LicenseStatusCheck, data, kd_status=normalise_code(code), status=kd_status(code))


@dataclass(frozen=True)
class BusinessProfile:
    """`inqueryNIB`'s `dataNIB`: what OSS knows of a business (to pre-fill a draft)."""

    nib: str
    oss_id: str
    nama_perseroan: str
    npwp_perseroan: str
    alamat_perseroan: str
    perseroan_daerah_id: str
    skala_usaha: str
    jenis_pelaku_usaha: str
    status_nib: str
    kbli: tuple[str, ...]
    proyek: tuple
    checklist: tuple[ChecklistItem, ...]
    raw: Mapping


def read_business_profile(wrapper: Mapping) -> BusinessProfile | None:
    """None when OSS answered without a business (its "not found" sends ``"dataNIB": []``)."""
    data = wrapper.get("dataNIB") if isinstance(wrapper, Mapping) else None
    if not isinstance(data, Mapping) or not data:
        return None
    try:
        data = validate(DATA_NIB, dict(data), require=False)
    except ProtocolError:
        data = {key: value for key, value in data.items() if not isinstance(value, (dict, list))}
    fields = data_nib_fields(data)
    return BusinessProfile(
        nib=fields["nib"],
        oss_id=fields["oss_id"],
        nama_perseroan=fields["nama_perseroan"],
        npwp_perseroan=fields["npwp_perseroan"],
        alamat_perseroan=fields["alamat_perseroan"],
        perseroan_daerah_id=fields["perseroan_daerah_id"],
        skala_usaha=fields["skala_usaha"],
        jenis_pelaku_usaha=fields["jenis_pelaku_usaha"],
        status_nib=fields["status_nib"],
        kbli=tuple(dict.fromkeys(p.kbli for p in fields["proyek"] if p.kbli)),
        proyek=fields["proyek"],
        checklist=fields["checklist"],
        raw=fields["raw"],
    )


@dataclass(frozen=True)
class LicenseInquiry:
    """`inqueryLicense`'s `dataLicense.data`: an application and its requirement files."""

    id_izin: str
    oss_id: str
    kd_izin: str
    kd_daerah: str
    kewenangan: str
    checklist: tuple[ChecklistItem, ...]
    raw: Mapping


def read_license_inquiry(wrapper: Mapping) -> LicenseInquiry | None:
    data = wrapper.get("data") if isinstance(wrapper, Mapping) else None
    if not isinstance(data, Mapping):
        return None
    items = []
    for item in data.get("data_checklist") or []:
        try:
            items.append(checklist_item(validate(DATA_CHECKLIST, item, require=False)))
        except ProtocolError:
            continue
    return lift(LicenseInquiry, data, checklist=tuple(items), raw=dict(data))


@dataclass(frozen=True)
class Reference:
    """One row of `getDataReferensi`'s `dataReferensi`."""

    kode_referensi: str
    uraian_referensi: str
    keterangan_referensi: str


def read_references(wrapper: Mapping) -> tuple[Reference, ...]:
    rows = wrapper.get("dataReferensi") if isinstance(wrapper, Mapping) else None
    return tuple(
        lift(Reference, row)
        for row in (rows if isinstance(rows, list) else [])
        if isinstance(row, Mapping)
    )


__all__ = [
    "BusinessProfile",
    "DataPnbp",
    "DataTeknis",
    "FinalLicense",
    "LicenseAnswer",
    "LicenseInquiry",
    "LicenseStatus",
    "LicenseStatusCheck",
    "Reference",
    "check_license_status_payload",
    "get_data_referensi_payload",
    "inquery_license_payload",
    "inquery_nib_payload",
    "read_business_profile",
    "read_license_answer",
    "read_license_inquiry",
    "read_license_status_check",
    "read_references",
]
