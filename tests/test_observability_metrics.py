"""The Prometheus endpoint: refused without the token, and it exposes the named metrics."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from applications.models import Review
from applications.services.intake import application_accept
from tests.journeys import all_accepted, submitted_application

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN


def test_metrics_are_off_without_a_configured_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get(reverse("metrics")).status_code == 403
    response = client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 403


@pytest.mark.parametrize(
    "authorization", [None, "", "Bearer", "Bearer wrong-token", f"Basic {TOKEN}", TOKEN]
)
def test_metrics_refuse_a_missing_or_wrong_token(client, metrics_on, authorization):
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    response = client.get(reverse("metrics"), **headers)
    assert response.status_code == 401
    assert b"ptsp_" not in response.content


def test_metrics_refuse_a_logged_in_admin_without_the_token(client, metrics_on, demo):
    from accounts.models import User

    admin = User.objects.create_superuser(email="root@ptsp.local", password="x-very-long-pass")
    client.force_login(admin)
    assert client.get(reverse("metrics")).status_code == 401


def test_metrics_expose_the_named_metrics(client, metrics_on, demo, login, run_outbox):
    application = submitted_application()
    verifier = login("verifikator.btg@ptsp.local")
    application_accept(
        application_id=application.pk,
        verdicts=all_accepted(application),
        actor=User.objects.get(email="verifikator.btg@ptsp.local"),
    )
    run_outbox()  # routing: one review per agency; task durations observed
    Review.objects.filter(application=application, agency__code="DINKES").update(
        due_at=timezone.now() - timedelta(days=1)
    )
    verifier.get(reverse("applications:intake_queue"))  # a request, observed by view and status

    response = client.get(reverse("metrics"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert (
        'ptsp_http_request_duration_seconds_count{method="GET",status="200",'
        'view="applications:intake_queue"}'
    ) in text
    assert (
        'ptsp_task_duration_seconds_count{state="SUCCESS",task="agencies.tasks.route_application"}'
        in text
    )
    assert "ptsp_task_retries_total" in text
    assert "ptsp_task_failures_total" in text
    assert "ptsp_outbox_pending 0.0" in text
    assert 'ptsp_reviews_open{agency="DINKES",region="BTG"} 1.0' in text
    assert 'ptsp_reviews_overdue{agency="DINKES",region="BTG"} 1.0' in text
    assert 'ptsp_reviews_overdue{agency="DLH",region="BTG"} 0.0' in text
    assert 'ptsp_broker_queue_length{queue="celery"}' in text
    assert "ptsp_failed_tasks_waiting 0.0" in text


def test_a_request_costs_little(client, metrics_on):
    """The middleware's share of a request: a dict lookup and one histogram observation."""
    import time

    client.get(reverse("livez"))
    started = time.perf_counter()
    for _ in range(200):
        client.get(reverse("livez"))
    per_request = (time.perf_counter() - started) / 200
    assert per_request < 0.01, f"{per_request * 1000:.2f} ms per /livez"


def test_the_worker_exporter_needs_the_token_too():
    from ptsp.observability.metrics import metrics_wsgi_app

    app = metrics_wsgi_app(TOKEN)
    statuses = []

    def start_response(status, headers):
        statuses.append(status)

    body = b"".join(app({"HTTP_AUTHORIZATION": "Bearer nope"}, start_response))
    assert statuses[-1].startswith("401") and b"ptsp_" not in body
    body = b"".join(app({"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}, start_response))
    assert statuses[-1].startswith("200") and b"ptsp_task_duration_seconds" in body


def test_made_up_methods_do_not_make_new_label_values(client, metrics_on):
    client.generic("FROBNICATE", reverse("livez"))
    text = client.get(reverse("metrics"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    assert 'method="FROBNICATE"' not in text
    assert 'method="other"' in text
