"""What OSS pushes to us (`receiveNIB`, `receiveFileDS`) as typed values, and our answers.

Who calls it: the inbound views (phase 2) and the simulator's test receiver. `parse_*` take the
raw body (bytes) or an already decoded value, validate it against the guide (`oss.protocol.specs`)
and return frozen dataclasses; they raise `ProtocolError` (field paths and reasons) and nothing
else, whatever the body holds. They store nothing and send nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from types import MappingProxyType

from oss.codes import TipeDokumen
from oss.protocol.schema import Issue, ProtocolError, validate
from oss.protocol.specs import RECEIVE_FILE_DS, RECEIVE_NIB

#: The largest body `load_json` decodes; the view refuses bigger bodies before reading them.
MAX_BODY_BYTES = 5 * 1024 * 1024


def load_json(raw: bytes | str) -> object:
    """Decode a request body. Raises `ProtocolError` for non-UTF-8, non-JSON or huge bodies."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_BODY_BYTES:
            raise ProtocolError([Issue("", "length", f"body larger than {MAX_BODY_BYTES} bytes")])
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError([Issue("", "format", "body is not UTF-8")]) from None
    try:
        return json.loads(raw)
    except RecursionError:
        raise ProtocolError([Issue("", "format", "JSON nested too deeply")]) from None
    except ValueError as exc:
        raise ProtocolError([Issue("", "format", f"body is not JSON ({exc.msg})")]) from None


def _decoded(body: object) -> object:
    return load_json(body) if isinstance(body, (bytes, str)) else body


def text_of(data: object, key: str) -> str:
    """`data[key]` as text: "" when `data` is not a mapping, or the value is absent, null or
    not a scalar. Never raises."""
    if not isinstance(data, Mapping):
        return ""
    value = data.get(key)
    return "" if value is None or isinstance(value, (dict, list, tuple, Mapping)) else str(value)


_text = text_of


def lift(cls, data: object, **values):
    """An instance of the dataclass `cls` whose fields not given in `values` are the texts of
    the same keys in `data` (the guide's names are the fields' names)."""
    for item in fields(cls):
        if item.name not in values:
            values[item.name] = text_of(data, item.name)
    return cls(**values)


def _date(data: Mapping, key: str) -> date | None:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:  # only in lenient reads of OSS's answers: validated pushes are dates
        return None


def _decimal(data: Mapping, key: str) -> Decimal | None:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:  # pragma: no cover - the spec has checked it
        return None


def _items(data: Mapping, key: str) -> list:
    value = data.get(key) if isinstance(data, Mapping) else None
    return list(value) if isinstance(value, (list, tuple)) else []


@dataclass(frozen=True)
class Persyaratan:
    """A requirement document OSS holds for a checklist item (`data_persyaratan[]`):
    its number and date, and `file_dokumen`, the URL to fetch it from."""

    id_syarat: str
    no_dokumen: str
    tgl_dokumen: date | None
    file_dokumen: str
    keterangan: str


@dataclass(frozen=True)
class ChecklistItem:
    """One permit of the push's checklist (`data_checklist[]`), keyed by OSS's `id_izin`."""

    id_izin: str
    kd_izin: str
    kd_daerah: str
    id_proyek: str
    id_produk: str
    jenis_izin: str
    nama_izin: str
    instansi: str
    kewenangan: str
    flag_checklist: str
    flag_transaksional: str
    flag_perpanjangan: str
    no_izin: str
    tgl_izin: date | None
    file_izin: str
    persyaratan: tuple[Persyaratan, ...]

    @property
    def is_commitment(self) -> bool:
        """`flag_checklist` Y: a commitment the authority must process (Lampiran 28); N, O
        (issued by OSS) and T (copy only) ask nothing of us."""
        return self.flag_checklist == "Y"


@dataclass(frozen=True)
class LokasiProyek:
    """Where a project is (`data_lokasi_proyek[]`): region code, address, coordinates."""

    id_proyek_lokasi: str
    proyek_daerah_id: str
    alamat_usaha: str
    kd_kawasan: str
    koordinat: tuple[str, ...]


@dataclass(frozen=True)
class Proyek:
    """A project of the business (`data_proyek[]`): KBLI, risk level, land and investment."""

    id_proyek: str
    nomor_proyek: str
    kbli: str
    sektor: str
    uraian_usaha: str
    nama_kegiatan: str
    skala_usaha: str
    skala_resiko: str
    luas_tanah: Decimal | None
    satuan_luas_tanah: str
    jumlah_investasi: Decimal | None
    lokasi: tuple[LokasiProyek, ...]


@dataclass(frozen=True)
class PenanggungJawab:
    """A responsible person of the business (`penanggung_jwb[]`). Personal data: never log."""

    nama: str
    jabatan: str
    jns_identitas: str
    no_identitas: str
    npwp: str
    email: str
    no_hp: str
    no_telp: str
    alamat: str
    flag_asing: str
    kebangsaan: str

    def __repr__(self) -> str:  # keep NIK, phone and e-mail out of logs and tracebacks
        return f"PenanggungJawab(nama={self.nama!r}, jabatan={self.jabatan!r})"


@dataclass(frozen=True)
class UserProses:
    """The OSS account that made the push (`*_user_proses`): who may claim the files."""

    jenis_id: str
    no_id: str
    nama: str
    email: str
    hp: str

    def __repr__(self) -> str:
        return f"UserProses(nama={self.nama!r})"


@dataclass(frozen=True)
class ReceiveNIB:
    """A validated `receiveNIB` push: the business, its projects and the checklist.

    `raw` is the whole normalised `dataNIB` (read-only), for the fields not lifted here."""

    nib: str
    oss_id: str
    tipe_dokumen: TipeDokumen
    tgl_terbit_nib: date
    tgl_pengajuan_nib: date | None
    tgl_perubahan_nib: date | None
    status_nib: str
    jenis_pelaku_usaha: str
    npwp_perseroan: str
    nama_perseroan: str
    alamat_perseroan: str
    perseroan_daerah_id: str
    email_perusahaan: str
    nomor_telpon_perseroan: str
    flag_umk: str
    skala_usaha: str
    penanggung_jwb: tuple[PenanggungJawab, ...]
    proyek: tuple[Proyek, ...]
    checklist: tuple[ChecklistItem, ...]
    user_proses: UserProses
    raw: Mapping = field(repr=False, compare=False)

    def checklist_for(self, kd_daerah: str) -> tuple[ChecklistItem, ...]:
        """The items of one region (its 10-digit Kemendagri code)."""
        return tuple(item for item in self.checklist if item.kd_daerah == kd_daerah)


def _persyaratan(data: Mapping) -> Persyaratan:
    return lift(Persyaratan, data, tgl_dokumen=_date(data, "tgl_dokumen"))


def checklist_item(data: Mapping) -> ChecklistItem:
    """A `data_checklist[]` item (already validated) as a `ChecklistItem`."""
    return lift(
        ChecklistItem,
        data,
        tgl_izin=_date(data, "tgl_izin"),
        persyaratan=tuple(_persyaratan(p) for p in _items(data, "data_persyaratan")),
    )


def _lokasi(data: Mapping) -> LokasiProyek:
    points = (_text(point, "lat_lng") for point in _items(data, "data_lokasi_proyek"))
    return lift(LokasiProyek, data, koordinat=tuple(point for point in points if point))


def proyek(data: Mapping) -> Proyek:
    """A `data_proyek[]` item (already validated) as a `Proyek`."""
    return lift(
        Proyek,
        data,
        luas_tanah=_decimal(data, "luas_tanah"),
        jumlah_investasi=_decimal(data, "jumlah_investasi"),
        lokasi=tuple(_lokasi(item) for item in _items(data, "data_lokasi_proyek")),
    )


def penanggung_jawab(data: Mapping) -> PenanggungJawab:
    return PenanggungJawab(
        nama=_text(data, "nama_penanggung_jwb"),
        jabatan=_text(data, "jabatan_penanggung_jwb").strip(),
        jns_identitas=_text(data, "jns_identitas_penanggung_jwb"),
        no_identitas=_text(data, "no_identitas_penanggung_jwb"),
        npwp=_text(data, "npwp_penanggung_jwb"),
        email=_text(data, "email_penanggung_jwb"),
        no_hp=_text(data, "no_hp_penanggung_jwb"),
        no_telp=_text(data, "no_telp_penanggung_jwb"),
        alamat=_text(data, "alamat_penanggung_jwb"),
        flag_asing=_text(data, "flag_asing"),
        kebangsaan=_text(data, "kebangsaan_penanggung_jwb"),
    )


def _freeze(value):
    if isinstance(value, dict):
        return MappingProxyType({key: _freeze(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(item) for item in value)
    return value


def data_nib_fields(data: Mapping) -> dict:
    """The lifted fields of a validated `dataNIB` (shared with `inqueryNIB`'s answer)."""
    return {
        "nib": _text(data, "nib"),
        "oss_id": _text(data, "oss_id"),
        "tgl_pengajuan_nib": _date(data, "tgl_pengajuan_nib"),
        "tgl_perubahan_nib": _date(data, "tgl_perubahan_nib"),
        "status_nib": _text(data, "status_nib"),
        "jenis_pelaku_usaha": _text(data, "jenis_pelaku_usaha"),
        "npwp_perseroan": _text(data, "npwp_perseroan"),
        "nama_perseroan": _text(data, "nama_perseroan"),
        "alamat_perseroan": _text(data, "alamat_perseroan"),
        "perseroan_daerah_id": _text(data, "perseroan_daerah_id"),
        "email_perusahaan": _text(data, "email_perusahaan"),
        "nomor_telpon_perseroan": _text(data, "nomor_telpon_perseroan"),
        "flag_umk": _text(data, "flag_umk"),
        "skala_usaha": _text(data, "skala_usaha"),
        "penanggung_jwb": tuple(penanggung_jawab(p) for p in _items(data, "penanggung_jwb")),
        "proyek": tuple(proyek(p) for p in _items(data, "data_proyek")),
        "checklist": tuple(checklist_item(c) for c in _items(data, "data_checklist")),
        "user_proses": UserProses(
            jenis_id=_text(data, "jenis_id_user_proses"),
            no_id=_text(data, "no_id_user_proses"),
            nama=_text(data, "nama_user_proses"),
            email=_text(data, "email_user_proses"),
            hp=_text(data, "hp_user_proses"),
        ),
        "raw": _freeze(dict(data)),
    }


def parse_receive_nib(body: object) -> ReceiveNIB:
    """Validate a `receiveNIB` body (``{"dataNIB": {...}}``) and lift it into `ReceiveNIB`.

    Who calls it: the `receiveNIB` view (phase 2), after `oss.token.check_token`.
    Raises `ProtocolError` listing every field that breaks the guide (unknown keys are kept)."""
    data = validate(RECEIVE_NIB, _decoded(body))["dataNIB"]
    return ReceiveNIB(
        tipe_dokumen=TipeDokumen(data["tipe_dokumen"]),
        tgl_terbit_nib=date.fromisoformat(data["tgl_terbit_nib"]),
        **data_nib_fields(data),
    )


@dataclass(frozen=True)
class ReceiveFileDS:
    """A `receiveFileDS` push: the URL of the permit file OSS signed for `id_izin`."""

    id_izin: str
    nib: str
    file_izin: str


def parse_receive_file_ds(body: object) -> ReceiveFileDS:
    """Validate a `receiveFileDS` body (``{"receiveFileDS": {...}}``). Raises `ProtocolError`."""
    data = validate(RECEIVE_FILE_DS, _decoded(body))["receiveFileDS"]
    return ReceiveFileDS(id_izin=data["id_izin"], nib=data["nib"], file_izin=data["file_izin"])


def nib_of(body: object) -> str | None:
    """The NIB a push claims (for the token check, before the full validation), or None.

    Reads `dataNIB.nib` or `receiveFileDS.nib` of a decoded body; never raises."""
    if not isinstance(body, dict):
        return None
    for root in ("dataNIB", "receiveFileDS"):
        inner = body.get(root)
        if isinstance(inner, dict) and isinstance(inner.get("nib"), str):
            return inner["nib"]
    return None


def _answer(root: str, ok: bool, keterangan: str) -> dict:
    text = str(keterangan or ("Berhasil menyimpan data" if ok else "Gagal menyimpan data"))
    if len(text) > 255:
        text = text[:254] + "…"
    return {root: {"status": "1" if ok else "2", "keterangan": text}}


def receive_nib_answer(ok: bool, keterangan: str = "") -> dict:
    """Our answer to `receiveNIB`: status "1" stored, "2" not stored, and why (≤ 255 chars)."""
    return _answer("responreceiveNIB", ok, keterangan)


def receive_file_ds_answer(ok: bool, keterangan: str = "") -> dict:
    """Our answer to `receiveFileDS`, in the same shape as `receive_nib_answer`."""
    return _answer("responreceiveFileDS", ok, keterangan)
