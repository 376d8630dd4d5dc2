import pytest

from fees.demo import seed_fees
from tests.factories import RegionFactory


@pytest.fixture
def btg(db):
    return RegionFactory(code="BTG", name="Kota Bontang", timezone="Asia/Makassar")


@pytest.fixture
def plg(db):
    return RegionFactory(
        code="PLG", name="Kota Palembang", province="Sumatera Selatan", timezone="Asia/Jakarta"
    )


@pytest.fixture
def demo_fees(btg, plg):
    """The demo tariffs and levy policies of Bontang and Palembang (fees.demo)."""
    seed_fees()
    return {"BTG": btg, "PLG": plg}
