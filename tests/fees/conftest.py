import pytest

from fees.demo import seed_fees
from tests.factories import RegionFactory


def _without_levies(region):
    """The region as the tariff tests expect it: no levy rows. When the session's demo data is
    in the database (`seed_demo` seeds the demo tariffs since phase 2), they are removed inside
    the test's transaction, which rolls back."""
    from fees.models import LevyPolicy, Tariff, TariffVersion

    TariffVersion.objects.filter(tariff__region=region).delete()
    Tariff.objects.filter(region=region).delete()
    LevyPolicy.objects.filter(region=region).delete()
    return region


@pytest.fixture
def btg(db):
    return _without_levies(RegionFactory(code="BTG", name="Kota Bontang", timezone="Asia/Makassar"))


@pytest.fixture
def plg(db):
    return _without_levies(
        RegionFactory(
            code="PLG", name="Kota Palembang", province="Sumatera Selatan", timezone="Asia/Jakarta"
        )
    )


@pytest.fixture
def demo_fees(btg, plg):
    """The demo tariffs and levy policies of Bontang and Palembang (fees.demo)."""
    seed_fees()
    return {"BTG": btg, "PLG": plg}
