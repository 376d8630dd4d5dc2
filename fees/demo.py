"""Demo levies for Kota Bontang (BTG) and Kota Palembang (PLG): a PBG tariff, an advertising
tariff per unit, a fixed tariff, and each region's levy policy. Phase 2 calls `seed_fees()`
from `seed_demo`; it is idempotent (run twice, get the same rows once).

The structure of the PBG tables and their index values follow PP 16/2021 as the national
building system (SIMBG) and public implementations of it apply them (docs/fees.md, Sources).
The regional numbers — SHST, locality index, infrastructure prices, advertising rates, account
codes — are realistic DEMO values, not the regions' regulations: a region replaces them with
its own Perda's lampiran. Every version starts on 1 January of the current year in the
region's own time zone and runs until further notice.
"""

from datetime import date

from agencies.models import Region
from fees.models import LevyPolicy, Tariff
from fees.selectors import region_local_date
from fees.services import levy_policy_create, tariff_create, tariff_version_create

# Pendapatan denda retribusi (demo): each region sets its own from its chart of accounts.
DEMO_INTEREST_ACCOUNT = "4.1.04.16.01.0001"
DEMO_BASIS = "Data demo — ganti dengan Perda PDRD {region} dan lampirannya"

PBG_FUNCTIONS = [
    ("hunian", "Hunian sederhana (luas < 100 m² dan < 2 lantai)", "0.15"),
    ("hunian_tidak_sederhana", "Hunian tidak sederhana", "0.17"),
    ("keagamaan", "Keagamaan", "0"),
    ("usaha", "Usaha", "0.70"),
    ("usaha_umkm", "Usaha mikro, kecil dan menengah (UMKM)", "0.50"),
    ("sosial_budaya", "Sosial dan budaya", "0.30"),
    ("khusus", "Khusus", "1"),
    ("campuran_kecil", "Campuran (luas ≤ 500 m² dan ≤ 2 lantai)", "0.60"),
    ("campuran_besar", "Campuran (luas > 500 m² atau > 2 lantai)", "0.80"),
]
PBG_COMPLEXITIES = [("sederhana", "Sederhana", "1"), ("tidak_sederhana", "Tidak sederhana", "2")]
PBG_PERMANENCES = [("permanen", "Permanen", "2"), ("non_permanen", "Non permanen", "1")]
PBG_OWNERSHIPS = [
    ("negara", "Milik negara", "0"),
    ("perorangan", "Perorangan", "1"),
    ("badan_usaha", "Badan usaha", "1"),
]
PBG_ACTIVITIES = [
    ("baru", "Pembangunan baru", "1"),
    ("rehabilitasi_sedang", "Rehabilitasi/renovasi, kerusakan sedang (0,45 × 0,5)", "0.225"),
    ("rehabilitasi_berat", "Rehabilitasi/renovasi, kerusakan berat (0,65 × 0,5)", "0.325"),
    ("pelestarian_pratama", "Pelestarian pratama", "0.325"),
    ("pelestarian_madya", "Pelestarian madya", "0.225"),
    ("pelestarian_utama", "Pelestarian utama", "0.150"),
]
# Ih by number of floors: 1 … 20 one by one, then 21 floors and more (a demo truncation of the
# table, which goes on floor by floor).
PBG_HEIGHTS = [
    "1", "1.090", "1.120", "1.135", "1.162", "1.197", "1.236", "1.265", "1.299", "1.333",
    "1.364", "1.393", "1.420", "1.445", "1.468", "1.489", "1.508", "1.525", "1.541", "1.556",
]  # fmt: skip
PBG_HEIGHT_TOP = "1.570"
PBG_INFRASTRUCTURE = [
    ("pagar", "Pagar", "m", "15000"),
    ("perkerasan", "Perkerasan (paving, aspal, beton)", "m²", "10000"),
    ("septic_tank", "Septic tank dan sumur resapan", "unit", "100000"),
    ("papan_nama", "Konstruksi reklame/papan nama", "unit", "250000"),
    ("menara_telekomunikasi", "Menara telekomunikasi", "unit", "15000000"),
]


def _rows(rows):
    return [{"key": k, "label": label, "value": v} for k, label, v in rows]


def pbg_definition(*, locality_index: str, shst: int, shst_year: int) -> dict:
    """The demo PBG tables with a region's locality index and SHST."""
    heights = [
        {"floors_from": n, "floors_to": n, "value": value}
        for n, value in enumerate(PBG_HEIGHTS, start=1)
    ]
    heights.append(
        {"floors_from": len(PBG_HEIGHTS) + 1, "floors_to": None, "value": PBG_HEIGHT_TOP}
    )
    return {
        "weights": {"complexity": "0.3", "permanence": "0.2", "height": "0.5"},
        "locality_index": locality_index,
        "shst": shst,
        "shst_year": shst_year,
        "indices": {
            "function": _rows(PBG_FUNCTIONS),
            "complexity": _rows(PBG_COMPLEXITIES),
            "permanence": _rows(PBG_PERMANENCES),
            "ownership": _rows(PBG_OWNERSHIPS),
            "activity": _rows(PBG_ACTIVITIES),
        },
        "heights": heights,
        "infrastructure": [
            {"key": k, "label": label, "unit": unit, "unit_price": price, "index": "1"}
            for k, label, unit, price in PBG_INFRASTRUCTURE
        ],
    }


def advertising_definition(*, rates: dict[str, int]) -> dict:
    """Advertising per unit: width × height × days × the zone's rate per m² per day."""
    labels = {
        "a": "Zona A — jalan arteri/protokol",
        "b": "Zona B — jalan kolektor",
        "c": "Zona C — jalan lokal/lingkungan",
    }
    return {
        "quantity_unit": "m²·hari",
        "factors": [
            {"key": "lebar", "label": "Lebar bidang reklame", "unit": "m"},
            {"key": "tinggi", "label": "Tinggi bidang reklame", "unit": "m"},
            {"key": "hari", "label": "Lama pemasangan", "unit": "hari", "integer_only": True},
        ],
        "rates": [{"key": k, "label": labels[k], "rate": rate} for k, rate in rates.items()],
    }


REGIONS = {
    "BTG": {
        "billing_prefix": "6474",
        "expired_bill_rule": "reassess",
        "pbg": {"locality_index": "0.005", "shst": 7_350_000},
        "advertising_rates": {"a": 2_500, "b": 1_750, "c": 1_000},
        "map_copy": 50_000,
    },
    "PLG": {
        "billing_prefix": "1671",
        "expired_bill_rule": "close",
        "pbg": {"locality_index": "0.004", "shst": 6_150_000},
        "advertising_rates": {"a": 3_000, "b": 2_000, "c": 1_200},
        "map_copy": 40_000,
    },
}

TARIFFS = [
    # code, name, kind, account code (demo)
    ("PBG", "Retribusi Persetujuan Bangunan Gedung", Tariff.Kind.PBG, "4.1.02.03.01.0001"),
    ("REKLAME", "Pajak Reklame (tarif per satuan)", Tariff.Kind.PER_UNIT, "4.1.01.09.01.0001"),
    (
        "CETAK-PETA",
        "Retribusi Penggantian Biaya Cetak Peta",
        Tariff.Kind.FIXED,
        "4.1.02.01.07.0001",
    ),
]


def definition_for(kind: str, spec: dict, year: int) -> dict:
    if kind == Tariff.Kind.PBG:
        return pbg_definition(shst_year=year, **spec["pbg"])
    if kind == Tariff.Kind.PER_UNIT:
        return advertising_definition(rates=spec["advertising_rates"])
    return {"fixed_amount": spec["map_copy"]}


def seed_region_fees(region: Region) -> None:
    spec = REGIONS[region.code]
    today = region_local_date(region)
    start = date(today.year, 1, 1)
    basis = DEMO_BASIS.format(region=region.name)
    if not LevyPolicy.objects.filter(region=region).exists():
        levy_policy_create(
            region=region,
            valid_from=start,
            legal_basis=basis,
            billing_prefix=spec["billing_prefix"],
            payment_due_days=30,
            interest_rate_percent="1",
            interest_max_months=24,
            partial_month_counts_as_full=True,
            payable_days_after_due=90,
            expired_bill_rule=spec["expired_bill_rule"],
            interest_account_code=DEMO_INTEREST_ACCOUNT,
        )
    for code, name, kind, account_code in TARIFFS:
        tariff = Tariff.objects.filter(region=region, code=code).first()
        if tariff is None:
            tariff = tariff_create(
                region=region, code=code, name=name, kind=kind, account_code=account_code
            )
        if not tariff.versions.exists():
            tariff_version_create(
                tariff=tariff,
                valid_from=start,
                legal_basis=basis,
                definition=definition_for(kind, spec, today.year),
            )


def seed_fees() -> None:
    """Demo tariffs and levy policies for every demo region that exists (BTG, PLG)."""
    for region in Region.objects.filter(code__in=REGIONS):
        seed_region_fees(region)


def seed() -> None:
    """The `seed_demo` hook (agencies.management.commands.seed_demo.APP_SEEDERS)."""
    seed_fees()
