"""The validator behind every OSS message: precise field paths and reasons, the guide's types
and lengths, and never anything but `ProtocolError` whatever the body holds."""

import contextlib
import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oss.protocol import ProtocolError, parse_receive_nib, validate
from oss.protocol.schema import (
    MAX_ISSUES,
    Bool,
    Date,
    DateTime,
    Digits,
    Kbli,
    List,
    Num,
    Obj,
    ObjOrList,
    Str,
    Url,
)
from oss.protocol.specs import METHODS, RECEIVE_NIB


def issues(spec, body, **kwargs) -> dict[str, str]:
    with pytest.raises(ProtocolError) as caught:
        validate(spec, body, **kwargs)
    return {issue.path: issue.reason for issue in caught.value.issues}


SPEC = Obj(
    {
        "kode": Digits(13, required=True),
        "nama": Str(5),
        "pilihan": Str(1, choices=("Y", "N")),
        "tanggal": Date(),
        "waktu": DateTime(),
        "angka": Num(5, 2),
        "bulat": Num(3),
        "tautan": Url(),
        "benar": Bool(),
        "kbli": Kbli(),
        "daftar": List(Obj({"isi": Str(3, required=True)})),
        "salah_satu": ObjOrList(Obj({"isi": Str(3)})),
    }
)


def test_required_means_present_not_null_and_not_blank():
    for body in ({}, {"kode": None}, {"kode": ""}, {"kode": "   "}):
        assert issues(SPEC, body) == {"kode": "required"}


def test_text_lengths_count_characters_and_integers_are_read_as_digits():
    assert validate(SPEC, {"kode": "9120108233467", "nama": "Ñandú"})["nama"] == "Ñandú"
    assert issues(SPEC, {"kode": "9120108233467", "nama": "abcdef"}) == {
        "nama": "too long: 6 characters, at most 5"
    }
    assert validate(SPEC, {"kode": 9120108233467})["kode"] == "9120108233467"


def test_digit_fields_refuse_letters_other_lengths_and_non_ascii_digits():
    assert issues(SPEC, {"kode": "912010823346A"}) == {"kode": "must contain digits only"}
    assert issues(SPEC, {"kode": "912010823346"}) == {"kode": "must be exactly 13 digits, got 12"}
    assert issues(SPEC, {"kode": "٩١٢٠١٠٨٢٣٣٤٦٧"})["kode"] == "must contain digits only"


@pytest.mark.parametrize("value", [True, 1.5, [], {}, ["9120108233467"]])
def test_a_wrong_type_is_reported_not_raised(value):
    assert "expected text" in issues(SPEC, {"kode": value})["kode"]


def test_choices_dates_and_times():
    base = {"kode": "9120108233467"}
    assert issues(SPEC, {**base, "pilihan": "X"}) == {"pilihan": "'X' is not one of N, Y"}
    assert validate(SPEC, {**base, "tanggal": "2024-02-29"})["tanggal"] == "2024-02-29"
    assert "not a calendar date" in issues(SPEC, {**base, "tanggal": "2023-02-29"})["tanggal"]
    assert "YYYY-MM-DD" in issues(SPEC, {**base, "tanggal": "29-02-2024"})["tanggal"]
    assert "YYYY-MM-DD" in issues(SPEC, {**base, "tanggal": "2024-2-9"})["tanggal"]
    assert validate(SPEC, {**base, "waktu": "2024-03-05 23:59:59"})["waktu"]
    assert "not a valid" in issues(SPEC, {**base, "waktu": "2024-03-05 24:00:00"})["waktu"]
    assert "HH:MM:SS" in issues(SPEC, {**base, "waktu": "2024-03-05T10:00:00"})["waktu"]


def test_numbers_take_json_numbers_and_numeric_strings_within_the_guides_digits():
    base = {"kode": "9120108233467"}
    for value in (12345, "12345", "123.45", 0.5, "-12.5", " 42 "):
        validate(SPEC, {**base, "angka": value})
    assert "before the point" in issues(SPEC, {**base, "angka": 123456})["angka"]
    assert "decimals" in issues(SPEC, {**base, "angka": "1.234"})["angka"]
    assert "expected a number" in issues(SPEC, {**base, "angka": "12,5"})["angka"]
    assert "expected a number" in issues(SPEC, {**base, "angka": "1e3"})["angka"]
    assert "expected a number" in issues(SPEC, {**base, "angka": float("nan")})["angka"]
    assert "expected a number" in issues(SPEC, {**base, "angka": True})["angka"]
    assert "before the point" in issues(SPEC, {**base, "bulat": 1e20})["bulat"]


def test_urls_must_be_absolute_http_or_https():
    base = {"kode": "9120108233467"}
    assert validate(SPEC, {**base, "tautan": "https://oss.go.id/f/a.pdf?x=1"})
    for bad in (
        "javascript:alert(1)",
        "ftp://host/f.pdf",
        "/relative.pdf",
        "https://",
        "http://a b/",
    ):
        assert issues(SPEC, {**base, "tautan": bad}) == {
            "tautan": "expected an absolute http(s) URL"
        }


def test_kbli_sent_as_a_number_keeps_its_leading_zero():
    assert validate(SPEC, {"kode": "9120108233467", "kbli": 1111})["kbli"] == "01111"
    assert validate(SPEC, {"kode": "9120108233467", "kbli": "47726"})["kbli"] == "47726"


def test_booleans_are_json_booleans():
    base = {"kode": "9120108233467"}
    assert validate(SPEC, {**base, "benar": False})["benar"] is False
    assert "true or false" in issues(SPEC, {**base, "benar": "TRUE"})["benar"]


def test_nested_paths_name_the_list_index():
    body = {"kode": "9120108233467", "daftar": [{"isi": "ab"}, {"isi": ""}, {"isi": "abcd"}, "x"]}
    assert issues(SPEC, body) == {
        "daftar[1].isi": "required",
        "daftar[2].isi": "too long: 4 characters, at most 3",
        "daftar[3]": "expected an object, got string",
    }


def test_an_object_or_a_list_where_the_guide_shows_both():
    base = {"kode": "9120108233467"}
    assert validate(SPEC, {**base, "salah_satu": {"isi": "a"}})
    assert validate(SPEC, {**base, "salah_satu": [{"isi": "a"}, {"isi": "b"}]})
    assert "salah_satu[1].isi" in issues(SPEC, {**base, "salah_satu": [{}, {"isi": "abcd"}]})


def test_php_style_empty_objects_and_blank_values_count_as_absent():
    assert validate(Obj({"o": Obj({"a": Str(1)})}), {"o": []}) == {"o": {}}
    assert validate(Obj({"o": Obj({"a": Str(1)})}), {"o": ""}) == {"o": ""}
    assert validate(Obj({"o": Obj({"a": Str(1)})}), {"o": None}) == {"o": None}


def test_unknown_keys_are_kept_or_refused_as_asked():
    body = {"kode": "9120108233467", "baru": {"x": 1}}
    assert validate(SPEC, body)["baru"] == {"x": 1}
    assert issues(SPEC, body, unknown="reject") == {"baru": "not a field of the guide"}


def test_the_body_itself_must_be_an_object():
    for body in (None, [], "x", 3, True):
        assert issues(SPEC, body) == {"": f"expected an object, got {type_name(body)}"}


def type_name(value):
    return {type(None): "null", list: "list", str: "string", int: "number", bool: "boolean"}[
        type(value)
    ]


def test_the_number_of_issues_is_bounded():
    spec = Obj({"items": List(Obj({"a": Str(1, required=True)}))})
    with pytest.raises(ProtocolError) as caught:
        validate(spec, {"items": [{}] * 500})
    assert len(caught.value.issues) == MAX_ISSUES + 1
    assert caught.value.issues[-1].code == "too_many"
    assert len(caught.value.summary()) <= 255


def test_deep_nesting_is_refused_not_crashed():
    deep: object = "x"
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(ProtocolError):
        validate(RECEIVE_NIB, {"dataNIB": {"data_checklist": deep}})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=json_values)
def test_any_json_against_any_method_raises_only_protocol_error(body):
    for spec in METHODS.values():
        try:
            validate(spec.request, body)
            validate(spec.request, {spec.request_root: body})
        except ProtocolError:
            pass


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), replacement=json_values)
def test_a_full_push_with_any_part_replaced_parses_or_raises_protocol_error(
    data, replacement, full_receive_nib_once
):
    body = copy.deepcopy(full_receive_nib_once)
    paths = list(_paths(body))[1:]
    path = data.draw(st.sampled_from(paths))
    target = body
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = replacement
    with contextlib.suppress(ProtocolError):
        parse_receive_nib(body)


@pytest.fixture(scope="module")
def full_receive_nib_once():
    import json
    from pathlib import Path

    return json.loads((Path(__file__).parent / "data" / "receive_nib_full.json").read_text())
