"""The assessment draft: the frozen computation phase 2 stores with the assessment."""

from datetime import timedelta

import pytest

from fees.demo import pbg_definition
from fees.models import Tariff
from fees.selectors import region_local_date
from fees.services import _digest, assessment_draft, tariff_version_supersede
from ptsp.errors import DomainError
from tests.fees.specs import BOARD, HOUSE

pytestmark = pytest.mark.django_db


def test_the_draft_carries_version_inputs_steps_lines_total_and_words(demo_fees):
    btg = demo_fees["BTG"]
    draft = assessment_draft(region=btg, tariff_code="PBG", inputs=HOUSE)
    tariff = Tariff.objects.get(region=btg, code="PBG")
    version = tariff.versions.get()
    assert draft["schema"] == "fees.assessment-draft/1"
    assert draft["tariff"] == {
        "id": tariff.pk,
        "code": "PBG",
        "name": tariff.name,
        "kind": "pbg",
        "account_code": tariff.account_code,
    }
    assert draft["tariff_version"]["id"] == version.pk
    assert draft["tariff_version"]["valid_from"] == version.valid_from.isoformat()
    assert draft["assessed_on"] == region_local_date(btg).isoformat()
    assert draft["inputs"]["floor_area_m2"] == "150" and draft["inputs"]["floors"] == 2
    assert [line["amount"] for line in draft["lines"]] == ["1166721", "600000"]
    assert {line["account_code"] for line in draft["lines"]} == {tariff.account_code}
    assert draft["lines"][0]["label"] == {"id": "Retribusi bangunan gedung", "en": "Building levy"}
    assert draft["total"] == "1766721"
    body = {k: v for k, v in draft.items() if k != "digest"}
    assert draft["digest"] == _digest(body)


def test_the_draft_is_plain_json(demo_fees):
    import json

    draft = assessment_draft(region=demo_fees["PLG"], tariff_code="REKLAME", inputs=BOARD)
    assert json.loads(json.dumps(draft)) == draft


def test_a_later_tariff_change_does_not_change_a_draft_already_made(demo_fees):
    btg = demo_fees["BTG"]
    before = assessment_draft(region=btg, tariff_code="PBG", inputs=HOUSE)
    today = region_local_date(btg)
    tariff = Tariff.objects.get(region=btg, code="PBG")
    tariff_version_supersede(
        tariff=tariff,
        valid_from=today + timedelta(days=1),
        legal_basis="Perda perubahan",
        definition=pbg_definition(locality_index="0.005", shst=9_000_000, shst_year=today.year + 1),
    )
    again_today = assessment_draft(region=btg, tariff_code="PBG", inputs=HOUSE)
    tomorrow = assessment_draft(
        region=btg, tariff_code="PBG", inputs=HOUSE, on=today + timedelta(days=1)
    )
    assert again_today["total"] == before["total"] == "1766721"
    assert again_today["tariff_version"]["id"] == before["tariff_version"]["id"]
    assert tomorrow["tariff_version"]["id"] != before["tariff_version"]["id"]
    # 150 × 0,005 × 9 000 000 × 0,21165 = 1 428 637,5 → 1 428 638, plus the fence's 600 000
    assert tomorrow["total"] == "2028638"
    assert before["digest"] != tomorrow["digest"]


def test_unknown_tariff_and_missing_version_are_refused(demo_fees, btg):
    with pytest.raises(DomainError) as info:
        assessment_draft(region=btg, tariff_code="IMB", inputs=HOUSE)
    assert "IMB" in str(info.value)
    with pytest.raises(DomainError) as info:
        assessment_draft(
            region=btg,
            tariff_code="PBG",
            inputs=HOUSE,
            on=region_local_date(btg).replace(month=1, day=1) - timedelta(days=1),
        )
    assert info.value.code == "no_tariff_version"


def test_bad_inputs_are_refused_with_every_message(demo_fees, btg):
    with pytest.raises(DomainError) as info:
        assessment_draft(
            region=btg, tariff_code="PBG", inputs={**HOUSE, "floors": 0, "function": "x"}
        )
    assert set(info.value.details["errors"]) == {"floors", "function"}
