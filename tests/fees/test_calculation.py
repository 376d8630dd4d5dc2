"""The formula engine on its own: every step, the rounding rule, and every bad input or
incomplete table refused by name."""

from dataclasses import replace
from decimal import Decimal

import pytest

from fees.calculation import IncompleteTariff, InputError, compute
from tests.fees.specs import BOARD, HOUSE, SHOP_HOUSE, advertising_spec, fixed_spec, pbg_spec


def values(result):
    return {s.key: s.result for s in result.steps}


def test_pbg_steps_of_the_house():
    result = compute(pbg_spec(), HOUSE)
    v = values(result)
    assert v["function"] == Decimal("0.17")
    assert v["height"] == Decimal("1.090")
    assert v["classification"] == Decimal("1.245")
    assert v["integrated"] == Decimal("0.21165")
    assert v["building"] == Decimal("1166720.625")
    assert result.step("building").amount == 1_166_721  # ,625 rounded half up
    assert result.step("infrastructure.0").amount == 600_000
    assert result.total == 1_766_721
    assert [line.amount for line in result.lines] == [1_166_721, 600_000]
    assert sum(line.amount for line in result.lines) == result.total


def test_every_step_shows_its_formula_values_and_labels_in_both_languages():
    data = compute(pbg_spec(), HOUSE).as_dict()
    building = next(s for s in data["steps"] if s["key"] == "building")
    assert building["formula"] == "LLt × Ilo × SHST × It × Ibg"
    assert building["values"] == [
        ["LLt", "150"],
        ["Ilo", "0.005"],
        ["SHST", "7350000"],
        ["It", "0.21165"],
        ["Ibg", "1"],
    ]
    assert building["result"] == "1166720.625" and building["amount"] == "1166721"
    assert building["label"] == {"id": "Retribusi bangunan gedung", "en": "Building levy"}
    shst = next(s for s in data["steps"] if s["key"] == "shst")
    assert shst["label"] == {"id": "SHST tahun 2026", "en": "Standard unit price (SHST) 2026"}
    function = next(s for s in data["steps"] if s["key"] == "function")
    assert function["detail"] == "Hunian tidak sederhana"


def test_pbg_shop_house_with_a_comma_decimal_input():
    spec = pbg_spec(locality_index="0.004", shst=6_150_000)
    result = compute(spec, {**SHOP_HOUSE, "floor_area_m2": "320,0"})
    assert values(result)["integrated"] == Decimal("1.09725")
    assert result.step("building").amount == 8_637_552
    assert result.total == 9_237_552


def test_a_government_building_pays_nothing_and_a_religious_one_neither():
    assert compute(pbg_spec(), {**HOUSE, "ownership": "negara", "infrastructure": []}).total == 0
    assert compute(pbg_spec(), {**HOUSE, "function": "keagamaan", "infrastructure": []}).total == 0


def test_renovation_index_applies_to_building_and_infrastructure():
    result = compute(pbg_spec(), {**HOUSE, "activity": "rehabilitasi_sedang"})
    assert result.step("building").result == Decimal("1166720.625") * Decimal("0.225")
    assert result.step("infrastructure.0").amount == 135_000  # 40 × 1 × 0,225 × 15 000


def test_high_buildings_use_the_open_ended_height_row():
    result = compute(pbg_spec(), {**HOUSE, "floors": 32})
    assert result.step("height").result == Decimal("1.570")
    assert result.step("height").detail == "≥ 21"


def test_advertising_board_per_unit():
    result = compute(advertising_spec(), BOARD)
    v = values(result)
    assert v["units"] == 540
    assert v["rate"] == 2_500
    assert result.total == 1_350_000
    assert result.inputs == {"rate": "a", "quantities": {"lebar": "3", "tinggi": "2", "hari": "90"}}


def test_fixed_tariff():
    result = compute(fixed_spec(), {})
    assert result.total == 50_000 and len(result.lines) == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"floor_area_m2": "-150"}, "floor_area_m2", "Luas lantai harus lebih dari 0."),
        ({"floor_area_m2": "0"}, "floor_area_m2", "Luas lantai harus lebih dari 0."),
        ({"floor_area_m2": "abc"}, "floor_area_m2", "Luas lantai harus berupa angka."),
        ({"floor_area_m2": None}, "floor_area_m2", "Luas lantai harus berupa angka."),
        ({"floors": 0}, "floors", "Jumlah lantai harus lebih dari 0."),
        ({"floors": "2.5"}, "floors", "Jumlah lantai harus bilangan bulat."),
        (
            {"function": "gudang"},
            "function",
            "Tidak ada nilai untuk “gudang” pada indeks fungsi (If) dalam versi tarif ini.",
        ),
        ({"complexity": ""}, "complexity", "Pilih nilai untuk indeks kompleksitas (Ik)."),
        (
            {"infrastructure": [{"item": "kolam", "volume": "3"}]},
            "infrastructure.0.item",
            "Tabel prasarana tidak memiliki item “kolam” dalam versi tarif ini.",
        ),
        (
            {"infrastructure": [{"item": "pagar", "volume": "-3"}]},
            "infrastructure.0.volume",
            "Pagar harus lebih dari 0.",
        ),
    ],
)
def test_bad_pbg_inputs_are_refused_by_name(change, field, message):
    with pytest.raises(InputError) as info:
        compute(pbg_spec(), {**HOUSE, **change})
    assert info.value.errors.keys() == {field}
    assert str(info.value.errors[field]) == message


def test_all_bad_inputs_are_reported_at_once():
    with pytest.raises(InputError) as info:
        compute(pbg_spec(), {"floor_area_m2": "-1", "floors": 0})
    assert {"floor_area_m2", "floors", "function", "ownership", "activity"} <= set(
        info.value.errors
    )


def test_floors_beyond_a_closed_height_table_are_refused():
    spec = pbg_spec()
    closed = replace(spec, heights=tuple(h for h in spec.heights if h.floors_to is not None))
    with pytest.raises(InputError) as info:
        compute(closed, {**HOUSE, "floors": 25})
    assert (
        str(info.value.errors["floors"])
        == "Tabel indeks ketinggian (Ih) tidak memiliki nilai untuk 25 lantai."
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"functions": {}}, "functions"),
        ({"complexities": {}}, "complexities"),
        ({"permanences": {}}, "permanences"),
        ({"ownerships": {}}, "ownerships"),
        ({"activities": {}}, "activities"),
        ({"heights": ()}, "heights"),
        ({"shst": Decimal(0)}, "shst"),
        ({"locality_index": Decimal("0.006")}, "locality_index"),
        ({"weight_height": Decimal("0.6")}, "weights"),
        ({"weight_complexity": None}, "weights"),
    ],
)
def test_an_incomplete_pbg_version_is_refused_before_any_input_is_read(change, field):
    with pytest.raises(IncompleteTariff) as info:
        compute(replace(pbg_spec(), **change), HOUSE)
    assert info.value.field == field and str(info.value)


@pytest.mark.parametrize(
    ("inputs", "field"),
    [
        ({"rate": "d", "quantities": {"lebar": 3, "tinggi": 2, "hari": 90}}, "rate"),
        ({"rate": "a", "quantities": {"lebar": 3, "tinggi": 2}}, "quantities.hari"),
        ({"rate": "a", "quantities": {"lebar": 3, "tinggi": 2, "hari": "90.5"}}, "quantities.hari"),
        ({"rate": "a", "quantities": {"lebar": -3, "tinggi": 2, "hari": 90}}, "quantities.lebar"),
        ({"rate": "a", "quantities": {"lebar": 3, "tinggi": 2, "hari": 9, "x": 1}}, "quantities"),
    ],
)
def test_bad_per_unit_inputs(inputs, field):
    with pytest.raises(InputError) as info:
        compute(advertising_spec(), inputs)
    assert field in info.value.errors


def test_a_per_unit_version_without_rates_or_quantities_is_incomplete():
    with pytest.raises(IncompleteTariff):
        compute(replace(advertising_spec(), rates={}), BOARD)
    with pytest.raises(IncompleteTariff):
        compute(replace(advertising_spec(), factors=()), BOARD)
    with pytest.raises(IncompleteTariff):
        compute(replace(fixed_spec(), amount=None), {})


def test_rounding_half_up_on_each_line():
    # 0,5 m² × 1 day × Rp 1 = 0,50 → 1; 0,49 → 0
    spec = advertising_spec(rates={"a": 1})
    half = {"rate": "a", "quantities": {"lebar": "0.5", "tinggi": "1", "hari": 1}}
    assert compute(spec, half).total == 1
    below = {"rate": "a", "quantities": {"lebar": "0.49", "tinggi": "1", "hari": 1}}
    assert compute(spec, below).total == 0


def test_english_messages_when_english_is_active():
    from django.utils import translation

    with translation.override("en"), pytest.raises(InputError) as info:
        compute(pbg_spec(), {**HOUSE, "floors": 0})
    assert str(info.value.errors["floors"]) == "Number of floors must be more than 0."
