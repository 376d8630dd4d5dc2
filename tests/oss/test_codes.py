"""The guide's code tables: every status a region reports is known in both languages, and a
code the tables do not list is shown as unknown instead of breaking anything."""

import pytest

from oss.codes import (
    KD_STATUS,
    REGIONAL_KD_STATUS,
    SENDABLE_KD_STATUS,
    TipeDokumen,
    kd_status,
    normalise_code,
    response_meaning,
)

ISSUE_16_CODES = (
    "05", "09", "10", "11", "12", "20", "30", "31", "33",
    "40", "41", "42", "43", "45", "50", "57", "90", "93",
)  # fmt: skip


def test_the_codes_a_region_reports_are_the_issues_list():
    assert REGIONAL_KD_STATUS == ISSUE_16_CODES


@pytest.mark.parametrize("code", ISSUE_16_CODES)
def test_each_regional_code_has_indonesian_and_english_meanings(code):
    row = kd_status(code)
    assert row.known and row.code == code
    assert row.status_id and row.keterangan_id and row.meaning_en
    assert row.label("id").startswith(code + " ") and row.label("en").startswith(code + " ")
    assert code in SENDABLE_KD_STATUS


def test_the_guides_own_words_for_a_few_codes():
    assert kd_status("50").status_id == "Disetujui"
    assert kd_status("41").keterangan_id.startswith("Pemberhentian perhitungan SLA")
    assert "SLA stops" in kd_status("41").meaning_en
    assert kd_status("93").status_id == "Penolakan Persyaratan"
    assert "fiktif positif" in kd_status("57").status_id


def test_the_codes_the_guide_removed_are_known_but_not_sendable():
    for code in ("91", "92"):
        assert kd_status(code).known and kd_status(code).retired
        assert code not in SENDABLE_KD_STATUS


@pytest.mark.parametrize("value", ["58", "99", "", None, "abc", "5 0", 3.5, ["50"], {"x": 1}, True])
def test_an_unknown_code_reads_as_unknown_and_never_raises(value):
    row = kd_status(value)
    assert not row.known
    assert "tidak dikenal" in row.label("id") and "unknown" in row.label("en")


def test_the_guides_example_code_58_is_shown_with_its_number():
    assert kd_status("58").label("id") == "58 (kode tidak dikenal)"
    assert kd_status("58").label("en") == "58 (unknown code)"


def test_codes_sent_as_numbers_or_with_spaces_are_read_as_text():
    assert normalise_code(5) == "05" and kd_status(5).code == "05"
    assert kd_status(50).code == "50"
    assert kd_status(" 45 ").code == "45"


def test_answer_codes_and_document_types():
    assert response_meaning(401) == "User Akses Tidak Valid"
    assert response_meaning(504, "en").startswith("OSS timed out")
    assert response_meaning(418) == "(kode tidak dikenal)"
    assert response_meaning(None, "en") == "(unknown code)"
    assert [t.value for t in TipeDokumen] == ["9", "5", "3", "4"]
    assert len(KD_STATUS) == len(set(KD_STATUS))
