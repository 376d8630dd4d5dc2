"""Failed work: a real task that fails after its retries is recorded with its application,
shown to the right staff only, and run again once, safely, by a monitor."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from applications.models import Notification
from applications.services.notifications import notify
from operations.models import FailedTask
from outbox.models import OutboxMessage
from ptsp.servers import free_port
from tests.journeys import submitted_application

pytestmark = pytest.mark.django_db

LIST = reverse("operations:failed_tasks")


def take_mail_server_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens there
    settings.EMAIL_TIMEOUT = 1


def mail_server_back(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def failed_mail(demo, settings, run_outbox):
    """A notification e-mail of a BTG application that failed after its 8 retries."""
    application = submitted_application()
    run_outbox()  # the demo's and the submission's own work, while mail still works
    mail.outbox.clear()
    take_mail_server_down(settings)
    notify(
        recipients=[application.applicant], kind="submitted", application=application, dedupe="f"
    )
    notification = Notification.objects.get(dedupe_key__startswith="submitted:f:")
    with pytest.raises(OSError):
        run_outbox()
    return application, notification


def rerun_url(failed) -> str:
    return reverse("operations:failed_task_rerun", args=[failed.pk])


def test_a_task_failing_after_its_retries_is_recorded_with_its_application(failed_mail):
    application, notification = failed_mail
    failed = FailedTask.objects.get(task_name="applications.tasks.send_notification_email")
    assert failed.args == [notification.pk]
    assert failed.application == application
    assert failed.region.code == "BTG"
    assert failed.exception_type == "ConnectionRefusedError"
    assert failed.rerun_at is None
    assert "send_once" in failed.traceback
    assert application.applicant.email not in failed.traceback + failed.error
    notification.refresh_from_db()
    assert notification.emailed_at is None


def test_a_monitor_of_the_region_runs_it_again_once(
    client, login, settings, failed_mail, run_outbox
):
    application, _notification = failed_mail
    failed = FailedTask.objects.get(task_name="applications.tasks.send_notification_email")
    monitor = login("monitor.btg@ptsp.local")
    page = monitor.get(LIST, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert application.tracking_number in page.content.decode()
    assert "ConnectionRefusedError" in page.content.decode()

    mail_server_back(settings)
    response = monitor.post(rerun_url(failed), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.rerun_by == User.objects.get(email="monitor.btg@ptsp.local")
    assert failed.rerun_at is not None and failed.rerun_message is not None
    run_outbox()
    assert [m.to for m in mail.outbox] == [[application.applicant.email]]

    # A second click: refused with a message, nothing enqueued, nothing sent again.
    messages_before = OutboxMessage.objects.count()
    response = monitor.post(rerun_url(failed), HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "already been run again" in response.content.decode()
    assert OutboxMessage.objects.count() == messages_before
    run_outbox()
    assert len(mail.outbox) == 1
    # Once run again it leaves the default list, and stays in the full one.
    assert application.tracking_number not in monitor.get(LIST).content.decode()
    assert application.tracking_number in monitor.get(LIST + "?all=1").content.decode()


def test_the_same_work_rerun_twice_in_a_row_sends_one_mail(
    client, login, settings, failed_mail, run_outbox
):
    """Two runs of the same task (a rerun racing a late redelivery): idempotent."""
    _application, notification = failed_mail
    mail_server_back(settings)
    from ptsp.celery import app

    task = app.tasks["applications.tasks.send_notification_email"]
    task.apply(args=[notification.pk])
    task.apply(args=[notification.pk])
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("verifikator.btg@ptsp.local", 403),
        ("kepala.btg@ptsp.local", 403),
        ("petugas.pupr.btg@ptsp.local", 403),
        ("budi.santoso@example.id", 403),
    ],
)
def test_other_roles_are_refused(client, login, failed_mail, email, status):
    failed = FailedTask.objects.get()
    login(email)
    assert client.get(LIST).status_code == status
    assert client.post(rerun_url(failed)).status_code == status
    failed.refresh_from_db()
    assert failed.rerun_at is None


def test_a_monitor_of_another_region_neither_sees_nor_reruns_it(client, login, failed_mail):
    application, _ = failed_mail
    failed = FailedTask.objects.get()
    login("monitor.plg@ptsp.local")
    assert application.tracking_number not in client.get(LIST).content.decode()
    assert client.post(rerun_url(failed)).status_code == 404
    failed.refresh_from_db()
    assert failed.rerun_at is None


def test_anonymous_users_go_to_the_login_page(client, failed_mail):
    failed = FailedTask.objects.get()
    response = client.post(rerun_url(failed))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_work_without_an_application_is_for_platform_admins_only(
    client, login, settings, demo, run_outbox
):
    run_outbox()  # the demo's own work, while mail still works
    mail.outbox.clear()
    take_mail_server_down(settings)
    register = client.post(
        reverse("accounts:register"),
        {
            "full_name": "Rudi Hartono",
            "email": "rudi@example.id",
            "nik": "6474010101900005",
            "phone": "081311112222",
            "password1": "jembatan-ampera-7",
            "password2": "jembatan-ampera-7",
        },
    )
    assert register.status_code == 302
    client.logout()
    with pytest.raises(OSError):
        run_outbox()
    failed = FailedTask.objects.get(task_name="accounts.tasks.send_welcome_email")
    assert failed.application is None and failed.region is None
    login("monitor.btg@ptsp.local")
    assert "send_welcome_email" not in client.get(LIST).content.decode()
    assert client.post(rerun_url(failed)).status_code == 404
    client.logout()
    admin = User.objects.create_superuser(email="root@ptsp.local", password="x-very-long-pass")
    client.force_login(admin)
    assert "send_welcome_email" in client.get(LIST).content.decode()
    mail_server_back(settings)
    assert client.post(rerun_url(failed)).status_code == 302
    run_outbox()
    assert [m.to for m in mail.outbox] == [["rudi@example.id"]]
    failed.refresh_from_db()
    assert failed.rerun_by == admin


def test_the_list_page_makes_a_fixed_number_of_queries(
    client, login, failed_mail, django_assert_max_num_queries
):
    login("monitor.btg@ptsp.local")
    with django_assert_max_num_queries(12):
        assert client.get(LIST).status_code == 200
