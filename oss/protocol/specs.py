"""The guide's messages, field by field (PIA 4.3.19/4.3.20, `src/endpoint.js`).

Each spec transcribes one ``@apiBody`` / ``@apiSuccess`` table: the key, its type and length as
the guide writes them (``string(13)`` → ``Str(13)``, ``number(20.2)`` → ``Num(20, 2)``, a date
column → ``Date()``). Where the guide contradicts itself the choice is marked ``# guide:`` and
listed in docs/oss.md ("Deviations"). `required=True` marks what the guide does not bracket as
optional *and* what the message is meaningless without; everything else may be absent, null or
blank.

`METHODS` names every method with its request spec, the wrapper key(s) of its answer, and who
hosts it. Who uses it: `oss.protocol.inbound` / `outbound`, `oss.client` and the simulator.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from oss.codes import FLAG_CHECKLIST, KEWENANGAN, SENDABLE_KD_STATUS, TIPE_DOKUMEN_MEANING
from oss.protocol.schema import (
    Bool,
    Date,
    DateTime,
    Digits,
    Field,
    Kbli,
    List,
    Num,
    Obj,
    ObjOrList,
    Str,
    Url,
)

YN = ("Y", "N")
_KEWENANGAN = tuple(KEWENANGAN)

# --- receiveNIB (OSS → us): dataNIB ---------------------------------------------------------

PEMEGANG_SAHAM = Obj(
    {
        "jenis_pemegang_saham": Str(2),
        "flag_asing": Str(1),
        "total_modal_pemegang": Num(20),
        "jabatan_pemegang_saham": Str(50),
        "nama_pemegang_saham": Str(500),
        "jns_identitas_pemegang_saham": Str(2),
        "no_identitas_pemegang_saham": Str(100),
        "valid_identitas_pemegang_saham": Date(),
        "negara_asal_pemegang_saham": Str(2),
        "pengendali_pemegang_saham": Str(50),
        "npwp_pemegang_saham": Str(15),
        "alamat_pemegang_saham": Str(1024),
        "fax_pemegang_saham": Str(25),
        "email_pemegang_saham": Str(100),
        "flag_pajak_pemegang_saham": Str(2),
        "ket_pajak_pemegang_saham": Str(255),
    }
)

PENANGGUNG_JWB = Obj(
    {
        "flag_asing": Str(1),
        "jns_identitas_penanggung_jwb": Str(2),
        "no_identitas_penanggung_jwb": Str(100),
        "nama_penanggung_jwb": Str(500),
        "jabatan_penanggung_jwb": Str(250),
        "kebangsaan_penanggung_jwb": Str(2),
        "negara_asal_penanggung_jwb": Str(2),
        "npwp_penanggung_jwb": Str(15),
        "alamat_penanggung_jwb": Str(1024),
        "jalan_penanggung_jwb": Str(50),
        "blok_penanggung_jwb": Str(10),
        "no_penanggung_jwb": Str(10),
        "rt_rw_penanggung_jwb": Str(255),
        "kelurahan_penanggung_jwb": Str(255),
        "daerah_id_penanggung_jwb": Str(10),
        "kode_pos_penanggung_jwb": Str(5),
        "no_telp_penanggung_jwb": Str(50),
        "no_hp_penanggung_jwb": Str(50),
        "no_fax_penanggung_jwb": Str(50),
        "email_penanggung_jwb": Str(100),
        "flag_pajak_penanggung_jwb": Str(2),
        "ket_pajak_penanggung_jwb": Str(255),
    }
)

LEGALITAS = Obj(
    {
        "jenis_legal": Str(2),
        "no_legal": Str(100),
        "tgl_legal": Date(),
        "alamat_notaris": Str(255),
        "nama_notaris": Str(100),
        "telepon_notaris": Str(100),
    }
)

RPTKA_TKI_PENDAMPING = Obj(
    {
        "id_jabatan": Num(10),
        "id_pendamping": Num(10),
        "nama": Str(100),
        "nik": Str(20),
        "jabatan": Str(255),
        "hp": Str(25),
        "email": Str(100),
        "foto": Str(65535),
        "pendidikan_min": Str(50),
        "sertifikat": Str(255),
        "pengalaman_kerja": Num(11),
        "keterangan": Str(255),
    }
)

DATA_RPTKA = Obj(
    {
        "jenis_rptka": Str(2),
        "no_rptka": Str(20),
        "rptka_awal": Date(),
        "rptka_akhir": Date(),
        "rptka_gaji": Num(20, 2),
        "jumlah_tka_rptka": Num(11),
        "jangka_penggunaan_waktu": Date(),
        # guide: number(1) for a number of months; kept as written (docs/oss.md).
        "jangka_waktu_permohonan_rptka": Num(1),
        "rptka_jabatan": List(
            Obj(
                {
                    "id_jabatan": Num(11),
                    "jabatan": Str(255),
                    "jumlah": Num(11),
                    "tgl_mulai": Date(),
                    "tgl_selesai": Date(),
                    "keterangan": Str(255),
                    "rptka_tki_pendamping": List(RPTKA_TKI_PENDAMPING),
                }
            )
        ),
        "rptka_negara": List(Obj({"id_negara": Str(2), "jumlah": Num(11)})),
        "rptka_lokasi": List(Obj({"lokasi_id": Str(10), "jumlah": Num(11)})),
    }
)

DATA_LOKASI_PROYEK = Obj(
    {
        "id_proyek_lokasi": Str(25),
        "proyek_daerah_id": Str(10),
        "kd_kawasan": Str(3),
        "alamat_usaha": Str(65535),
        "id_kegiatan": Str(6),
        "response_kegiatan": Str(255),
        "jenis_kawasan": Str(2),
        "jenis_lokasi": Str(2),
        "status_lokasi": Str(2),
        # the coordinates: the guide nests a second `data_lokasi_proyek` list inside each location
        "data_lokasi_proyek": List(Obj({"serial": Str(11), "lat_lng": Str(255)})),
        "data_posisi_proyek": List(
            Obj(
                {
                    "id_proyek_posisi": Str(25),
                    "id_proyek_lokasi": Str(25),
                    "posisi_lokasi": Str(2),
                }
            )
        ),
    }
)

DATA_PROYEK_PRODUK = Obj(
    {
        "id_produk": Str(25),
        "id_proyek": Str(25),
        "kbli": Kbli(7),
        "id_bidang_usaha": Num(10),
        "jenis_produksi": Str(1024),
        "kapasitas": Num(20, 2),
        "satuan": Str(100),
        "merk_dagang": Str(100),
        "pemegang_haki": Str(100),
        "pemegang_paten": Str(100),
        "pi_nomor": Str(20),
        "pi_tanggal": Date(),
        "pi_npwp": Str(16),
        "id_kbli_ta": Str(9),
        "tkdn": Num(3, 2),
        "flag_memiliki_halal": Str(1),
        "nomor_sertifikat_halal": Str(255),
        "masa_berlaku_sertifikat_halal": Str(10),
        "flag_memiliki_sni": Str(1),
        # guide: the table names `nomor_sertifikat_sni` / `masa_berlaku_sertifikat_sni`, the
        # example `nomor_sni` / `masa_berlaku_sni`; both spellings are read.
        "nomor_sertifikat_sni": Str(255),
        "masa_berlaku_sertifikat_sni": Str(10),
        "nomor_sni": Str(255),
        "masa_berlaku_sni": Str(10),
        "flag_self_declare": Str(1),
        "tipe_cakupan": Str(2),
    }
)

DATA_PROYEK = Obj(
    {
        "id_proyek": Str(25, required=True),
        "nomor_proyek": Str(26),
        "uraian_usaha": Str(255),
        "jumlah_tki_l": Num(10),
        "jumlah_tki_p": Num(10),
        "jumlah_tka_l": Num(10),
        "jumlah_tka_p": Num(10),
        "kbli": Kbli(7),
        "sektor": Str(3),
        "memiliki_menguasai": Str(1),
        "jenis_lokasi": Str(2),
        "status_tanah": Str(2),
        "luas_tanah": Num(10),
        "satuan_luas_tanah": Str(2),
        "pembelian_pematang_tanah": Num(19),
        "bangunan_gedung": Num(19),
        "mesin_peralatan": Num(19),
        "mesin_peralatan_usd": Num(19),
        "investasi_lain": Num(19),
        "sub_jumlah": Num(19),
        "modal_kerja": Num(19),
        "jumlah_investasi": Num(19),
        "tanggal_kurs": Date(),
        "nilai_kurs": Num(19),
        "kd_kawasan": Num(11),
        "jawab_lokasi_b": Str(1),
        "jawab_lokasi_c": Str(1),
        "jawab_lokasi_d": Str(1),
        "jawab_lokasi_e": Str(1),
        "jawab_lokasi_f": Str(1),
        "jawab_lokasi_g": Str(1),
        "flag_perluasan": Str(1),
        "flag_cabang": Str(1),
        "npwp_cabang": Str(15),
        "nama_cabang": Str(255),
        "jenis_identitas_pj": Str(2),
        "no_identitas_pj": Str(16),
        "nama_pj": Str(100),
        "status_proyek": Str(2),
        "jenis_proyek": Str(2),
        "nama_kegiatan": Str(255),
        "flag_merger": Str(1),
        "npwp_perseroan_merger": Str(15),
        "nama_perseroan_merger": Str(255),
        "skala_usaha": Str(10),
        "skala_resiko": Str(5),
        "deskripsi_kegiatan": Str(255),
        "satu_lini": Str(1),
        "data_lokasi_proyek": List(DATA_LOKASI_PROYEK),
        "data_proyek_produk": List(DATA_PROYEK_PRODUK),
    }
)

DATA_PERSYARATAN = Obj(
    {
        "id_syarat": Str(25),
        "no_dokumen": Str(50),
        # guide: typed string(8) with the format YYYY-MM-DD (10 characters); the format wins.
        "tgl_dokumen": Date(),
        "file_dokumen": Url(),
        "keterangan": Str(255),
    }
)

DATA_PRODUK_HALAL = Obj(
    {
        "id_pengajuan_sertifikat_halal": Str(30),
        "uraian_jenis_produk": Str(225),
        "kode_klasifikasi_produk": Str(10),
        "flag_self_declare": Str(1),
        "list_produk": List(
            Obj(
                {
                    "id_cakupan_produk": Num(9),
                    "uraian_produk": Str(65535),
                    "kbli": Kbli(5),
                    "id_proyek": Str(30),
                    "id_produk": Str(30),
                    "id_pengajuan_sertifikat_halal": Str(30),
                    # guide: the example spells it `..._detail`
                    "id_pengajuan_sertifikat_halal_detail": Str(30),
                }
            )
        ),
    }
)

DATA_CHECKLIST = Obj(
    {
        "id_produk": Str(25),
        "id_proyek": Str(25),
        "id_izin": Str(25, required=True),
        "jenis_izin": Str(3),
        "kd_izin": Str(13, required=True),
        "kd_daerah": Digits(10, required=True),
        "nama_izin": Str(255),
        "instansi": Str(100),
        "id_bidang_spesifik": Num(19),
        "bidang_spesifik": Str(65535),
        "id_kewenangan": Num(19),
        "parameter_kewenangan": Str(255),
        "kewenangan": Str(2, choices=_KEWENANGAN),
        "flag_checklist": Str(1, choices=tuple(FLAG_CHECKLIST), required=True),
        "flag_transaksional": Str(1, choices=YN),
        "flag_perpanjangan": Str(1, choices=YN),
        "kbli_konversi": Kbli(5),
        "no_izin": Str(150),
        "tgl_izin": Date(),
        "file_izin": Url(),
        "kd_dokumen": Str(15),
        "nm_dokumen": Str(255),
        "data_persyaratan": List(DATA_PERSYARATAN),
        "data_produk_halal": ObjOrList(DATA_PRODUK_HALAL),
    }
)

DATA_NIB = Obj(
    {
        "nib": Digits(13, required=True),
        "tgl_pengajuan_nib": Date(),
        "tgl_terbit_nib": Date(required=True),
        "tgl_perubahan_nib": Date(),
        "oss_id": Str(25, required=True),
        "id_izin": Str(25),
        "kd_izin": Str(12),
        "kd_daerah": Str(10, digits=True),
        "kewenangan": Str(2, choices=_KEWENANGAN),
        "jenis_pelaku_usaha": Str(2),
        "no_npp": Str(20),
        "no_va": Str(20),
        "no_wlkp": Str(23),
        "flag_perusahaan": Str(1),
        "flag_ekspor": Str(1),
        "flag_impor": Str(1),
        "jenis_api": Str(2),
        "gabung_negara": Str(1),
        "negara_pma_dominan": Str(2),
        "total_pma": Num(20, 2),
        "nilai_pma_dominan": Num(20, 2),
        "nilai_pmdn": Num(20, 2),
        "persen_pma": Num(9, 2),
        "persen_pmdn": Num(9, 2),
        "kd_kawasan": Num(5),
        "jenis_kawasan": Str(2),
        "versi_pia": Str(5),
        "jangka_waktu": Date(),
        "status_badan_hukum": Str(2),
        "status_penanaman_modal": Str(2),
        "npwp_perseroan": Str(15),
        "nama_perseroan": Str(255, required=True),
        "nama_singkatan": Str(255),
        "jenis_perseroan": Str(2),
        "status_perseroan": Str(1),
        "alamat_perseroan": Str(255),
        "rt_rw_perseroan": Str(7),
        "kelurahan_perseroan": Str(50),
        "perseroan_daerah_id": Str(10),
        "kode_pos_perseroan": Str(5),
        "nomor_telpon_perseroan": Str(20),
        "email_perusahaan": Str(100),
        "dalam_bentuk_uang": Num(20),
        "dalam_bentuk_lain": Str(50000),
        "total_modal_dasar": Num(20),
        "total_modal_ditempatkan": Num(20),
        "flag_umk": Str(1),
        "flag_perubahan_data_teknis": Str(1, choices=YN),
        "skala_usaha": Str(10),
        "jenis_perubahan_terakhir": Str(2),
        "pemegang_saham": List(PEMEGANG_SAHAM),
        "penanggung_jwb": List(PENANGGUNG_JWB),
        "no_pengesahan": Str(100),
        "tgl_pengesahan": Date(),
        "no_akta_lama": Str(100),
        "tgl_akta_lama": Date(),
        "no_pengesahan_lama": Str(100),
        "tgl_pengesahan_lama": Date(),
        "legalitas": List(LEGALITAS),
        "data_rptka": DATA_RPTKA,
        "data_proyek": List(DATA_PROYEK),
        "data_dni": List(Obj({"kd_dni": Str(10)})),
        "data_checklist": List(DATA_CHECKLIST),
        "jenis_id_user_proses": Str(2),
        "no_id_user_proses": Str(25),
        "nama_user_proses": Str(100),
        "email_user_proses": Str(50),
        "hp_user_proses": Str(25),
        "alamat_user_proses": Str(255),
        "jns_kelamin_user_proses": Str(1),
        "tempat_lahir_user_proses": Str(100),
        "tgl_lahir_user_proses": Date(),
        "daerah_id_user_proses": Str(10),
        "rt_rw_user_proses": Str(10),
        "agama_user_proses": Str(50),
        "status_perkawinan_user_proses": Str(50),
        "pekerjaan_user_proses": Str(50),
        "status_nib": Str(2),
        "tipe_dokumen": Str(1, choices=tuple(TIPE_DOKUMEN_MEANING), required=True),
    },
    # guide: every example (and the table) spells the key "tipe_dokumen " with a space.
    aliases={"tipe_dokumen ": "tipe_dokumen"},
)

RECEIVE_NIB = Obj({"dataNIB": Obj(DATA_NIB.fields, aliases=DATA_NIB.aliases, required=True)})

# --- receiveFileDS (OSS → us) ------------------------------------------------------------------

RECEIVE_FILE_DS = Obj(
    {
        "receiveFileDS": Obj(
            {
                # guide: typed string(3), a typo for the 25 of id_izin everywhere else.
                "id_izin": Str(25, required=True),
                "nib": Digits(13, required=True),
                "file_izin": Url(required=True),
            },
            required=True,
        )
    }
)

# Our answers to OSS's pushes: {"responreceiveNIB": {"status": "1"|"2", "keterangan": ...}}.
PUSH_ANSWER = Obj(
    {
        "status": Str(1, choices=("1", "2"), required=True),
        "keterangan": Str(255),
    }
)
RESPON_RECEIVE_NIB = Obj({"responreceiveNIB": Obj(PUSH_ANSWER.fields, required=True)})
RESPON_RECEIVE_FILE_DS = Obj({"responreceiveFileDS": Obj(PUSH_ANSWER.fields, required=True)})

# --- receiveLicenseStatus (us → OSS): IZINSTATUS ----------------------------------------------

DATA_PNBP = Obj(
    {
        "kd_akun": Str(20),
        "kd_penerimaan": Str(20),
        "kd_billing": Str(50),
        "tgl_billing": Date(),
        "tgl_expire": Date(),
        "nominal": Num(20, 0),
        "url_dokumen": Url(255),
    }
)

IZINSTATUS = Obj(
    {
        "nib": Digits(13, required=True),
        "id_produk": Str(25),
        "id_proyek": Str(25),
        "oss_id": Str(25, required=True),
        "id_izin": Str(25, required=True),
        "kd_izin": Str(12, required=True),
        "kd_instansi": Str(3),
        "kd_status": Str(2, choices=SENDABLE_KD_STATUS, required=True),
        # guide: typed String(18) for a "YYYY-MM-DD HH:II:SS" value of 19 characters.
        "tgl_status": DateTime(required=True),
        "nip_status": Str(50),
        "nama_status": Str(50, required=True),
        "keterangan": Str(65535),
        "persetujuan_form": Bool(),
        "file_lampiran": Str(65535),
        "data_pnbp": DATA_PNBP,
    }
)
RECEIVE_LICENSE_STATUS = Obj({"IZINSTATUS": Obj(IZINSTATUS.fields, required=True)})

# --- receiveLicense (us → OSS): IZINFINAL ------------------------------------------------------

DATA_TEKNIS = Obj(
    {
        "id_komitmen": Str(25),
        "luas_bangunan_disetujui": Str(25),
        "jumlah_lantai_disetujui": Str(2),
        "tinggi_bangunan_disetujui": Str(5),
        "luas_basement_disetujui": Str(25),
        "jumlah_lantai_basement_disetujui": Str(25),
    }
)

_IZINFINAL_COMMON: dict[str, Field] = {
    "nib": Digits(13, required=True),
    "id_proyek": Str(25, required=True),
    "oss_id": Str(25, required=True),
    "id_izin": Str(25, required=True),
    "kd_izin": Str(12, required=True),
    "kd_daerah": Digits(10, required=True),
    "nomor_izin": Str(50, required=True),
    "tgl_terbit_izin": Date(required=True),
    "tgl_berlaku_izin": Date(required=True),
    "nama_ttd": Str(50, required=True),
    "nip_ttd": Str(25, required=True),
    "jabatan_ttd": Str(150, required=True),
    "status_izin": Str(2, choices=SENDABLE_KD_STATUS, required=True),
    "file_izin": Url(),
    "keterangan": Str(65535),
    "file_lampiran": Str(65535),
    "nomenklatur_nomor_izin": Str(255),
}

IZINFINAL = Obj(
    {
        **_IZINFINAL_COMMON,
        "bln_berlaku_izin": Num(5),
        "thn_berlaku_izin": Num(5),
        "jenis_perizinan": Str(3),
        "data_teknis": DATA_TEKNIS,
    }
)
RECEIVE_LICENSE = Obj({"IZINFINAL": Obj(IZINFINAL.fields, required=True)})

# updateLicense: the same IZINFINAL with `kewenangan`, validity as string(5), no data_teknis.
IZINFINAL_UPDATE = Obj(
    {
        **_IZINFINAL_COMMON,
        "kewenangan": Str(2, choices=_KEWENANGAN),
        "bln_berlaku_izin": Str(5, digits=True),
        "thn_berlaku_izin": Str(5, digits=True),
    }
)
UPDATE_LICENSE = Obj({"IZINFINAL": Obj(IZINFINAL_UPDATE.fields, required=True)})

# --- checkLicenseStatus, inqueryNIB, inqueryLicense, getDataReferensi (us → OSS) --------------

CHECK_LICENSE_STATUS = Obj(
    {
        # guide: typed string(13); an id_izin is string(25) everywhere else.
        "CHECKLICENSESTATUS": Obj({"id_izin": Str(25, required=True)}, required=True)
    }
)


def _nib_or_npwp(cleaned: dict, path: str, add) -> None:
    if not cleaned.get("nib") and not cleaned.get("npwp"):
        add(f"{path}.nib", "rule", "give nib, nib and oss_id, or npwp")
    if cleaned.get("oss_id") and not cleaned.get("nib"):
        add(f"{path}.oss_id", "rule", "oss_id is asked together with nib")


INQUERY_NIB = Obj(
    {
        "INQUERYNIB": Obj(
            {
                "nib": Digits(13),
                "oss_id": Str(25),
                "npwp": Str(16, digits=True),
            },
            check=_nib_or_npwp,
            required=True,
        )
    }
)

INQUERY_LICENSE = Obj(
    {
        "INQUERYLICENSE": Obj(
            {
                "id_izin": Str(30, required=True),
                # guide: typed string, the example sends a bare TRUE; a boolean is sent.
                "data_persyaratan": Bool(),
            },
            required=True,
        )
    }
)

GET_DATA_REFERENSI = Obj({"GETDATAREFERENSI": Obj({"kode": Str(3, required=True)}, required=True)})

# --- Answers from OSS (read with unknown keys ignored and `require=False`) ----------------------

DATA_IZIN = Obj(
    {
        "nib": Str(13),
        "id_proyek": Str(25),
        "id_izin": Str(25),
        "kd_status": Str(20),  # an unknown code must still be readable
        "uraian_status": Str(255),
        "file_lampiran": Str(65535),
    }
)


def _answer(fields: dict[str, Field]) -> Obj:
    # guide: `kode` is typed String(3) for some methods and Number(3) for others, and the
    # examples send numbers: either is read.
    return Obj({"kode": Num(3, required=True), "keterangan": Str(255), **fields})


ANSWER_RECEIVE_LICENSE_STATUS = _answer({"dataNIB": Obj({})})
ANSWER_RECEIVE_LICENSE = _answer(
    {"nomor_izin": Str(30), "jenis_perizinan": Str(3), "file_lampiran": Str(65535)}
)
ANSWER_UPDATE_LICENSE = _answer(
    {"keterangan_reset_izin_ds": Str(255), "nomor_izin": Str(30)}  # guide: String(20) here
)
ANSWER_CHECK_LICENSE_STATUS = _answer({"dataIZIN": DATA_IZIN})


def _optional(spec: Field) -> Field:
    """A copy of `spec` in which nothing is required (for what OSS answers)."""
    clone = copy.copy(spec)
    clone.required = False
    if isinstance(clone, Obj):
        clone.fields = {key: _optional(child) for key, child in clone.fields.items()}
    elif isinstance(clone, (List, ObjOrList)):
        clone.item = _optional(clone.item)
    return clone


# found: dataNIB is the business; not found: the guide's example sends "dataNIB": []
ANSWER_INQUERY_NIB = _answer({"dataNIB": _optional(DATA_NIB)})
# inqueryLicense's data_proyek: these fields of a project only
LICENSE_PROYEK_FIELDS = (
    "id_proyek", "nomor_proyek", "uraian_usaha", "jumlah_tki_l", "jumlah_tki_p", "jumlah_tka_l",
    "jumlah_tka_p", "kbli", "sektor", "memiliki_menguasai", "jenis_lokasi", "status_tanah",
    "luas_tanah", "satuan_luas_tanah",
)  # fmt: skip
ANSWER_INQUERY_LICENSE = Obj(
    {
        "success": Bool(),
        "code": Num(3, required=True),
        "message": Str(100),
        "data": Obj(
            {
                "oss_id": Str(25),
                "id_izin": Str(25),
                "kd_izin": Str(12),
                "kd_daerah": Str(10),
                "kewenangan": Str(2),
                "data_proyek": List(
                    Obj({key: DATA_PROYEK.fields[key] for key in LICENSE_PROYEK_FIELDS})
                ),
                "data_checklist": List(DATA_CHECKLIST),
            }
        ),
        "meta": List(Obj({"message": Str(255), "field": Str(255)})),
    }
)
ANSWER_GET_DATA_REFERENSI = _answer(
    {
        "dataReferensi": List(
            Obj(
                {
                    "kode_referensi": Str(25),
                    "uraian_referensi": Str(65535),
                    "keterangan_referensi": Str(255),
                }
            )
        )
    }
)


@dataclass(frozen=True)
class MethodSpec:
    """One method of the guide.

    `request_root` / `request` — the body's wrapper key and spec. `answer_roots` — the wrapper
    key(s) of its answer, first the one the simulator writes (the guide spells some two ways).
    `kode_key` / `keterangan_key` — where the answer code and message sit in that wrapper.
    `hosted_by` — "oss" (we call it) or "region" (OSS calls us). `answer` — the spec of the
    answer wrapper's content."""

    name: str
    request_root: str
    request: Obj
    answer_roots: tuple[str, ...]
    hosted_by: str
    answer: Obj
    kode_key: str = "kode"
    keterangan_key: str = "keterangan"


METHODS: dict[str, MethodSpec] = {
    spec.name: spec
    for spec in (
        MethodSpec(
            "receiveNIB",
            "dataNIB",
            RECEIVE_NIB,
            ("responreceiveNIB",),
            "region",
            PUSH_ANSWER,
            kode_key="status",
        ),
        MethodSpec(
            "receiveFileDS",
            "receiveFileDS",
            RECEIVE_FILE_DS,
            ("responreceiveFileDS",),
            "region",
            PUSH_ANSWER,
            kode_key="status",
        ),
        MethodSpec(
            "receiveLicenseStatus",
            "IZINSTATUS",
            RECEIVE_LICENSE_STATUS,
            ("responreceiveLicenseStatus",),
            "oss",
            ANSWER_RECEIVE_LICENSE_STATUS,
        ),
        MethodSpec(
            "receiveLicense",
            "IZINFINAL",
            RECEIVE_LICENSE,
            ("responreceiveLicense",),
            "oss",
            ANSWER_RECEIVE_LICENSE,
        ),
        MethodSpec(
            "updateLicense",
            "IZINFINAL",
            UPDATE_LICENSE,
            ("responupdateLicense",),
            "oss",
            ANSWER_UPDATE_LICENSE,
        ),
        MethodSpec(
            "checkLicenseStatus",
            "CHECKLICENSESTATUS",
            CHECK_LICENSE_STATUS,
            # guide: the table says responcheckLicenseStatus, the examples
            # responcheckStatusLicense and responsecheckStatusLicense.
            (
                "responcheckLicenseStatus",
                "responcheckStatusLicense",
                "responsecheckStatusLicense",
            ),
            "oss",
            ANSWER_CHECK_LICENSE_STATUS,
        ),
        MethodSpec(
            "inqueryNIB",
            "INQUERYNIB",
            INQUERY_NIB,
            ("responinqueryNIB",),
            "oss",
            ANSWER_INQUERY_NIB,
        ),
        MethodSpec(
            "inqueryLicense",
            "INQUERYLICENSE",
            INQUERY_LICENSE,
            ("dataLicense",),
            "oss",
            ANSWER_INQUERY_LICENSE,
            kode_key="code",
            keterangan_key="message",
        ),
        MethodSpec(
            "getDataReferensi",
            "GETDATAREFERENSI",
            GET_DATA_REFERENSI,
            ("respongetDataReferensi",),
            "oss",
            ANSWER_GET_DATA_REFERENSI,
        ),
    )
}

#: The methods OSS hosts (the client calls them, the simulator serves them).
OSS_HOSTED = tuple(name for name, spec in METHODS.items() if spec.hosted_by == "oss")
