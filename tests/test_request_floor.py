"""Issue 20: the per-request floor of a logged-in request. The person's roles and second-factor
flag come from a per-process cache keyed by the access version on their row (security.identity),
which the database raises on every change of a membership, an agency, a region or an
authenticator app, whatever the path; the unread count is kept on the row; no health-check round
trip. A revoked role is refused on the very next request."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from agencies.models import Agency, Membership, Region, Role
from applications.models import Notification
from applications.services.notifications import notification_mark_read, notify
from security.models import TOTPDevice
from tests.factories import ApplicantFactory, staff

pytestmark = pytest.mark.django_db

APPLICANT = "budi.santoso@example.id"
OFFICER = "petugas.dinkes.btg@ptsp.local"
INBOX = "/reviews/inbox/"


def _user(email):
    return User.objects.get(email=email)


def _tables(queries) -> str:
    return "\n".join(q["sql"] for q in queries.captured_queries)


def _get_counted(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, _tables(queries)


@pytest.mark.parametrize("email", [APPLICANT, OFFICER])
def test_a_warm_logged_in_request_reads_no_membership_device_or_notification_count(
    demo, client, email
):
    client.force_login(_user(email))
    url = "/notifications/"
    assert client.get(url).status_code == 200  # fills the process cache
    response, sql = _get_counted(client, url)
    assert response.status_code == 200
    assert "agencies_membership" not in sql
    assert "security_totpdevice" not in sql
    assert 'COUNT(*) AS "__count" FROM "applications_notification"' not in sql


def test_no_health_check_round_trip_by_default():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is False


def _refused(response) -> bool:
    return response.status_code in (302, 403, 404)


def test_a_revoked_membership_is_refused_on_the_next_request(demo, client):
    officer = _user(OFFICER)
    client.force_login(officer)
    assert client.get(INBOX).status_code == 200
    assert client.get(INBOX).status_code == 200  # served from the cache now
    # Revoked by a queryset update: no model save, no signal; the database bumps the version.
    Membership.objects.filter(user=officer).update(is_active=False)
    assert _refused(client.get(INBOX))


def test_a_deleted_membership_is_refused_on_the_next_request(demo, client):
    officer = _user(OFFICER)
    client.force_login(officer)
    assert client.get(INBOX).status_code == 200
    with connection.cursor() as cursor:  # raw SQL, past the ORM entirely
        cursor.execute("DELETE FROM agencies_membership WHERE user_id = %s", [officer.pk])
    assert _refused(client.get(INBOX))


def test_a_deactivated_agency_refuses_its_staff_on_the_next_request(demo, client):
    officer = _user(OFFICER)
    client.force_login(officer)
    assert client.get(INBOX).status_code == 200
    Agency.objects.filter(memberships__user=officer).update(is_active=False)
    assert _refused(client.get(INBOX))


def test_a_granted_role_works_on_the_next_request(demo, client):
    agency = Agency.objects.get(region__code="BTG", code="DINKES")
    person = staff(agency, Role.HEAD)
    client.force_login(person)
    assert _refused(client.get(INBOX))
    Membership.objects.create(user=person, agency=agency, role=Role.OFFICER)
    assert client.get(INBOX).status_code == 200


def test_a_region_change_reaches_its_staff_on_the_next_request(demo, client):
    officer = _user(OFFICER)
    client.force_login(officer)
    assert client.get(INBOX).status_code == 200
    before = _user(OFFICER).access_version
    Region.objects.filter(code="BTG").update(timezone="Asia/Makassar")
    assert _user(OFFICER).access_version > before
    client.get(INBOX)
    assert timezone.get_current_timezone_name() == "Asia/Makassar"


def test_an_authenticator_app_set_up_elsewhere_is_asked_for_on_the_next_request(
    demo, client, settings
):
    settings.TOTP_ENFORCED = True
    officer = _user(OFFICER)
    client.force_login(officer)
    assert client.get(INBOX).status_code == 200
    TOTPDevice.objects.create(user=officer, secret="JBSWY3DPEHPK3PXP", confirmed_at=timezone.now())
    response = client.get(INBOX)
    assert response.status_code == 302
    assert "/totp" in response["Location"] or "verify" in response["Location"]


def test_the_access_version_never_goes_back_on_a_stale_save(demo):
    officer = _user(OFFICER)  # read before the change
    Membership.objects.filter(user=officer).update(is_active=False)
    bumped = _user(OFFICER).access_version
    assert bumped > officer.access_version
    officer.full_name = "Nama Baru"
    officer.save()  # writes the old version back
    assert _user(OFFICER).access_version == bumped


def test_the_unread_count_follows_notifications_created_and_read(demo, client):
    person = ApplicantFactory()
    assert person.unread_notifications == 0
    notify(recipients=[person], kind="submitted", dedupe="a")
    notify(recipients=[person], kind="accepted", dedupe="b")
    person.refresh_from_db()
    assert person.unread_notifications == 2
    # A save of the row read before keeps the count (only the notification trigger moves it).
    stale = User.objects.get(pk=person.pk)
    notify(recipients=[person], kind="issued", dedupe="c")
    stale.save()
    person.refresh_from_db()
    assert person.unread_notifications == 3
    first = Notification.objects.filter(recipient=person).order_by("pk").first()
    notification_mark_read(user=person, notification_ids=[first.pk])
    person.refresh_from_db()
    assert person.unread_notifications == 2
    client.force_login(person)
    response = client.get("/notifications/")
    assert response.context["unread_notifications"] == 2
    notification_mark_read(user=person)
    Notification.objects.filter(recipient=person).delete()
    person.refresh_from_db()
    assert person.unread_notifications == 0
    assert client.get("/notifications/").context["unread_notifications"] == 0


def test_a_direct_write_of_the_unread_count_is_ignored(demo):
    person = ApplicantFactory()
    User.objects.filter(pk=person.pk).update(unread_notifications=40)
    person.refresh_from_db()
    assert person.unread_notifications == 0


def test_another_persons_cached_identity_is_never_served(demo, client):
    """Two people in one process: each request gets its own person's roles."""
    officer_client = client
    officer_client.force_login(_user(OFFICER))
    from django.test import Client

    applicant_client = Client()
    applicant_client.force_login(_user(APPLICANT))
    for _ in range(2):
        assert officer_client.get(INBOX).status_code == 200
        assert _refused(applicant_client.get(INBOX))


def test_a_cached_membership_is_the_requests_own(demo):
    """What one request reads through its memberships (their user) is not what the next gets."""

    from security.identity import identity_fill

    first, second = _user(OFFICER), _user(OFFICER)
    identity_fill(first)
    identity_fill(second)
    (m1,), (m2,) = first._ptsp_memberships, second._ptsp_memberships
    assert m1 is not m2
    assert m1.user is first and m2.user is second
    assert m1.agency_id == m2.agency_id


@pytest.mark.parametrize("email", [APPLICANT, OFFICER, None])
def test_the_view_gets_the_user_object_itself_not_the_lazy_proxy(demo, client, email):
    """security.identity.IdentityMiddleware unwraps `request.user` once it is loaded."""
    from django.contrib.auth.models import AnonymousUser
    from django.utils.functional import LazyObject

    if email:
        client.force_login(_user(email))
    response = client.get("/notifications/" if email else "/track/")
    assert response.status_code == 200
    user = response.wsgi_request.user
    assert not isinstance(user, LazyObject)
    assert isinstance(user, User if email else AnonymousUser)
    if email:
        assert user.email == email
