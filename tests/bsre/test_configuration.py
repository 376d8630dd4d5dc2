"""Phase 2, step 1: a region's BSrE configuration, its signers' NIKs, `get_signer` and the
signer's BSrE page (against the simulator)."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from agencies.models import Region
from bsre.models import BsreSignerAccount, RegionBsreConfig
from bsre.signers import BsreHashSigner, BsreSigner
from permits.models import Permit, PermitCounter
from permits.services.issuance import permit_issue
from permits.signing import LocalPkcs12Signer, SigningUnavailable, get_signer
from tests.bsre.conftest import ACTIVE_NIK, REVOKED_NIK, UNREGISTERED_NIK
from tests.journeys import recommended_application

pytestmark = pytest.mark.django_db

SIGNER = "kepala.btg@ptsp.local"
PASSWORD_ENV = "BSRE_TEST_BTG_PASSWORD"


def configure_bsre(simulator, monkeypatch, *, nik=ACTIVE_NIK, mode="v2", enabled=True):
    """BTG signs with the simulator; the demo's BTG signer is `nik` there."""
    monkeypatch.setenv(PASSWORD_ENV, simulator.password)
    monkeypatch.setenv("BSRE_TEST_BTG_SECRET", simulator.client_secret)
    region = Region.objects.get(code="BTG")
    config, _ = RegionBsreConfig.objects.update_or_create(
        region=region,
        defaults={
            "enabled": enabled,
            "mode": mode,
            "base_url": simulator.url,
            "username": simulator.username,
            "password_env": PASSWORD_ENV,
            "client_id": simulator.client_id,
            "client_secret_env": "BSRE_TEST_BTG_SECRET",
            "token_url": f"{simulator.url}/oauth/token",
            "connect_timeout": 2.0,
            "read_timeout": 10.0,
        },
    )
    user = User.objects.get(email=SIGNER)
    BsreSignerAccount.objects.update_or_create(user=user, defaults={"region": region, "nik": nik})
    return config


def test_a_region_without_bsre_signs_locally(demo, signing_cert):
    region = Region.objects.get(code="BTG")
    assert isinstance(get_signer(region, user=User.objects.get(email=SIGNER)), LocalPkcs12Signer)


def test_a_disabled_configuration_signs_locally(demo, simulator, monkeypatch, signing_cert):
    configure_bsre(simulator, monkeypatch, enabled=False)
    region = Region.objects.get(code="BTG")
    assert isinstance(get_signer(region, user=User.objects.get(email=SIGNER)), LocalPkcs12Signer)


def test_an_enabled_configuration_gives_the_bsre_signer_of_the_person(
    demo, simulator, monkeypatch, signing_cert
):
    configure_bsre(simulator, monkeypatch)
    region = Region.objects.get(code="BTG")
    signer = get_signer(region, user=User.objects.get(email=SIGNER))
    assert isinstance(signer, BsreSigner)
    assert signer.identity.nik == ACTIVE_NIK
    signer.check()  # registered, active
    # The other region keeps its local certificate.
    assert isinstance(get_signer(Region.objects.get(code="PLG")), LocalPkcs12Signer)


def test_hash_mode_gives_the_hash_signer(demo, simulator, monkeypatch):
    configure_bsre(simulator, monkeypatch, mode="hash")
    signer = get_signer(Region.objects.get(code="BTG"), user=User.objects.get(email=SIGNER))
    assert isinstance(signer, BsreHashSigner)


def test_a_missing_secret_fails_closed(demo, simulator, monkeypatch, signing_cert, caplog):
    configure_bsre(simulator, monkeypatch)
    monkeypatch.delenv(PASSWORD_ENV)
    application = recommended_application()
    with pytest.raises(SigningUnavailable) as refused:
        permit_issue(application_id=application.pk, actor=User.objects.get(email=SIGNER))
    assert refused.value.code == "bsre_misconfigured"
    assert PASSWORD_ENV in caplog.text  # the operator's line names the variable, not a value
    application.refresh_from_db()
    assert application.status == "recommended"
    assert not Permit.objects.exists() and not PermitCounter.objects.filter(last_value__gt=0)


def test_a_signer_without_a_nik_is_refused_before_anything(demo, simulator, monkeypatch):
    configure_bsre(simulator, monkeypatch)
    BsreSignerAccount.objects.all().delete()
    application = recommended_application()
    with pytest.raises(SigningUnavailable) as refused:
        permit_issue(application_id=application.pk, actor=User.objects.get(email=SIGNER))
    assert refused.value.code == "bsre_no_identity"
    application.refresh_from_db()
    assert application.status == "recommended" and not Permit.objects.exists()


def test_the_configuration_stores_no_secret_and_names_variables_only():
    names = {f.name for f in RegionBsreConfig._meta.get_fields()}
    assert not names & {"password", "client_secret", "secret"}
    config = RegionBsreConfig(base_url="http://x", username="u", password_env="not a name!")
    with pytest.raises(Exception) as refused:
        config.full_clean(exclude=["region"])
    assert "password_env" in str(refused.value)


def test_a_nik_must_be_sixteen_digits(demo):
    account = BsreSignerAccount(
        user=User.objects.get(email=SIGNER), region=Region.objects.get(code="BTG"), nik="12345"
    )
    with pytest.raises(Exception) as refused:
        account.full_clean()
    assert "16" in str(refused.value)


def test_only_a_signer_of_the_region_gets_a_bsre_identity(demo, english):
    account = BsreSignerAccount(
        user=User.objects.get(email=SIGNER), region=Region.objects.get(code="PLG"), nik=ACTIVE_NIK
    )
    with pytest.raises(Exception) as refused:
        account.full_clean()
    assert "not a signer of the region" in str(refused.value)


@pytest.mark.parametrize(
    ("nik", "expected"),
    [
        (ACTIVE_NIK, "Registered, certificate usable"),
        (REVOKED_NIK, "revoked"),
        (UNREGISTERED_NIK, "not registered with BSrE"),
    ],
)
def test_the_signer_page_shows_what_bsre_says(demo, simulator, monkeypatch, english, nik, expected):
    simulator._faults.clear()
    configure_bsre(simulator, monkeypatch, nik=nik)
    client = Client()
    client.force_login(User.objects.get(email=SIGNER))
    page = client.get(reverse("bsre:status")).content.decode()
    assert expected in page
    assert nik not in page and nik[-4:] in page  # masked


def test_the_signer_page_without_bsre_says_so(demo, english):
    client = Client()
    client.force_login(User.objects.get(email=SIGNER))
    page = client.get(reverse("bsre:status")).content.decode()
    assert "signs with its own certificate" in page


def test_the_signer_page_when_bsre_is_down(demo, simulator, monkeypatch, english):
    configure_bsre(simulator, monkeypatch)
    simulator.fail_next("unavailable")
    client = Client()
    client.force_login(User.objects.get(email=SIGNER))
    page = client.get(reverse("bsre:status")).content.decode()
    simulator._faults.clear()
    assert "cannot be reached" in page
