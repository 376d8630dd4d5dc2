"""`seed_demo`'s BSrE rows (`bsre.demo`): enabled only where `make run` starts the simulator."""

import pytest

from accounts.models import User
from agencies.models import Region
from bsre import demo
from bsre.models import BsreSignerAccount, RegionBsreConfig
from bsre.signers import BsreSigner
from permits.signing import LocalPkcs12Signer, get_signer

pytestmark = pytest.mark.django_db


def test_without_the_simulator_the_demo_region_signs_locally(demo_db, signing_cert, monkeypatch):
    monkeypatch.delenv("BSRE_SIM_PORT", raising=False)
    demo.seed()
    config = RegionBsreConfig.objects.get(region__code="BTG")
    assert not config.enabled
    signer = User.objects.get(email=demo.DEMO_SIGNER)
    assert BsreSignerAccount.objects.get(user=signer).nik == demo.DEMO_NIK
    assert isinstance(get_signer(Region.objects.get(code="BTG"), user=signer), LocalPkcs12Signer)


def test_make_run_points_the_demo_region_at_its_simulator(demo_db, monkeypatch):
    monkeypatch.setenv("BSRE_SIM_PORT", "18791")
    monkeypatch.setenv("BSRE_BTG_PASSWORD", "simulator-client-password")
    demo.seed()
    demo.seed()  # safe to run twice
    config = RegionBsreConfig.objects.get(region__code="BTG")
    assert config.enabled and config.base_url == "http://127.0.0.1:18791"
    signer = User.objects.get(email=demo.DEMO_SIGNER)
    bsre = get_signer(Region.objects.get(code="BTG"), user=signer)
    assert isinstance(bsre, BsreSigner) and bsre.identity.nik == demo.DEMO_NIK
    monkeypatch.delenv("BSRE_SIM_PORT")
    demo.seed()  # the next bare seed_demo turns it off again
    config.refresh_from_db()
    assert not config.enabled


@pytest.fixture
def demo_db(demo):
    RegionBsreConfig.objects.all().delete()
    BsreSignerAccount.objects.all().delete()
    return demo
