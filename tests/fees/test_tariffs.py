"""Tariffs as versioned data on real PostgreSQL: whole versions or nothing, no overlapping
periods (by a clear message and by the database's exclusion constraint), the version valid
on a day in the region's own time zone."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fees.demo import advertising_definition, pbg_definition
from fees.models import LevyPolicy, PbgIndex, Tariff, TariffRate, TariffVersion
from fees.selectors import region_local_date, tariff_version_on
from fees.services import (
    DefinitionError,
    levy_policy_create,
    tariff_create,
    tariff_version_create,
    tariff_version_supersede,
)
from ptsp.errors import Conflict, DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(btg):
    return region_local_date(btg)


@pytest.fixture
def pbg(btg):
    return tariff_create(
        region=btg,
        code="PBG",
        name="Retribusi PBG",
        kind=Tariff.Kind.PBG,
        account_code="4.1.02.03.01.0001",
    )


@pytest.fixture
def reklame(btg):
    return tariff_create(
        region=btg,
        code="REKLAME",
        name="Pajak Reklame",
        kind=Tariff.Kind.PER_UNIT,
        account_code="4.1.01.09.01.0001",
    )


def pbg_tables(**changes):
    return {**pbg_definition(locality_index="0.005", shst=7_350_000, shst_year=2026), **changes}


def add(tariff, start, end=None, definition=None):
    return tariff_version_create(
        tariff=tariff,
        valid_from=start,
        valid_until=end,
        legal_basis="Perda uji",
        definition=definition or pbg_tables(),
    )


def row_counts():
    return (TariffVersion.objects.count(), PbgIndex.objects.count(), TariffRate.objects.count())


def test_a_version_is_written_with_all_its_tables(pbg, today):
    version = add(pbg, today)
    assert version.pbg_indices.filter(table=PbgIndex.Table.FUNCTION).count() == 9
    assert version.pbg_heights.count() == 21
    assert version.pbg_infrastructure.count() == 5
    weights = (version.weight_complexity, version.weight_permanence, version.weight_height)
    assert weights == (Decimal("0.3"), Decimal("0.2"), Decimal("0.5"))


def test_an_overlapping_version_is_refused_by_name_and_changes_nothing(pbg, today):
    first = add(pbg, today - timedelta(days=30), today + timedelta(days=30))
    before = row_counts()
    with pytest.raises(Conflict) as info:
        add(pbg, today + timedelta(days=10))
    assert first.period in str(info.value)
    assert "tumpang tindih" in str(info.value)
    assert row_counts() == before


@pytest.mark.parametrize(
    ("start", "end"),
    [(-60, -30), (-60, None), (29, 31), (30, 30), (-31, 40), (0, 0)],
)
def test_every_kind_of_overlap_is_refused(pbg, today, start, end):
    add(pbg, today - timedelta(days=30), today + timedelta(days=30))
    with pytest.raises(Conflict):
        add(
            pbg, today + timedelta(days=start), None if end is None else today + timedelta(days=end)
        )


def test_adjacent_versions_are_fine(pbg, today):
    add(pbg, today - timedelta(days=30), today)
    add(pbg, today + timedelta(days=1))
    assert pbg.versions.count() == 2


def test_the_database_refuses_an_overlap_that_skips_the_service(pbg, today):
    """The exclusion constraint, not only the service, keeps versions apart."""
    add(pbg, today)
    with pytest.raises(IntegrityError), transaction.atomic():
        TariffVersion.objects.create(
            tariff=pbg, valid_from=today + timedelta(days=400), legal_basis="x", shst=1
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        TariffVersion.objects.create(
            tariff=pbg,
            valid_from=today - timedelta(days=10),
            valid_until=today,
            legal_basis="x",
        )
    # one day before the open-ended version starts is free
    TariffVersion.objects.create(
        tariff=pbg,
        valid_from=today - timedelta(days=10),
        valid_until=today - timedelta(days=1),
        legal_basis="x",
    )


def test_versions_of_different_tariffs_and_regions_do_not_meet(pbg, reklame, plg, today):
    add(pbg, today)
    tariff_version_create(
        tariff=reklame,
        valid_from=today,
        legal_basis="Perda uji",
        definition=advertising_definition(rates={"a": 2500}),
    )
    other = tariff_create(
        region=plg, code="PBG", name="PBG", kind=Tariff.Kind.PBG, account_code="4.1.02.03.01"
    )
    add(other, today)
    assert TariffVersion.objects.count() == 3


def test_full_clean_reports_the_overlap_with_the_period(pbg, today):
    existing = add(pbg, today)
    clash = TariffVersion(tariff=pbg, valid_from=today + timedelta(days=5), legal_basis="x")
    with pytest.raises(ValidationError) as info:
        clash.full_clean()
    text = " ".join(info.value.messages)
    assert existing.period in text


def test_a_version_cannot_end_before_it_starts(pbg, today):
    with pytest.raises(DefinitionError) as info:
        add(pbg, today, today - timedelta(days=1))
    assert "tidak dapat berakhir sebelum dimulai" in str(info.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        TariffVersion.objects.create(
            tariff=pbg, valid_from=today, valid_until=today - timedelta(days=1), legal_basis="x"
        )


def test_a_pbg_version_with_no_tables_is_refused_naming_each_and_changes_nothing(pbg, today):
    before = row_counts()
    with pytest.raises(DefinitionError) as info:
        add(
            pbg, today, definition={"locality_index": "0.005", "shst": 7_350_000, "shst_year": 2026}
        )
    problems = info.value.problems
    assert "Tabel indeks fungsi (If) kosong." in problems
    assert "Tabel indeks ketinggian (Ih) kosong." in problems
    assert len(problems) == 6
    assert row_counts() == before


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"locality_index": "0.006"}, "paling tinggi 0,5 %"),
        ({"shst": 0}, "SHST harus lebih dari 0"),
        ({"shst": "7350000.5"}, "harus rupiah bulat"),
        ({"shst": 7350000.0}, "angka pasti"),
        ({"weights": {"complexity": "0.3", "permanence": "0.3", "height": "0.5"}}, "berjumlah 1"),
        ({"shst_year": "2026"}, "Tahun SHST"),
        (
            {"heights": [{"floors_from": 2, "floors_to": None, "value": "1"}]},
            "melompat pada 2 lantai",
        ),
        (
            {
                "heights": [
                    {"floors_from": 1, "floors_to": None, "value": "1"},
                    {"floors_from": 2, "floors_to": 3, "value": "1.1"},
                ]
            },
            "Hanya baris ketinggian terakhir",
        ),
        (
            {"infrastructure": [{"key": "Pagar!", "label": "x", "unit": "m", "unit_price": 1}]},
            "bukan kunci yang sah",
        ),
        ({"surcharge": "1"}, "tidak dipakai"),
    ],
)
def test_bad_pbg_definitions_are_refused_by_name(pbg, today, change, expected):
    before = row_counts()
    with pytest.raises(DefinitionError) as info:
        add(pbg, today, definition=pbg_tables(**change))
    assert expected in str(info.value), info.value.problems
    assert row_counts() == before


def test_a_negative_index_value_or_a_repeated_key_is_refused(pbg, today):
    tables = pbg_tables()
    tables["indices"]["function"] = [
        {"key": "hunian", "label": "Hunian", "value": "-0.15"},
        {"key": "usaha", "label": "Usaha", "value": "0.7"},
        {"key": "usaha", "label": "Usaha lagi", "value": "0.7"},
    ]
    with pytest.raises(DefinitionError) as info:
        add(pbg, today, definition=tables)
    text = str(info.value)
    assert "tidak boleh negatif" in text and "muncul dua kali" in text


def test_per_unit_definition_needs_quantities_and_rates(reklame, today):
    before = row_counts()
    with pytest.raises(DefinitionError) as info:
        tariff_version_create(
            tariff=reklame,
            valid_from=today,
            legal_basis="Perda uji",
            definition={"factors": [], "rates": [{"key": "a", "label": "Zona A", "rate": -1}]},
        )
    text = str(info.value)
    assert "paling sedikit satu besaran" in text and "tidak boleh negatif" in text
    assert row_counts() == before


def test_a_tariff_code_is_unique_in_its_region_and_well_formed(btg, pbg):
    with pytest.raises(DomainError):
        tariff_create(region=btg, code="PBG", name="x", kind="pbg", account_code="4.1")
    with pytest.raises(DomainError):
        tariff_create(region=btg, code="pbg lower", name="x", kind="pbg", account_code="4.1")


def test_supersede_ends_the_version_in_force_the_day_before(pbg, today):
    old = add(pbg, today - timedelta(days=100))
    new = tariff_version_supersede(
        tariff=pbg,
        valid_from=today + timedelta(days=10),
        legal_basis="Perda baru",
        definition=pbg_tables(shst=8_000_000),
    )
    old.refresh_from_db()
    assert old.valid_until == today + timedelta(days=9)
    assert new.valid_until is None and new.shst == 8_000_000
    assert tariff_version_on(tariff=pbg, day=today + timedelta(days=9)) == old
    assert tariff_version_on(tariff=pbg, day=today + timedelta(days=10)) == new


def test_a_failed_supersede_leaves_the_old_version_running(pbg, today):
    old = add(pbg, today - timedelta(days=100))
    with pytest.raises(DefinitionError):
        tariff_version_supersede(
            tariff=pbg,
            valid_from=today + timedelta(days=10),
            legal_basis="Perda baru",
            definition=pbg_tables(shst=0),
        )
    old.refresh_from_db()
    assert old.valid_until is None and pbg.versions.count() == 1


def test_no_version_on_a_day_is_a_clear_refusal(pbg, today):
    add(pbg, today + timedelta(days=1))
    with pytest.raises(DomainError) as info:
        tariff_version_on(tariff=pbg, day=today)
    assert today.isoformat() in str(info.value)


def test_the_version_is_chosen_by_the_regions_own_date(btg, plg):
    """At 16:30 UTC it is already tomorrow 00:30 in Bontang (WITA) and still 23:30 today in
    Palembang (WIB): each region gets its own day's version."""
    moment = datetime(2026, 6, 30, 16, 30, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        now = timezone.now()
        assert region_local_date(btg) == now.astimezone(ZoneInfo("Asia/Makassar")).date()
        btg_day, plg_day = region_local_date(btg), region_local_date(plg)
        assert btg_day == plg_day + timedelta(days=1)
        versions = {}
        for region in (btg, plg):
            tariff = tariff_create(
                region=region, code="PBG", name="PBG", kind="pbg", account_code="4.1.02"
            )
            versions[region.code] = (
                add(tariff, btg_day - timedelta(days=365), plg_day),
                add(tariff, btg_day),
            )
            assert (
                tariff_version_on(tariff=tariff, day=region_local_date(region))
                == versions[region.code][0 if region is plg else 1]
            )


def test_region_local_date_refuses_a_naive_datetime(btg):
    with pytest.raises(ValueError):
        region_local_date(btg, datetime(2026, 1, 1, 12, 0))


def test_levy_policies_are_versioned_and_do_not_overlap(btg, today):
    policy = levy_policy_create(
        region=btg, valid_from=today, legal_basis="Perda uji", billing_prefix="6474"
    )
    assert (policy.payment_due_days, policy.interest_max_months) == (30, 24)
    with pytest.raises(Conflict):
        levy_policy_create(
            region=btg,
            valid_from=today + timedelta(days=3),
            legal_basis="Perda uji",
            billing_prefix="6474",
        )
    with pytest.raises(DomainError):
        levy_policy_create(
            region=btg,
            valid_from=today - timedelta(days=50),
            valid_until=today - timedelta(days=1),
            legal_basis="Perda uji",
            billing_prefix="64",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        LevyPolicy.objects.create(
            region=btg, valid_from=today + timedelta(days=1), legal_basis="x", billing_prefix="6474"
        )


def test_a_levy_policy_with_a_malformed_interest_account_is_refused(btg, today, english):
    before = LevyPolicy.objects.count()
    with pytest.raises(DomainError) as refused:
        levy_policy_create(
            region=btg,
            valid_from=today,
            legal_basis="Perda uji",
            billing_prefix="6474",
            interest_account_code="denda retribusi",
        )
    assert "account code of the late interest is digits separated by dots" in str(
        refused.value.message
    )
    assert LevyPolicy.objects.count() == before
    policy = levy_policy_create(
        region=btg,
        valid_from=today,
        legal_basis="Perda uji",
        billing_prefix="6474",
        interest_account_code=" 4.1.04.16.01.0001 ",
    )
    assert policy.interest_account_code == "4.1.04.16.01.0001"


def test_a_new_yearly_shst_is_a_copy_of_the_version_with_the_new_price(pbg, reklame, today):
    """The head of region sets the SHST each year: copy the version's tables, change the SHST."""
    from fees.selectors import tariff_definition_of

    old = add(pbg, today - timedelta(days=100))
    definition = tariff_definition_of(old)
    assert (
        tariff_definition_of(
            add(pbg, today - timedelta(days=200), today - timedelta(days=101), definition)
        )
        == definition
    )
    definition.update(shst="7800000", shst_year=today.year + 1)
    new = tariff_version_supersede(
        tariff=pbg,
        valid_from=today + timedelta(days=1),
        legal_basis="SK SHST",
        definition=definition,
    )
    assert new.shst == 7_800_000
    assert new.pbg_indices.count() == old.pbg_indices.count()
    assert new.pbg_heights.count() == old.pbg_heights.count()
    board = tariff_version_create(
        tariff=reklame,
        valid_from=today,
        legal_basis="Perda uji",
        definition=advertising_definition(rates={"a": 2500, "b": 1750}),
    )
    copy = tariff_definition_of(board)
    assert [r["rate"] for r in copy["rates"]] == ["2500", "1750"]
    assert [f["key"] for f in copy["factors"]] == ["lebar", "tinggi", "hari"]
