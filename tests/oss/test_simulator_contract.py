"""The simulator speaks the guide: for each method OSS hosts, plain HTTP (not our client) gets
the guide's wrapper and codes — a missing or wrong user_key, a missing required field, a field
too long, an unknown key, the wrong HTTP verb — and it records every request it received."""

import json
from datetime import datetime, timedelta

import pytest

from oss.protocol.schema import validate
from oss.protocol.specs import METHODS, OSS_HOSTED
from oss.token import OSS_TIMEZONE
from tests.oss.conftest import raw_post


def valid_body(method: str, izin: dict) -> dict:
    now = datetime.now(tz=OSS_TIMEZONE)
    today = now.date()
    final = {
        "nib": izin["nib"],
        "id_proyek": izin["id_proyek"],
        "oss_id": izin["oss_id"],
        "id_izin": izin["id_izin"],
        "kd_izin": izin["kd_izin"],
        "kd_daerah": izin["kd_daerah"],
        "nomor_izin": "503/0001/SIA/DPMPTSP",
        "tgl_terbit_izin": today.isoformat(),
        "tgl_berlaku_izin": (today + timedelta(days=1825)).isoformat(),
        "nama_ttd": "Ir. Andi Pratama",
        "nip_ttd": "197203041998031005",
        "jabatan_ttd": "Kepala DPMPTSP",
        "status_izin": "50",
    }
    return {
        "receiveLicenseStatus": {
            "IZINSTATUS": {
                "nib": izin["nib"],
                "id_produk": "",
                "id_proyek": izin["id_proyek"],
                "oss_id": izin["oss_id"],
                "id_izin": izin["id_izin"],
                "kd_izin": izin["kd_izin"],
                "kd_instansi": "",
                "kd_status": "09",
                "tgl_status": now.strftime("%Y-%m-%d %H:%M:%S"),
                "nip_status": "",
                "nama_status": "Pemohon",
                "keterangan": "Permohonan diajukan",
                "file_lampiran": "",
            }
        },
        "receiveLicense": {"IZINFINAL": {**final, "bln_berlaku_izin": 0, "thn_berlaku_izin": 5}},
        "updateLicense": {"IZINFINAL": {**final, "kewenangan": "02", "thn_berlaku_izin": "5"}},
        "checkLicenseStatus": {"CHECKLICENSESTATUS": {"id_izin": izin["id_izin"]}},
        "inqueryNIB": {"INQUERYNIB": {"nib": izin["nib"]}},
        "inqueryLicense": {
            "INQUERYLICENSE": {"id_izin": izin["id_izin"], "data_persyaratan": True}
        },
        "getDataReferensi": {"GETDATAREFERENSI": {"kode": "10"}},
    }[method]


ROOTS = {
    "receiveLicenseStatus": "responreceiveLicenseStatus",
    "receiveLicense": "responreceiveLicense",
    "updateLicense": "responupdateLicense",
    "checkLicenseStatus": "responcheckLicenseStatus",
    "inqueryNIB": "responinqueryNIB",
    "getDataReferensi": "respongetDataReferensi",
}


def answer_code(method: str, answer: dict) -> tuple[int, str]:
    if method == "inqueryLicense":
        return answer["dataLicense"]["code"], answer["dataLicense"]["message"]
    inner = answer[ROOTS[method]]
    return inner["kode"], inner["keterangan"]


def send(sim, method, body, key="default"):
    """POST as plain HTTP; every answer must have the guide's answer shape for the method."""
    headers = {} if key is None else {"user_key": sim.user_key if key == "default" else key}
    status, answer = raw_post(sim.method_url(method), body, headers)
    spec = METHODS[method]
    assert set(answer) <= set(spec.answer_roots), answer
    validate(spec.answer, next(iter(answer.values())), unknown="reject")
    return status, answer


@pytest.mark.parametrize("method", OSS_HOSTED)
def test_a_valid_call_is_answered_200_kode_200_in_the_methods_wrapper(oss_sim, known_izin, method):
    if method == "updateLicense":  # an update needs the permit first
        send(oss_sim, "receiveLicense", valid_body("receiveLicense", known_izin))
    status, answer = send(oss_sim, method, valid_body(method, known_izin))
    assert status == 200
    assert answer_code(method, answer)[0] == 200
    assert oss_sim.requests(method)[-1].accepted


@pytest.mark.parametrize("method", OSS_HOSTED)
@pytest.mark.parametrize("key", [None, "", "another-regions-key"])
def test_a_missing_or_wrong_user_key_gets_401(oss_sim, known_izin, method, key):
    status, answer = send(oss_sim, method, valid_body(method, known_izin), key=key)
    assert status == 401
    assert answer_code(method, answer) == (401, "User Akses Tidak Valid")
    recorded = oss_sim.requests(method)[-1]
    assert not recorded.accepted
    assert "another-regions-key" not in json.dumps(recorded.to_json())  # recorded masked


REQUIRED = {
    "receiveLicenseStatus": ["nib", "oss_id", "id_izin", "kd_izin", "kd_status", "tgl_status", "nama_status"],
    "receiveLicense": [
        "nib", "id_proyek", "oss_id", "id_izin", "kd_izin", "kd_daerah", "nomor_izin",
        "tgl_terbit_izin", "tgl_berlaku_izin", "nama_ttd", "nip_ttd", "jabatan_ttd", "status_izin",
    ],
    "updateLicense": ["nib", "id_izin", "nomor_izin", "status_izin"],
    "checkLicenseStatus": ["id_izin"],
    "inqueryLicense": ["id_izin"],
    "getDataReferensi": ["kode"],
}  # fmt: skip


@pytest.mark.parametrize(
    ("method", "field"), [(m, f) for m, fields in REQUIRED.items() for f in fields]
)
def test_a_missing_required_field_gets_400_naming_it(oss_sim, known_izin, method, field):
    body = valid_body(method, known_izin)
    root = next(iter(body))
    del body[root][field]
    status, answer = send(oss_sim, method, body)
    assert status == 400
    kode, keterangan = answer_code(method, answer)
    assert kode == 400
    if method == "inqueryLicense":
        assert answer["dataLicense"]["meta"] == [
            {"message": "required", "field": f"{root}.{field}"}
        ]
    else:
        assert f"{root}.{field}: required" in keterangan


LENGTHS = [
    ("receiveLicenseStatus", "nib", "9" * 14),
    ("receiveLicenseStatus", "kd_izin", "0" * 13),
    ("receiveLicenseStatus", "kd_status", "509"),
    ("receiveLicenseStatus", "nama_status", "n" * 51),
    ("receiveLicenseStatus", "nip_status", "1" * 51),
    ("receiveLicenseStatus", "tgl_status", "2024-03-05 10:00"),
    ("receiveLicense", "nomor_izin", "x" * 51),
    ("receiveLicense", "nama_ttd", "x" * 51),
    ("receiveLicense", "nip_ttd", "1" * 26),
    ("receiveLicense", "jabatan_ttd", "x" * 151),
    ("receiveLicense", "kd_daerah", "64740000001"),
    ("receiveLicense", "tgl_terbit_izin", "05/03/2024"),
    ("receiveLicense", "file_izin", "permit.pdf"),
    ("updateLicense", "thn_berlaku_izin", "123456"),
    ("checkLicenseStatus", "id_izin", "I" * 26),
    ("inqueryNIB", "nib", "91201082334"),
    ("getDataReferensi", "kode", "1234"),
]


@pytest.mark.parametrize(("method", "field", "value"), LENGTHS)
def test_a_field_beyond_the_guides_length_or_format_gets_400(
    oss_sim, known_izin, method, field, value
):
    body = valid_body(method, known_izin)
    root = next(iter(body))
    body[root][field] = value
    status, answer = send(oss_sim, method, body)
    assert status == 400
    kode, keterangan = answer_code(method, answer)
    assert kode == 400 and f"{root}.{field}" in keterangan


def test_an_unknown_status_code_and_a_misspelt_key_get_400(oss_sim, known_izin):
    body = valid_body("receiveLicenseStatus", known_izin)
    body["IZINSTATUS"]["kd_status"] = "58"
    status, answer = send(oss_sim, "receiveLicenseStatus", body)
    assert (
        status == 400 and "IZINSTATUS.kd_status" in answer_code("receiveLicenseStatus", answer)[1]
    )
    body = valid_body("receiveLicense", known_izin)
    body["IZINFINAL"]["nomer_izin"] = body["IZINFINAL"].pop("nomor_izin")
    status, answer = send(oss_sim, "receiveLicense", body)
    keterangan = answer_code("receiveLicense", answer)[1]
    assert status == 400
    assert "IZINFINAL.nomer_izin: not a field of the guide" in keterangan
    assert "IZINFINAL.nomor_izin: required" in keterangan


def test_malformed_json_and_non_objects_get_400(oss_sim):
    url = oss_sim.method_url("receiveLicenseStatus")
    for raw in (b"{not json", b"[]", b'"IZINSTATUS"', b""):
        status, answer = raw_post(url, raw, {"user_key": oss_sim.user_key})
        assert status == 400
        assert answer["responreceiveLicenseStatus"]["kode"] == 400


def test_wrong_verb_unknown_method_and_region_hosted_methods(oss_sim):
    status, answer = raw_post(oss_sim.method_url("receiveLicense"), None, method="GET")
    assert status == 405 and answer["responreceiveLicense"]["kode"] == 405
    status, _ = raw_post(oss_sim.method_url("receiveLegalX"), {}, {"user_key": oss_sim.user_key})
    assert status == 404
    status, _ = raw_post(oss_sim.method_url("receiveNIB"), {}, {"user_key": oss_sim.user_key})
    assert status == 404  # OSS calls regions for receiveNIB, it does not host it
    assert [r.http_status for r in oss_sim.requests()] == [405, 404, 404]


def test_a_status_for_an_id_izin_oss_never_issued_gets_kode_400(oss_sim, known_izin):
    body = valid_body("receiveLicenseStatus", known_izin)
    body["IZINSTATUS"]["id_izin"] = "I-209912312359590000000"
    status, answer = send(oss_sim, "receiveLicenseStatus", body)
    assert status == 200
    assert answer["responreceiveLicenseStatus"] == {
        "kode": 400,
        "keterangan": "Data izin tidak ditemukan",
        "dataNIB": {},
    }


def test_check_license_status_answers_from_what_it_received(oss_sim, known_izin):
    check = valid_body("checkLicenseStatus", known_izin)
    _status, answer = send(oss_sim, "checkLicenseStatus", check)
    assert answer["responcheckLicenseStatus"]["dataIZIN"]["kd_status"] == ""
    for code in ("09", "10", "12"):
        body = valid_body("receiveLicenseStatus", known_izin)
        body["IZINSTATUS"]["kd_status"] = code
        send(oss_sim, "receiveLicenseStatus", body)
    _status, answer = send(oss_sim, "checkLicenseStatus", check)
    data = answer["responcheckLicenseStatus"]["dataIZIN"]
    assert (data["kd_status"], data["uraian_status"]) == ("12", "Pemenuhan Komitmen")
    assert data["nib"] == known_izin["nib"] and data["id_izin"] == known_izin["id_izin"]
    send(oss_sim, "receiveLicense", valid_body("receiveLicense", known_izin))
    data = send(oss_sim, "checkLicenseStatus", check)[1]["responcheckLicenseStatus"]["dataIZIN"]
    assert data["kd_status"] == "50"
    assert oss_sim.statuses(known_izin["id_izin"]) == ["09", "10", "12"]
    unknown = {"CHECKLICENSESTATUS": {"id_izin": "I-000"}}
    answer = send(oss_sim, "checkLicenseStatus", unknown)[1]["responcheckLicenseStatus"]
    assert answer["kode"] == 400 and answer["dataIZIN"] == {"id_izin": "I-000"}


def test_receive_license_gives_one_oss_number_per_id_izin(oss_sim, known_izin):
    body = valid_body("receiveLicense", known_izin)
    first = send(oss_sim, "receiveLicense", body)[1]["responreceiveLicense"]
    again = send(oss_sim, "receiveLicense", body)[1]["responreceiveLicense"]
    assert first["kode"] == 200 and first["nomor_izin"]
    assert len(first["nomor_izin"]) <= 30  # String(30) in the guide
    assert again["nomor_izin"] == first["nomor_izin"]
    update = send(oss_sim, "updateLicense", valid_body("updateLicense", known_izin))[1]
    assert update["responupdateLicense"]["nomor_izin"] == first["nomor_izin"]
    assert update["responupdateLicense"]["keterangan_reset_izin_ds"] == "Berhasil Reset DS"


def test_update_license_before_receive_license_gets_kode_400(oss_sim, known_izin):
    answer = send(oss_sim, "updateLicense", valid_body("updateLicense", known_izin))[1]
    assert answer["responupdateLicense"]["kode"] == 400


def test_inquery_nib_by_nib_by_nib_and_oss_id_and_by_npwp(oss_sim, known_izin):
    nib, oss_id, npwp = known_izin["nib"], known_izin["oss_id"], known_izin["npwp"]
    for inner in ({"nib": nib}, {"nib": nib, "oss_id": oss_id}, {"npwp": npwp}):
        answer = send(oss_sim, "inqueryNIB", {"INQUERYNIB": inner})[1]["responinqueryNIB"]
        assert answer["kode"] == 200 and answer["dataNIB"]["nib"] == nib
    for inner in ({"nib": "9999999999999"}, {"nib": nib, "oss_id": "P02-other"}):
        answer = send(oss_sim, "inqueryNIB", {"INQUERYNIB": inner})[1]["responinqueryNIB"]
        assert answer == {"kode": 400, "keterangan": "Data NIB tidak ditemukan", "dataNIB": []}
    status, answer = send(oss_sim, "inqueryNIB", {"INQUERYNIB": {"oss_id": oss_id}})
    assert status == 400


def test_inquery_license_lists_the_requirement_files_when_asked(oss_sim, known_izin):
    body = valid_body("inqueryLicense", known_izin)
    data = send(oss_sim, "inqueryLicense", body)[1]["dataLicense"]["data"]
    item = data["data_checklist"][0]
    assert item["id_izin"] == known_izin["id_izin"]
    assert item["data_persyaratan"][0]["file_dokumen"].startswith(oss_sim.base_url + "/_sim/files/")
    body["INQUERYLICENSE"]["data_persyaratan"] = False
    item = send(oss_sim, "inqueryLicense", body)[1]["dataLicense"]["data"]["data_checklist"][0]
    assert "data_persyaratan" not in item
    status, answer = send(oss_sim, "inqueryLicense", {"INQUERYLICENSE": {"id_izin": ""}})
    assert status == 400 and answer["dataLicense"]["success"] is False


def test_get_data_referensi_tables(oss_sim, known_izin):
    rows = send(oss_sim, "getDataReferensi", valid_body("getDataReferensi", known_izin))[1]
    codes = [row["kode_referensi"] for row in rows["respongetDataReferensi"]["dataReferensi"]]
    assert "50" in codes and "91" not in codes
    answer = send(oss_sim, "getDataReferensi", {"GETDATAREFERENSI": {"kode": "99"}})[1]
    assert answer["respongetDataReferensi"]["kode"] == 400


def test_requirement_files_are_served_and_fetches_recorded(oss_sim):
    status, body = raw_post(oss_sim.file_url("denah-lokasi.pdf"), None, method="GET")
    assert status == 200 and body.startswith(b"%PDF-")
    status, _ = raw_post(oss_sim.file_url("tidak-ada.pdf"), None, method="GET")
    assert status == 404
    oss_sim.fail("500", count=1, methods="file")
    status, _ = raw_post(oss_sim.file_url("denah-lokasi.pdf"), None, method="GET")
    assert status == 500
    assert [(r.method, r.http_status) for r in oss_sim.requests("file")] == [
        ("file", 200),
        ("file", 404),
        ("file", 500),
    ]


def test_the_recordings_and_the_controls_over_http(oss_sim, known_izin):
    status, _ = raw_post(oss_sim.base_url + "/_sim/fail", {"mode": "504", "count": 1})
    assert status == 200
    body = valid_body("checkLicenseStatus", known_izin)
    assert send(oss_sim, "checkLicenseStatus", body)[0] == 504
    assert send(oss_sim, "checkLicenseStatus", body)[0] == 200
    raw_post(oss_sim.base_url + "/_sim/fail", {"mode": "500"})  # until reset
    assert send(oss_sim, "checkLicenseStatus", body)[0] == 500
    assert send(oss_sim, "checkLicenseStatus", body)[0] == 500
    raw_post(oss_sim.base_url + "/_sim/reset", {})
    assert send(oss_sim, "checkLicenseStatus", body)[0] == 200
    status, listed = raw_post(
        oss_sim.base_url + "/_sim/requests?method=checkLicenseStatus", None, method="GET"
    )
    assert [(r["http_status"], r["failure"]) for r in listed] == [
        (504, "504"), (200, None), (500, "500"), (500, "500"), (200, None),
    ]  # fmt: skip
    assert listed[1]["body"] == body and listed[1]["accepted"] is True
    assert raw_post(oss_sim.base_url + "/_sim/fail", {"mode": "teapot"})[0] == 400
    raw_post(
        oss_sim.base_url + "/_sim/status", {"id_izin": known_izin["id_izin"], "kd_status": "58"}
    )
    data = send(oss_sim, "checkLicenseStatus", body)[1]["responcheckLicenseStatus"]["dataIZIN"]
    assert data["kd_status"] == "58"
    raw_post(oss_sim.base_url + "/_sim/clear", {})
    assert oss_sim.requests() == []
    status, state = raw_post(oss_sim.base_url + "/_sim/state", None, method="GET")
    assert status == 200 and known_izin["nib"] in state["nibs"]
    status, page = raw_post(oss_sim.base_url + "/_sim/", None, method="GET")
    assert status == 200 and b"OSS simulator" in page and known_izin["id_izin"].encode() in page


def test_registering_a_business_over_http(oss_sim):
    from oss.simulator import sample_data_nib

    data = sample_data_nib(kd_izin=("033000000101",))
    status, answer = raw_post(oss_sim.base_url + "/_sim/nib", {"dataNIB": data})
    assert status == 200 and answer["id_izin"] == [data["data_checklist"][0]["id_izin"]]
    data["nib"] = "123"
    status, answer = raw_post(oss_sim.base_url + "/_sim/nib", {"dataNIB": data})
    assert status == 400 and "dataNIB.nib" in answer["error"]
