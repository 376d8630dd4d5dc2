import pytest
from django.core.management import call_command

from accounts.models import User
from agencies.models import Agency, Membership, Region, Role

pytestmark = pytest.mark.django_db


def counts():
    return (
        User.objects.count(),
        Region.objects.count(),
        Agency.objects.count(),
        Membership.objects.count(),
    )


def test_seed_demo_twice_makes_everything_once(capsys):
    call_command("seed_demo")
    first = counts()
    out = capsys.readouterr().out
    call_command("seed_demo")
    assert counts() == first
    assert "demo-ptsp-2026" in out and "verifikator.btg@ptsp.local" in out


def test_seed_demo_covers_every_role_in_two_time_zones(demo):
    regions = {r.code: r for r in Region.objects.all()}
    assert regions["BTG"].timezone == "Asia/Makassar"
    assert regions["PLG"].timezone == "Asia/Jakarta"
    for region in regions.values():
        assert region.agencies.filter(kind=Agency.Kind.DPMPTSP).count() == 1
        assert region.agencies.filter(kind=Agency.Kind.OPD).count() >= 3
        roles = set(Membership.objects.filter(agency__region=region).values_list("role", flat=True))
        assert roles == set(Role.values)
    assert User.objects.filter(applicant_profile__isnull=False).count() >= 3


def test_seed_demo_refuses_production(settings):
    from django.core.management.base import CommandError

    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert Region.objects.count() == 0
