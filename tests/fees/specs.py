"""Specs for the pure engine tests, built from the demo definitions without a database."""

from decimal import Decimal

from fees.calculation import (
    FixedSpec,
    HeightRow,
    InfrastructureRow,
    PbgSpec,
    PerUnitSpec,
    Row,
    UnitFactor,
)
from fees.demo import advertising_definition, pbg_definition


def pbg_spec(locality_index="0.005", shst=7_350_000, shst_year=2026, **overrides) -> PbgSpec:
    d = pbg_definition(locality_index=locality_index, shst=shst, shst_year=shst_year)

    def rows(table):
        return {
            r["key"]: Row(r["key"], r["label"], Decimal(r["value"])) for r in d["indices"][table]
        }

    fields = {
        "label": "Retribusi PBG",
        "functions": rows("function"),
        "complexities": rows("complexity"),
        "permanences": rows("permanence"),
        "ownerships": rows("ownership"),
        "activities": rows("activity"),
        "heights": tuple(
            HeightRow(h["floors_from"], h["floors_to"], Decimal(h["value"])) for h in d["heights"]
        ),
        "infrastructure": {
            i["key"]: InfrastructureRow(
                i["key"], i["label"], i["unit"], Decimal(i["unit_price"]), Decimal(i["index"])
            )
            for i in d["infrastructure"]
        },
        "locality_index": Decimal(locality_index),
        "shst": Decimal(shst),
        "shst_year": shst_year,
    }
    fields.update(overrides)
    return PbgSpec(**fields)


def advertising_spec(rates=None) -> PerUnitSpec:
    d = advertising_definition(rates=rates or {"a": 2_500, "b": 1_750, "c": 1_000})
    return PerUnitSpec(
        label="Pajak Reklame",
        factors=tuple(
            UnitFactor(f["key"], f["label"], f["unit"], f.get("integer_only", False))
            for f in d["factors"]
        ),
        rates={r["key"]: Row(r["key"], r["label"], Decimal(r["rate"])) for r in d["rates"]},
        quantity_unit=d["quantity_unit"],
    )


def fixed_spec(amount=50_000) -> FixedSpec:
    return FixedSpec(label="Retribusi Penggantian Biaya Cetak Peta", amount=Decimal(amount))


HOUSE = {
    "floor_area_m2": "150",
    "floors": 2,
    "function": "hunian_tidak_sederhana",
    "complexity": "sederhana",
    "permanence": "permanen",
    "ownership": "perorangan",
    "activity": "baru",
    "infrastructure": [{"item": "pagar", "volume": "40"}],
}

SHOP_HOUSE = {
    "floor_area_m2": "320",
    "floors": 4,
    "function": "usaha",
    "complexity": "tidak_sederhana",
    "permanence": "permanen",
    "ownership": "badan_usaha",
    "activity": "baru",
    "infrastructure": [{"item": "perkerasan", "volume": "60"}],
}

BOARD = {"rate": "a", "quantities": {"lebar": "3", "tinggi": "2", "hari": 90}}
