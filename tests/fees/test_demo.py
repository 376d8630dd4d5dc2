import pytest

from fees.demo import REGIONS, TARIFFS, seed_fees
from fees.models import LevyPolicy, Tariff, TariffVersion
from fees.services import assessment_draft
from tests.fees.specs import BOARD, HOUSE

pytestmark = pytest.mark.django_db


def counts():
    return Tariff.objects.count(), TariffVersion.objects.count(), LevyPolicy.objects.count()


def test_seed_fees_twice_makes_everything_once(btg, plg):
    seed_fees()
    first = counts()
    seed_fees()
    assert counts() == first == (len(REGIONS) * len(TARIFFS), len(REGIONS) * len(TARIFFS), 2)


def test_every_demo_tariff_computes_in_both_regions(demo_fees):
    for region in demo_fees.values():
        assert int(assessment_draft(region=region, tariff_code="PBG", inputs=HOUSE)["total"]) > 0
        assert (
            int(assessment_draft(region=region, tariff_code="REKLAME", inputs=BOARD)["total"]) > 0
        )
        assert int(assessment_draft(region=region, tariff_code="CETAK-PETA")["total"]) > 0
    assert LevyPolicy.objects.get(region=demo_fees["BTG"]).billing_prefix == "6474"
    assert LevyPolicy.objects.get(region=demo_fees["PLG"]).billing_prefix == "1671"


def test_seed_fees_skips_regions_that_do_not_exist(db):
    from agencies.models import Region
    from fees.demo import REGIONS
    from fees.models import Tariff
    from tests.factories import RegionFactory

    if Region.objects.filter(code__in=REGIONS).exists():
        # The session's demo data is in the database (seed_demo seeds the demo tariffs): only
        # the demo regions get levies, no other region.
        other = RegionFactory(code="XYZ", name="Kota Lain")
        seed_fees()
        assert not Tariff.objects.filter(region=other).exists()
        return
    seed_fees()
    assert counts() == (0, 0, 0)
