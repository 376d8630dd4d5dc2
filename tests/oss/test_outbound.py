"""What we send to OSS: each payload has exactly the guide's keys, OSS's time format and clock,
and a payload that breaks the guide is refused before anything is sent."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from oss.protocol import (
    DataPnbp,
    DataTeknis,
    FinalLicense,
    LicenseStatus,
    ProtocolError,
    check_license_status_payload,
    get_data_referensi_payload,
    inquery_license_payload,
    inquery_nib_payload,
)
from oss.token import OSS_TIMEZONE

IZINSTATUS_KEYS = {
    "nib", "id_produk", "id_proyek", "oss_id", "id_izin", "kd_izin", "kd_instansi", "kd_status",
    "tgl_status", "nip_status", "nama_status", "keterangan", "file_lampiran",
}  # fmt: skip
IZINFINAL_KEYS = {
    "nib", "id_proyek", "oss_id", "id_izin", "kd_izin", "kd_daerah", "nomor_izin",
    "tgl_terbit_izin", "tgl_berlaku_izin", "nama_ttd", "nip_ttd", "jabatan_ttd", "status_izin",
    "file_izin", "keterangan", "file_lampiran", "nomenklatur_nomor_izin", "jenis_perizinan",
}  # fmt: skip


def status(**changes) -> LicenseStatus:
    values = {
        "nib": "9120108233467",
        "oss_id": "P02-202403041015220170042",
        "id_izin": "I-202403041015220170001",
        "kd_izin": "033000000101",
        "kd_status": "10",
        "status_at": datetime.now(tz=UTC),
        "nama_status": "Rudi Hartono",
        "nip_status": "198501012010011001",
        "id_proyek": "R-202403041015220170042",
        **changes,
    }
    return LicenseStatus(**values)


def final_license(**changes) -> FinalLicense:
    today = datetime.now(tz=OSS_TIMEZONE).date()
    values = {
        "nib": "9120108233467",
        "id_proyek": "R-202403041015220170042",
        "oss_id": "P02-202403041015220170042",
        "id_izin": "I-202403041015220170001",
        "kd_izin": "033000000101",
        "kd_daerah": "6474000000",
        "nomor_izin": "503/0042/PBG/DPMPTSP",
        "tgl_terbit_izin": today,
        "tgl_berlaku_izin": today + timedelta(days=5 * 365),
        "nama_ttd": "Ir. Andi Pratama, M.T.",
        "nip_ttd": "197203041998031005",
        "jabatan_ttd": "Kepala Dinas Penanaman Modal dan PTSP Kota Bontang",
        "file_izin": "https://ptsp.bontangkota.example/oss/izin/abc?sig=1",
        **changes,
    }
    return FinalLicense(**values)


def test_a_status_has_exactly_the_guides_keys_and_osss_clock():
    moment = datetime.now(tz=UTC).replace(microsecond=0)
    body = status(status_at=moment).to_payload()
    assert set(body) == {"IZINSTATUS"}
    inner = body["IZINSTATUS"]
    assert set(inner) == IZINSTATUS_KEYS
    assert inner["tgl_status"] == moment.astimezone(OSS_TIMEZONE).strftime("%Y-%m-%d %H:%M:%S")
    assert len(inner["tgl_status"]) == 19


def test_a_status_may_carry_the_fee_and_the_form_flag():
    today = datetime.now(tz=OSS_TIMEZONE).date()
    pnbp = DataPnbp(
        kd_akun="425111",
        kd_billing="820240305000123",
        tgl_billing=today,
        tgl_expire=today + timedelta(days=30),
        nominal=Decimal("1500000"),
        url_dokumen="https://ptsp.example/skrd/1",
    )
    inner = status(kd_status="30", data_pnbp=pnbp, persetujuan_form=True).to_payload()["IZINSTATUS"]
    assert inner["persetujuan_form"] is True
    assert inner["data_pnbp"]["nominal"] == 1500000
    assert inner["data_pnbp"]["tgl_expire"] == (today + timedelta(days=30)).isoformat()


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"kd_status": "58"}, "IZINSTATUS.kd_status"),  # not in the guide's table
        ({"kd_status": "91"}, "IZINSTATUS.kd_status"),  # removed from the table
        ({"nib": "912010823346"}, "IZINSTATUS.nib"),
        ({"nama_status": ""}, "IZINSTATUS.nama_status"),
        ({"nama_status": "x" * 51}, "IZINSTATUS.nama_status"),
        ({"kd_izin": "0330000001011"}, "IZINSTATUS.kd_izin"),  # 13 > the 12 of IZINSTATUS
        ({"kd_instansi": "DPMPTSP"}, "IZINSTATUS.kd_instansi"),
        ({"id_izin": ""}, "IZINSTATUS.id_izin"),
    ],
)
def test_a_status_that_breaks_the_guide_is_refused_before_sending(changes, path):
    with pytest.raises(ProtocolError) as caught:
        status(**changes).to_payload()
    assert caught.value.paths == [path]


def test_a_naive_time_is_refused():
    with pytest.raises(ProtocolError):
        status(status_at=datetime.now(tz=UTC).replace(tzinfo=None)).to_payload()


def test_the_final_license_for_receive_license():
    license = final_license(
        bln_berlaku_izin=0,
        thn_berlaku_izin=5,
        jenis_perizinan="02",
        data_teknis=DataTeknis(
            luas_bangunan_disetujui="540.75",
            jumlah_lantai_disetujui="3",
            tinggi_bangunan_disetujui="14.5",
        ),
    )
    inner = license.to_payload()["IZINFINAL"]
    assert set(inner) == IZINFINAL_KEYS | {"bln_berlaku_izin", "thn_berlaku_izin", "data_teknis"}
    assert inner["status_izin"] == "50"
    assert inner["thn_berlaku_izin"] == 5 and inner["bln_berlaku_izin"] == 0
    assert inner["data_teknis"]["jumlah_lantai_disetujui"] == "3"
    assert set(inner["data_teknis"]) == {
        "id_komitmen", "luas_bangunan_disetujui", "jumlah_lantai_disetujui",
        "tinggi_bangunan_disetujui", "luas_basement_disetujui",
        "jumlah_lantai_basement_disetujui",
    }  # fmt: skip


def test_update_license_has_kewenangan_and_text_validity_but_no_technical_data():
    inner = final_license(thn_berlaku_izin=5).to_update_payload(kewenangan="02")["IZINFINAL"]
    assert inner["kewenangan"] == "02" and inner["thn_berlaku_izin"] == "5"
    assert "data_teknis" not in inner and "jenis_perizinan" not in inner


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"jabatan_ttd": "x" * 151}, "IZINFINAL.jabatan_ttd"),  # 150 since PIA 4.3.7
        ({"nomor_izin": "x" * 51}, "IZINFINAL.nomor_izin"),
        ({"nip_ttd": ""}, "IZINFINAL.nip_ttd"),
        ({"kd_daerah": "64740000"}, "IZINFINAL.kd_daerah"),
        ({"file_izin": "/media/permits/abc.pdf"}, "IZINFINAL.file_izin"),
        ({"data_teknis": DataTeknis(jumlah_lantai_disetujui="100")}, "IZINFINAL.data_teknis.jumlah_lantai_disetujui"),
        ({"bln_berlaku_izin": 123456}, "IZINFINAL.bln_berlaku_izin"),
        ({"tgl_berlaku_izin": None}, "IZINFINAL.tgl_berlaku_izin"),
    ],
)  # fmt: skip
def test_a_license_that_breaks_the_guide_is_refused(changes, path):
    with pytest.raises(ProtocolError) as caught:
        final_license(**changes).to_payload()
    assert caught.value.paths == [path]


def test_the_inquiry_payloads():
    assert check_license_status_payload("I-202403041015220170001") == {
        "CHECKLICENSESTATUS": {"id_izin": "I-202403041015220170001"}
    }
    assert inquery_nib_payload(nib="9120108233467") == {"INQUERYNIB": {"nib": "9120108233467"}}
    assert (
        inquery_nib_payload(nib="9120108233467", oss_id="P02-1")["INQUERYNIB"]["oss_id"] == "P02-1"
    )
    assert inquery_nib_payload(npwp="0192837465010001") == {
        "INQUERYNIB": {"npwp": "0192837465010001"}
    }
    assert inquery_license_payload("I-1") == {
        "INQUERYLICENSE": {"id_izin": "I-1", "data_persyaratan": True}
    }
    assert get_data_referensi_payload(8) == {"GETDATAREFERENSI": {"kode": "8"}}


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"oss_id": "P02-1"}, {"nib": "91201082334"}, {"nib": "912010823346A"}, {"npwp": "01.928"}],
)
def test_an_inquery_nib_without_a_valid_key_is_refused(kwargs):
    with pytest.raises(ProtocolError):
        inquery_nib_payload(**kwargs)


def test_an_empty_id_izin_is_refused():
    for build in (check_license_status_payload, inquery_license_payload):
        with pytest.raises(ProtocolError):
            build("")
    with pytest.raises(ProtocolError):
        get_data_referensi_payload("1234")
