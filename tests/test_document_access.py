"""Personal data: every staff view or download of a document is recorded, the monitor of the
region sees the log, and neither the access log nor the event log can be altered."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from accounts.models import User
from applications.models import Event
from security.models import DocumentAccess

pytestmark = pytest.mark.django_db

VERIFIER = "verifikator.btg@ptsp.local"
MONITOR = "monitor.btg@ptsp.local"


def test_staff_views_and_downloads_are_recorded_owner_downloads_not(client, login, submitted):
    document = submitted.documents.filter(is_current=True).first()
    url = reverse("applications:download_document", args=[document.pk])
    login(submitted.applicant.email)
    assert client.get(url).status_code == 200
    assert not DocumentAccess.objects.exists()
    login(VERIFIER)
    assert client.get(url + "?inline=1").status_code == 200
    assert client.get(url).status_code == 200
    accesses = list(DocumentAccess.objects.order_by("pk"))
    assert [a.action for a in accesses] == ["view", "download"]
    verifier = User.objects.get(email=VERIFIER)
    assert all(a.user == verifier and a.document_id == document.pk for a in accesses)
    assert accesses[0].region_id == submitted.region_id and accesses[0].ip_address == "127.0.0.1"


def test_a_refused_download_records_nothing(client, login, submitted):
    document = submitted.documents.filter(is_current=True).first()
    login("verifikator.plg@ptsp.local")
    url = reverse("applications:download_document", args=[document.pk])
    assert client.get(url).status_code == 404
    assert not DocumentAccess.objects.exists()


def test_the_apis_document_download_is_recorded_as_the_web_one(client, login, submitted):
    """The API's download writes the same access record (one file answer for both doors)."""
    document = submitted.documents.filter(is_current=True).first()
    url = reverse("api:document_download", kwargs={"pk": submitted.pk, "document_pk": document.pk})
    login(submitted.applicant.email)
    own = client.get(url)
    assert own.status_code == 200 and b"".join(own.streaming_content)
    assert not DocumentAccess.objects.exists()
    login("verifikator.plg@ptsp.local")
    assert client.get(url).status_code == 404
    assert not DocumentAccess.objects.exists()
    login(VERIFIER)
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    web = client.get(reverse("applications:download_document", args=[document.pk]))
    assert b"".join(response.streaming_content) == b"".join(web.streaming_content)
    accesses = list(DocumentAccess.objects.order_by("pk"))
    assert [a.action for a in accesses] == ["download", "download"]
    verifier = User.objects.get(email=VERIFIER)
    assert all(a.user == verifier and a.document_id == document.pk for a in accesses)
    assert accesses[0].region_id == submitted.region_id and accesses[0].ip_address == "127.0.0.1"


def test_the_monitor_of_the_region_sees_the_log(client, login, submitted):
    document = submitted.documents.filter(is_current=True).first()
    login(VERIFIER)
    client.get(reverse("applications:download_document", args=[document.pk]))
    client.cookies["django_language"] = "en"
    login(MONITOR)
    page = client.get(reverse("security:access_log"))
    assert page.status_code == 200
    body = page.content.decode()
    assert VERIFIER in body and submitted.tracking_number in body and "downloaded" in body
    login("monitor.plg@ptsp.local")
    other = client.get(reverse("security:access_log")).content.decode()
    assert VERIFIER not in other and "No document has been opened" in other


@pytest.mark.parametrize(
    "role_email", [VERIFIER, "kepala.btg@ptsp.local", "budi.santoso@example.id"]
)
def test_the_access_log_page_is_for_monitors_only(client, login, demo, role_email):
    login(role_email)
    assert client.get(reverse("security:access_log")).status_code == 403


def _refused(sql, params):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def test_the_access_log_and_the_event_log_refuse_update_and_delete(client, login, submitted):
    document = submitted.documents.filter(is_current=True).first()
    login(VERIFIER)
    client.get(reverse("applications:download_document", args=[document.pk]))
    access = DocumentAccess.objects.get()
    event = Event.objects.filter(application=submitted).first()
    for table, pk in (("security_documentaccess", access.pk), ("applications_event", event.pk)):
        _refused(f"UPDATE {table} SET at = now() WHERE id = %s", [pk])  # noqa: S608
        _refused(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608
    # Through the ORM as well (a mistaken admin action or a bulk update).
    with pytest.raises(DatabaseError), transaction.atomic():
        DocumentAccess.objects.filter(pk=access.pk).update(action="view")
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.filter(pk=event.pk).delete()
    assert DocumentAccess.objects.get().action == "download"
    assert Event.objects.filter(pk=event.pk).exists()
