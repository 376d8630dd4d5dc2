"""Realistic OSS data for the simulator, the demo and the tests: businesses, checklists, files.

Who calls it: the simulator (its NIB registry and its pushes), `python -m oss.simulator push-nib`,
and tests. Identifiers have OSS's shapes (a 13-digit NIB, ``I-…`` permit ids of 23 characters,
``P02-…`` OSS ids, 10-digit Kemendagri region codes); the `kd_izin` codes are demo codes, not
OSS's real table (ask `getDataReferensi` kode 8 of the real OSS for those). Dates are computed from
the clock, never typed.
"""

from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta

from oss.token import OSS_TIMEZONE

#: The demo regions' Kemendagri codes: Kota Bontang (64.74) and Kota Palembang (16.71).
KD_DAERAH_BONTANG = "6474000000"
KD_DAERAH_PALEMBANG = "1671000000"

#: Demo permit codes (kd_izin) with their names and the agency that holds them.
DEMO_KD_IZIN: dict[str, tuple[str, str]] = {
    "033000000101": ("Persetujuan Bangunan Gedung (PBG)", "Dinas PUPR"),
    "024000000201": ("Surat Izin Apotek (SIA)", "Dinas Kesehatan"),
    "024000000202": ("Surat Izin Praktik Dokter (SIP)", "Dinas Kesehatan"),
    "090000000301": ("Surat Izin Usaha Perdagangan Minuman Beralkohol", "Dinas Perdagangan"),
}

_counter = itertools.count(1)


def _stamp(now: datetime) -> str:
    local = now.astimezone(OSS_TIMEZONE)
    return local.strftime("%Y%m%d%H%M%S") + f"{local.microsecond // 1000:03d}"


def new_ids(now: datetime | None = None) -> dict[str, str]:
    """Fresh OSS-shaped ids: `nib` (13 digits), `oss_id`, `id_proyek`, and an `id_izin` maker."""
    now = now or datetime.now(tz=OSS_TIMEZONE)
    serial = next(_counter)
    stamp = _stamp(now)
    rng = random.Random(f"{stamp}-{serial}")  # noqa: S311 - demo identifiers, not secrets
    return {
        "nib": f"91202{rng.randrange(10**8):08d}",
        "oss_id": f"P02-{stamp}{serial % 10000:04d}",
        "id_proyek": f"R-{stamp}{serial % 10000:04d}",
        "stamp": stamp,
        "serial": f"{serial % 10000:04d}",
    }


def id_izin(stamp: str, index: int) -> str:
    """An ``I-`` permit application id of 23 characters, like OSS's."""
    return f"I-{stamp}{index % 10000:04d}"


def sample_data_nib(
    *,
    nib: str | None = None,
    kd_daerah: str = KD_DAERAH_BONTANG,
    kd_izin: tuple[str, ...] = ("024000000201", "033000000101"),
    files_base_url: str = "",
    tipe_dokumen: str = "9",
    nama_perseroan: str = "PT Apotek Sehat Bontang",
    email: str = "pengurus@apoteksehat.example",
    nik: str = "6474011203880001",
    flag_checklist: str = "Y",
    now: datetime | None = None,
) -> dict:
    """A complete `dataNIB` as OSS pushes it: every field of the guide present, realistic values.

    One business with one responsible person, one project (KBLI 47726, retail pharmacy) located
    in `kd_daerah`, and one checklist item per `kd_izin`, each with two requirement files whose
    `file_dokumen` URLs point at `files_base_url` (the simulator's ``/_sim/files/…``)."""
    now = now or datetime.now(tz=OSS_TIMEZONE)
    local = now.astimezone(OSS_TIMEZONE)
    ids = new_ids(now)
    nib = nib or ids["nib"]
    today = local.date()
    issued = today - timedelta(days=2)
    base = files_base_url.rstrip("/")

    def file_url(name: str) -> str:
        return f"{base}/_sim/files/{name}" if base else ""

    checklist = []
    for index, code in enumerate(kd_izin, start=1):
        name, agency = DEMO_KD_IZIN.get(code, (f"Izin {code}", "Pemerintah Daerah"))
        checklist.append(
            {
                "id_produk": "",
                "id_proyek": ids["id_proyek"],
                "id_izin": id_izin(ids["stamp"], int(ids["serial"]) * 10 + index),
                "jenis_izin": "02",
                "kd_izin": code,
                "kd_daerah": kd_daerah,
                "nama_izin": name,
                "instansi": agency,
                "id_bidang_spesifik": "",
                "bidang_spesifik": "",
                "id_kewenangan": 3,
                "parameter_kewenangan": "Lokasi usaha dalam satu kabupaten/kota",
                "kewenangan": "02",
                "flag_checklist": flag_checklist,
                "flag_transaksional": "N",
                "flag_perpanjangan": "N",
                "kbli_konversi": "",
                "no_izin": "",
                "tgl_izin": "",
                "file_izin": "",
                "kd_dokumen": "",
                "nm_dokumen": "",
                "data_persyaratan": [
                    {
                        "id_syarat": f"S-{index:02d}-001",
                        "no_dokumen": f"DENAH/{issued.year}/{index:03d}",
                        "tgl_dokumen": issued.isoformat(),
                        "file_dokumen": file_url("denah-lokasi.pdf"),
                        "keterangan": "Denah lokasi usaha",
                    },
                    {
                        "id_syarat": f"S-{index:02d}-002",
                        "no_dokumen": f"SP/{issued.year}/{index:03d}",
                        "tgl_dokumen": issued.isoformat(),
                        "file_dokumen": file_url("surat-pernyataan.pdf"),
                        "keterangan": "Surat pernyataan kesanggupan",
                    },
                ],
            }
        )
    return {
        "nib": nib,
        "tgl_pengajuan_nib": (issued - timedelta(days=1)).isoformat(),
        "tgl_terbit_nib": issued.isoformat(),
        "tgl_perubahan_nib": today.isoformat() if tipe_dokumen != "9" else "",
        "oss_id": ids["oss_id"],
        "id_izin": "",
        "kd_izin": "",
        "kd_daerah": kd_daerah,
        "kewenangan": "02",
        "jenis_pelaku_usaha": "01",
        "no_npp": "",
        "no_va": "",
        "no_wlkp": "",
        "flag_perusahaan": "Y",
        "flag_ekspor": "N",
        "flag_impor": "N",
        "jenis_api": "",
        "gabung_negara": "N",
        "negara_pma_dominan": "",
        "total_pma": 0,
        "nilai_pma_dominan": 0,
        "nilai_pmdn": 750000000,
        "persen_pma": 0,
        "persen_pmdn": 100,
        "kd_kawasan": "",
        "jenis_kawasan": "",
        "versi_pia": "4.3",
        "jangka_waktu": "",
        "status_badan_hukum": "01",
        "status_penanaman_modal": "02",
        "npwp_perseroan": "012345678901000",
        "nama_perseroan": nama_perseroan,
        "nama_singkatan": "",
        "jenis_perseroan": "01",
        "status_perseroan": "N",
        "alamat_perseroan": "Jl. Ahmad Yani No. 12",
        "rt_rw_perseroan": "003/002",
        "kelurahan_perseroan": "Api-Api",
        "perseroan_daerah_id": kd_daerah,
        "kode_pos_perseroan": "75311",
        "nomor_telpon_perseroan": "0548-21234",
        "email_perusahaan": email,
        "dalam_bentuk_uang": 750000000,
        "dalam_bentuk_lain": "",
        "total_modal_dasar": 1000000000,
        "total_modal_ditempatkan": 750000000,
        "flag_umk": "Y",
        "flag_perubahan_data_teknis": "N",
        "skala_usaha": "02",
        "jenis_perubahan_terakhir": "",
        "pemegang_saham": [
            {
                "jenis_pemegang_saham": "01",
                "flag_asing": "N",
                "total_modal_pemegang": 750000000,
                "jabatan_pemegang_saham": "Direktur",
                "nama_pemegang_saham": "Siti Rahmawati",
                "jns_identitas_pemegang_saham": "01",
                "no_identitas_pemegang_saham": nik,
                "valid_identitas_pemegang_saham": "",
                "negara_asal_pemegang_saham": "ID",
                "pengendali_pemegang_saham": "",
                "npwp_pemegang_saham": "098765432109000",
                "alamat_pemegang_saham": "Jl. Bhayangkara No. 5, Bontang",
                "fax_pemegang_saham": "",
                "email_pemegang_saham": email,
                "flag_pajak_pemegang_saham": "00",
                "ket_pajak_pemegang_saham": "Valid",
            }
        ],
        "penanggung_jwb": [
            {
                "flag_asing": "N",
                "jns_identitas_penanggung_jwb": "01",
                "no_identitas_penanggung_jwb": nik,
                "nama_penanggung_jwb": "Siti Rahmawati",
                "jabatan_penanggung_jwb": "Direktur",
                "kebangsaan_penanggung_jwb": "01",
                "negara_asal_penanggung_jwb": "ID",
                "npwp_penanggung_jwb": "098765432109000",
                "alamat_penanggung_jwb": "Jl. Bhayangkara No. 5",
                "jalan_penanggung_jwb": "Jl. Bhayangkara",
                "blok_penanggung_jwb": "",
                "no_penanggung_jwb": "5",
                "rt_rw_penanggung_jwb": "001/004",
                "kelurahan_penanggung_jwb": "Bontang Baru",
                "daerah_id_penanggung_jwb": kd_daerah,
                "kode_pos_penanggung_jwb": "75313",
                "no_telp_penanggung_jwb": "",
                "no_hp_penanggung_jwb": "081234567890",
                "no_fax_penanggung_jwb": "",
                "email_penanggung_jwb": email,
                "flag_pajak_penanggung_jwb": "00",
                "ket_pajak_penanggung_jwb": "Valid",
            }
        ],
        "no_pengesahan": f"AHU-00{ids['serial']}.AH.01.01.TAHUN {issued.year}",
        "tgl_pengesahan": issued.isoformat(),
        "no_akta_lama": "",
        "tgl_akta_lama": "",
        "no_pengesahan_lama": "",
        "tgl_pengesahan_lama": "",
        "legalitas": [
            {
                "jenis_legal": "01",
                "no_legal": "12",
                "tgl_legal": issued.isoformat(),
                "alamat_notaris": "Jl. Letjend S. Parman No. 3, Bontang",
                "nama_notaris": "Notaris Budi Santoso, S.H., M.Kn.",
                "telepon_notaris": "0548-22345",
            }
        ],
        "data_rptka": {
            "jenis_rptka": "",
            "no_rptka": "",
            "rptka_awal": "",
            "rptka_akhir": "",
            "rptka_gaji": "",
            "jumlah_tka_rptka": "",
            "jangka_penggunaan_waktu": "",
            "jangka_waktu_permohonan_rptka": "",
            "rptka_jabatan": [],
            "rptka_negara": [],
            "rptka_lokasi": [],
        },
        "data_proyek": [
            {
                "id_proyek": ids["id_proyek"],
                "nomor_proyek": f"{ids['stamp'][:8]}-{ids['serial']}",
                "uraian_usaha": "Perdagangan eceran barang farmasi di apotek",
                "jumlah_tki_l": 2,
                "jumlah_tki_p": 3,
                "jumlah_tka_l": 0,
                "jumlah_tka_p": 0,
                "kbli": "47726",
                "sektor": "024",
                "memiliki_menguasai": "Y",
                "jenis_lokasi": "02",
                "status_tanah": "01",
                "luas_tanah": 150,
                "satuan_luas_tanah": "01",
                "pembelian_pematang_tanah": 0,
                "bangunan_gedung": 350000000,
                "mesin_peralatan": 150000000,
                "mesin_peralatan_usd": 0,
                "investasi_lain": 50000000,
                "sub_jumlah": 550000000,
                "modal_kerja": 200000000,
                "jumlah_investasi": 750000000,
                "tanggal_kurs": "",
                "nilai_kurs": "",
                "kd_kawasan": "",
                "jawab_lokasi_b": "N",
                "jawab_lokasi_c": "N",
                "jawab_lokasi_d": "N",
                "jawab_lokasi_e": "N",
                "jawab_lokasi_f": "N",
                "jawab_lokasi_g": "N",
                "flag_perluasan": "N",
                "flag_cabang": "N",
                "npwp_cabang": "",
                "nama_cabang": "",
                "jenis_identitas_pj": "01",
                "no_identitas_pj": nik,
                "nama_pj": "Siti Rahmawati",
                "status_proyek": "01",
                "jenis_proyek": "01",
                "nama_kegiatan": "Apotek Sehat",
                "flag_merger": "N",
                "npwp_perseroan_merger": "",
                "nama_perseroan_merger": "",
                "skala_usaha": "02",
                "skala_resiko": "MT",
                "deskripsi_kegiatan": "Apotek dengan praktik apoteker",
                "satu_lini": "N",
                "data_lokasi_proyek": [
                    {
                        "id_proyek_lokasi": f"L-{ids['stamp']}{ids['serial']}",
                        "proyek_daerah_id": kd_daerah,
                        "kd_kawasan": "",
                        "alamat_usaha": "Jl. Ahmad Yani No. 12, Api-Api, Bontang Utara",
                        "id_kegiatan": "",
                        "response_kegiatan": "",
                        "jenis_kawasan": "",
                        "jenis_lokasi": "02",
                        "status_lokasi": "01",
                        "data_lokasi_proyek": [
                            {"serial": "1", "lat_lng": "0.1322,117.4985"},
                        ],
                        "data_posisi_proyek": [
                            {
                                "id_proyek_posisi": f"P-{ids['stamp']}{ids['serial']}",
                                "id_proyek_lokasi": f"L-{ids['stamp']}{ids['serial']}",
                                "posisi_lokasi": "01",
                            }
                        ],
                    }
                ],
                "data_proyek_produk": [],
            }
        ],
        "data_dni": [],
        "data_checklist": checklist,
        "jenis_id_user_proses": "01",
        "no_id_user_proses": nik,
        "nama_user_proses": "Siti Rahmawati",
        "email_user_proses": email,
        "hp_user_proses": "081234567890",
        "alamat_user_proses": "Jl. Bhayangkara No. 5, Bontang",
        "jns_kelamin_user_proses": "P",
        "tempat_lahir_user_proses": "Samarinda",
        "tgl_lahir_user_proses": "",
        "daerah_id_user_proses": kd_daerah,
        "rt_rw_user_proses": "001/004",
        "agama_user_proses": "Islam",
        "status_perkawinan_user_proses": "Kawin",
        "pekerjaan_user_proses": "Wiraswasta",
        "status_nib": "01",
        "tipe_dokumen": tipe_dokumen,
    }


def sample_pdf(title: str) -> bytes:
    """A small, valid one-page PDF saying `title` (the simulator's requirement files)."""
    safe = title.replace("\\", "").replace("(", "").replace(")", "")[:80]
    stream = f"BT /F1 14 Tf 72 760 Td (OSS simulator: {safe}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


#: The files the simulator serves from the start (name → (content type, title)).
DEFAULT_FILES: dict[str, str] = {
    "denah-lokasi.pdf": "Denah lokasi usaha",
    "surat-pernyataan.pdf": "Surat pernyataan kesanggupan",
    "ktp-penanggung-jawab.pdf": "KTP penanggung jawab",
}
