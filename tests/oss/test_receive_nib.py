"""receiveNIB and receiveFileDS as OSS pushes them: a realistic full push is read into typed
values; every field of the guide is known to the spec; malformed pushes are refused with the
field and the reason; our answers have the guide's shape."""

import copy
import json
from datetime import date
from decimal import Decimal

import pytest

from oss.codes import TipeDokumen
from oss.protocol import (
    ProtocolError,
    load_json,
    nib_of,
    parse_receive_file_ds,
    parse_receive_nib,
    receive_file_ds_answer,
    receive_nib_answer,
)
from oss.protocol.schema import field_paths, validate
from oss.protocol.specs import DATA_NIB, RESPON_RECEIVE_FILE_DS, RESPON_RECEIVE_NIB
from oss.simulator import sample_data_nib


def refused(body) -> dict[str, str]:
    with pytest.raises(ProtocolError) as caught:
        parse_receive_nib(body)
    return {issue.path: issue.reason for issue in caught.value.issues}


def test_a_realistic_full_push_is_read_into_typed_values(full_receive_nib):
    push = parse_receive_nib(full_receive_nib)
    assert push.nib == "9120108233467"
    assert push.tipe_dokumen is TipeDokumen.ORIGINAL  # sent as "tipe_dokumen " (with a space)
    assert push.tgl_terbit_nib == date(2024, 3, 5)
    assert push.nama_perseroan == "PT Bangun Kaltim Sejahtera"
    assert push.npwp_perseroan == "019283746501000"
    assert push.skala_usaha == "03" and push.flag_umk == "N"
    assert [p.nama for p in push.penanggung_jwb] == ["Hendra Wijaya"]
    assert push.penanggung_jwb[0].jabatan == "Direktur Utama"
    assert "6474010101750003" not in repr(push.penanggung_jwb[0])  # no NIK in logs
    project = push.proyek[0]
    assert (project.kbli, project.skala_resiko) == ("41012", "T")
    assert project.luas_tanah == Decimal("1250.50")
    assert project.jumlah_investasi == Decimal("2500000000")
    assert project.lokasi[0].proyek_daerah_id == "6474020005"
    assert project.lokasi[0].koordinat == ("0.1201,117.4772", "0.1203,117.4780")
    pbg, copy_only = push.checklist
    assert (pbg.id_izin, pbg.kd_izin, pbg.kd_daerah) == (
        "I-202403041015220170001",
        "033000000101",
        "6474000000",
    )
    assert pbg.is_commitment and not copy_only.is_commitment
    assert [r.file_dokumen for r in pbg.persyaratan] == [
        "https://oss.example/files/kkpr-0045.pdf",
        "https://oss.example/files/dokumen-teknis-017.pdf",
    ]
    assert pbg.persyaratan[0].tgl_dokumen == date(2024, 2, 20)
    assert push.checklist_for("6474000000") == (pbg,)
    assert push.user_proses.email == "hendra@bangunkaltim.example"
    assert push.raw["legalitas"][0]["nama_notaris"].startswith("Notaris")


def _example_paths(value, prefix=""):
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key.strip()}" if prefix else key.strip()
            yield path
            yield from _example_paths(item, path)
    elif isinstance(value, list):
        for item in value:
            yield from _example_paths(item, prefix + "[]")


def test_the_spec_names_every_field_of_the_guides_example_and_no_others(full_receive_nib):
    example = set(_example_paths(full_receive_nib["dataNIB"]))
    spec = set(field_paths(DATA_NIB))
    assert example - spec == set()
    # the only fields the example lacks are the table's other spellings of two of them
    assert spec - example == {
        "data_proyek[].data_proyek_produk[].nomor_sertifikat_sni",
        "data_proyek[].data_proyek_produk[].masa_berlaku_sertifikat_sni",
        "data_checklist[].data_produk_halal.list_produk[].id_pengajuan_sertifikat_halal",
    }


def test_the_simulators_sample_push_is_valid_and_complete():
    sample = sample_data_nib(files_base_url="http://127.0.0.1:1")
    push = parse_receive_nib({"dataNIB": sample})
    assert len(push.nib) == 13 and push.nib.isdigit()
    assert all(len(item.id_izin) == 23 for item in push.checklist)
    assert push.checklist[0].persyaratan[0].file_dokumen.startswith("http://127.0.0.1:1/_sim/")
    top_level = {path for path in field_paths(DATA_NIB) if "." not in path and "[" not in path}
    assert top_level <= set(sample)


def test_the_body_may_come_as_bytes(full_receive_nib):
    raw = json.dumps(full_receive_nib).encode()
    assert parse_receive_nib(raw).nib == "9120108233467"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "body is not JSON"),
        (b"{not json", "body is not JSON"),
        (b"\xff\xfe{}", "body is not UTF-8"),
        (b"[]", "expected an object, got list"),
        (b'"dataNIB"', "expected an object, got string"),
        (b"null", "expected an object, got null"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused(raw, reason):
    with pytest.raises(ProtocolError) as caught:
        parse_receive_nib(raw)
    assert reason in str(caught.value)


def test_without_datanib_or_with_the_wrong_type(full_receive_nib):
    assert refused({}) == {"dataNIB": "required"}
    assert refused({"dataNIB": []}) != {}  # an empty dataNIB misses its required fields
    assert refused({"dataNIB": "x"}) == {"dataNIB": "expected an object, got string"}
    assert refused({"NIB": full_receive_nib["dataNIB"]}) == {"dataNIB": "required"}


def _with(full, **changes):
    body = copy.deepcopy(full)
    body["dataNIB"].update(changes)
    return body


@pytest.mark.parametrize(
    ("changes", "path", "reason"),
    [
        ({"nib": "912010823346A"}, "dataNIB.nib", "must contain digits only"),
        ({"nib": "912010823346"}, "dataNIB.nib", "must be exactly 13 digits, got 12"),
        ({"nib": ""}, "dataNIB.nib", "required"),
        ({"oss_id": None}, "dataNIB.oss_id", "required"),
        ({"oss_id": "P" * 26}, "dataNIB.oss_id", "too long: 26 characters, at most 25"),
        ({"tgl_terbit_nib": "05-03-2024"}, "dataNIB.tgl_terbit_nib", "expected a date YYYY-MM-DD, got '05-03-2024'"),
        ({"tgl_terbit_nib": "2024-02-30"}, "dataNIB.tgl_terbit_nib", "'2024-02-30' is not a calendar date"),
        ({"nama_perseroan": "x" * 256}, "dataNIB.nama_perseroan", "too long: 256 characters, at most 255"),
        ({"npwp_perseroan": "0192837465010001"}, "dataNIB.npwp_perseroan", "too long: 16 characters, at most 15"),
        ({"penanggung_jwb": "Hendra"}, "dataNIB.penanggung_jwb", "expected a list, got string"),
        ({"data_checklist": {}}, "dataNIB.data_checklist", "expected a list, got object"),
        ({"persen_pmdn": "100,00"}, "dataNIB.persen_pmdn", "expected a number, got '100,00'"),
        ({"flag_perubahan_data_teknis": "X"}, "dataNIB.flag_perubahan_data_teknis", "'X' is not one of N, Y"),
    ],
)  # fmt: skip
def test_a_malformed_field_is_named_with_its_reason(full_receive_nib, changes, path, reason):
    assert refused(_with(full_receive_nib, **changes)) == {path: reason}


def test_tipe_dokumen_must_be_9_5_3_or_4(full_receive_nib):
    for value in ("9", "5", "3", "4"):
        body = _with(full_receive_nib)
        body["dataNIB"]["tipe_dokumen "] = value
        assert parse_receive_nib(body).tipe_dokumen.value == value
    body = _with(full_receive_nib)
    body["dataNIB"]["tipe_dokumen "] = "7"
    assert refused(body) == {"dataNIB.tipe_dokumen": "'7' is not one of 3, 4, 5, 9"}
    body = _with(full_receive_nib)
    del body["dataNIB"]["tipe_dokumen "]
    assert refused(body) == {"dataNIB.tipe_dokumen": "required"}
    body = _with(full_receive_nib)
    body["dataNIB"]["tipe_dokumen"] = body["dataNIB"].pop("tipe_dokumen ")
    assert parse_receive_nib(body).tipe_dokumen is TipeDokumen.ORIGINAL  # the plain spelling too


def test_errors_deep_in_the_checklist_name_the_item_and_the_document(full_receive_nib):
    body = copy.deepcopy(full_receive_nib)
    items = body["dataNIB"]["data_checklist"]
    items[0]["kd_daerah"] = "647400000"
    items[0]["flag_checklist"] = "X"
    items[0]["data_persyaratan"][1]["file_dokumen"] = "file:///etc/passwd"
    items[0]["data_persyaratan"][0]["tgl_dokumen"] = "20240220"
    items[1]["id_izin"] = ""
    items[1]["kewenangan"] = "03"
    body["dataNIB"]["data_proyek"][0]["data_lokasi_proyek"][0]["data_lokasi_proyek"][1][
        "lat_lng"
    ] = "9" * 256
    assert refused(body) == {
        "dataNIB.data_proyek[0].data_lokasi_proyek[0].data_lokasi_proyek[1].lat_lng": (
            "too long: 256 characters, at most 255"
        ),
        "dataNIB.data_checklist[0].kd_daerah": "must be exactly 10 digits, got 9",
        "dataNIB.data_checklist[0].flag_checklist": "'X' is not one of N, O, T, Y",
        "dataNIB.data_checklist[0].data_persyaratan[0].tgl_dokumen": (
            "expected a date YYYY-MM-DD, got '20240220'"
        ),
        "dataNIB.data_checklist[0].data_persyaratan[1].file_dokumen": (
            "expected an absolute http(s) URL"
        ),
        "dataNIB.data_checklist[1].id_izin": "required",
        "dataNIB.data_checklist[1].kewenangan": "'03' is not one of 00, 01, 02",
    }


def test_numbers_as_osss_examples_send_them(full_receive_nib):
    body = copy.deepcopy(full_receive_nib)
    project = body["dataNIB"]["data_proyek"][0]
    project["luas_tanah"] = 1250.5
    project["jumlah_investasi"] = ""
    project["kbli"] = 1111  # a KBLI sent as a number keeps its leading zero
    push = parse_receive_nib(body)
    assert push.proyek[0].luas_tanah == Decimal("1250.5")
    assert push.proyek[0].jumlah_investasi is None
    assert push.proyek[0].kbli == "01111"
    project["luas_tanah"] = "12345678901"
    assert refused(body) == {
        "dataNIB.data_proyek[0].luas_tanah": "too many digits: at most 10 before the point"
    }


def test_nulls_and_unknown_fields_are_accepted(full_receive_nib):
    body = copy.deepcopy(full_receive_nib)
    body["dataNIB"]["email_perusahaan"] = None
    body["dataNIB"]["data_rptka"] = None
    body["dataNIB"]["field_of_a_later_pia"] = {"anything": [1, 2]}
    push = parse_receive_nib(body)
    assert push.email_perusahaan == ""
    assert push.raw["field_of_a_later_pia"]["anything"] == (1, 2)


def test_the_nib_is_read_for_the_token_before_validation():
    assert nib_of({"dataNIB": {"nib": "9120108233467"}}) == "9120108233467"
    assert nib_of({"receiveFileDS": {"nib": "9120108233467"}}) == "9120108233467"
    for body in (None, [], {"dataNIB": []}, {"dataNIB": {"nib": 9120108233467}}, "x"):
        assert nib_of(body) is None


def test_receive_file_ds():
    body = {
        "receiveFileDS": {
            "id_izin": "I-202403041015220170001",
            "nib": "9120108233467",
            "file_izin": "https://oss.go.id/file/download/U202403051200000001",
        }
    }
    push = parse_receive_file_ds(body)
    assert push.id_izin == "I-202403041015220170001"
    assert push.file_izin.endswith("U202403051200000001")
    body["receiveFileDS"]["file_izin"] = "not a url"
    body["receiveFileDS"]["nib"] = "123"
    with pytest.raises(ProtocolError) as caught:
        parse_receive_file_ds(body)
    assert caught.value.paths == ["receiveFileDS.nib", "receiveFileDS.file_izin"]
    with pytest.raises(ProtocolError):
        parse_receive_file_ds({"receiveFileDS": {"id_izin": "I-1", "nib": "9120108233467"}})


def test_our_answers_have_the_guides_shape():
    ok = receive_nib_answer(True)
    assert ok == {"responreceiveNIB": {"status": "1", "keterangan": "Berhasil menyimpan data"}}
    refused_answer = receive_nib_answer(False, "x" * 400)
    assert refused_answer["responreceiveNIB"]["status"] == "2"
    assert len(refused_answer["responreceiveNIB"]["keterangan"]) == 255
    validate(RESPON_RECEIVE_NIB, refused_answer, unknown="reject")
    file_ds = receive_file_ds_answer(False, "Token tidak valid")
    validate(RESPON_RECEIVE_FILE_DS, file_ds, unknown="reject")
    assert file_ds["responreceiveFileDS"] == {"status": "2", "keterangan": "Token tidak valid"}


def test_load_json_refuses_huge_bodies():
    from oss.protocol.inbound import MAX_BODY_BYTES

    with pytest.raises(ProtocolError) as caught:
        load_json(b" " * (MAX_BODY_BYTES + 1))
    assert "larger than" in str(caught.value)
