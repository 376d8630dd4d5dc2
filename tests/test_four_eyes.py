"""Four eyes for powers: the signer and monitor roles are asked for by one person and approved
by a second (a platform admin or another monitor of the region), never by the one who asked
nor by the one who gets the role; both steps are in an append-only log."""

import pytest
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import reverse

from accounts.models import User
from agencies.grants import power_grant_decide, power_grant_request
from agencies.models import Agency, Membership, PowerGrant, PowerGrantLog, Role
from api.models import ApiToken, Scope
from api.services import api_token_create
from ptsp.errors import NotAllowed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

MONITOR = "monitor.btg@ptsp.local"
VERIFIER = "verifikator.btg@ptsp.local"


def _user(email):
    return User.objects.get(email=email)


def _dpmptsp(code="BTG"):
    return Agency.objects.get(region__code=code, kind=Agency.Kind.DPMPTSP)


@pytest.fixture
def second_monitor(demo):
    """A second monitor of Bontang (existing data: made before the four-eyes rule)."""
    user = User.objects.create_user(
        "monitor2.btg@ptsp.local", "demo-ptsp-2026", full_name="Monitor Kedua", is_staff=True
    )
    Membership.objects.create(user=user, agency=_dpmptsp(), role=Role.MONITOR)
    user.groups.add(*_user(MONITOR).groups.all())
    return user


def _admin_client(email):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(_user(email))
    return client


def _signer_rows(user):
    return Membership.objects.filter(user=user, role=Role.SIGNER, is_active=True)


def test_a_monitor_cannot_make_itself_a_signer(demo):
    """The hole of issue 14: a monitor added itself as signer in the admin and signed."""
    client = _admin_client(MONITOR)
    monitor = _user(MONITOR)
    response = client.post(
        reverse("admin:agencies_membership_add"),
        {"user": monitor.pk, "agency": _dpmptsp().pk, "role": Role.SIGNER, "is_active": "on"},
        follow=True,
    )
    assert "waits for a second person" in response.content.decode()
    assert not _signer_rows(monitor).exists()
    grant = PowerGrant.objects.get(user=monitor)
    assert grant.status == PowerGrant.Status.PENDING and grant.requested_by == monitor
    # Approving its own request is refused, through the admin action and the service.
    page = client.post(
        reverse("admin:agencies_powergrant_changelist"),
        {"action": "approve", "_selected_action": [grant.pk]},
        follow=True,
    )
    assert "a second person must approve it" in page.content.decode()
    with pytest.raises(NotAllowed):
        power_grant_decide(actor=monitor, grant_id=grant.pk, approve=True)
    grant.refresh_from_db()
    assert grant.status == PowerGrant.Status.PENDING and not _signer_rows(monitor).exists()


def test_a_second_monitor_approves_and_both_are_logged(second_monitor):
    verifier = _user(VERIFIER)
    _token, _raw = api_token_create(user=verifier, name="desk", scopes=[Scope.READ], actor=None)
    client = _admin_client(MONITOR)
    client.post(
        reverse("admin:agencies_membership_add"),
        {"user": verifier.pk, "agency": _dpmptsp().pk, "role": Role.SIGNER, "is_active": "on"},
    )
    grant = PowerGrant.objects.get(user=verifier)
    assert not _signer_rows(verifier).exists()
    response = _admin_client(second_monitor.email).post(
        reverse("admin:agencies_powergrant_changelist"),
        {"action": "approve", "_selected_action": [grant.pk]},
        follow=True,
    )
    assert "1 request(s) decided" in response.content.decode()
    assert _signer_rows(verifier).exists()
    log = list(PowerGrantLog.objects.filter(grant=grant).values_list("action", "actor__email"))
    assert log == [("requested", MONITOR), ("approved", second_monitor.email)]
    # The new power revoked the person's tokens (made under other roles).
    assert not ApiToken.objects.filter(user=verifier, revoked_at__isnull=True).exists()
    assert ApiToken.objects.get(user=verifier).revoke_reason == ApiToken.RevokeReason.ROLES


def test_nobody_approves_a_role_for_themselves(second_monitor):
    platform = _user("admin@ptsp.local")
    grant = power_grant_request(
        actor=platform, user=second_monitor, agency=_dpmptsp(), role=Role.SIGNER
    )
    with pytest.raises(NotAllowed) as caught:
        power_grant_decide(actor=second_monitor, grant_id=grant.pk, approve=True)
    assert "for themselves" in str(caught.value.message)
    power_grant_decide(actor=_user(MONITOR), grant_id=grant.pk, approve=True)
    assert _signer_rows(second_monitor).exists()


def test_another_regions_monitor_neither_sees_nor_decides(demo):
    grant = power_grant_request(
        actor=_user("admin@ptsp.local"), user=_user(VERIFIER), agency=_dpmptsp(), role=Role.SIGNER
    )
    plg = _admin_client("monitor.plg@ptsp.local")
    listed = plg.get(reverse("admin:agencies_powergrant_changelist"))
    assert grant not in listed.context["cl"].queryset
    plg.post(
        reverse("admin:agencies_powergrant_changelist"),
        {"action": "approve", "_selected_action": [grant.pk]},
    )
    with pytest.raises(NotAllowed):
        power_grant_decide(actor=_user("monitor.plg@ptsp.local"), grant_id=grant.pk, approve=True)
    grant.refresh_from_db()
    assert grant.status == PowerGrant.Status.PENDING


def test_changing_a_role_to_signer_asks_instead_and_keeps_the_row(second_monitor):
    verifier = _user(VERIFIER)
    membership = Membership.objects.get(user=verifier, role=Role.VERIFIER)
    client = _admin_client(MONITOR)
    client.post(
        reverse("admin:agencies_membership_change", args=[membership.pk]),
        {
            "user": verifier.pk,
            "agency": membership.agency_id,
            "role": Role.SIGNER,
            "is_active": "on",
        },
    )
    membership.refresh_from_db()
    assert membership.role == Role.VERIFIER and membership.is_active
    assert PowerGrant.objects.filter(user=verifier, role=Role.SIGNER, status="pending").exists()


def test_the_user_pages_inline_asks_too(second_monitor):
    verifier = _user(VERIFIER)
    client = _admin_client(MONITOR)
    existing = Membership.objects.get(user=verifier, role=Role.VERIFIER)
    data = {
        "full_name": verifier.full_name,
        "language": "id",
        "nip": "",
        "position": "",
        "is_active": "on",
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": existing.pk,
        "memberships-0-user": verifier.pk,
        "memberships-0-agency": existing.agency_id,
        "memberships-0-role": Role.VERIFIER,
        "memberships-0-is_active": "on",
        "memberships-1-user": verifier.pk,
        "memberships-1-agency": _dpmptsp().pk,
        "memberships-1-role": Role.MONITOR,
        "memberships-1-is_active": "on",
    }
    response = client.post(reverse("admin:accounts_user_change", args=[verifier.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not Membership.objects.filter(user=verifier, role=Role.MONITOR).exists()
    assert PowerGrant.objects.filter(user=verifier, role=Role.MONITOR, status="pending").exists()


def test_the_grant_log_is_append_only(demo):
    grant = power_grant_request(
        actor=_user("admin@ptsp.local"), user=_user(VERIFIER), agency=_dpmptsp(), role=Role.SIGNER
    )
    entry = PowerGrantLog.objects.get(grant=grant)
    for change in (
        lambda: PowerGrantLog.objects.filter(pk=entry.pk).update(action="approved"),
        lambda: PowerGrantLog.objects.filter(pk=entry.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    assert PowerGrantLog.objects.get(pk=entry.pk).action == "requested"
