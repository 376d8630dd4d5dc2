"""Log lines: request id and user id on web lines, task id and tracking number on task lines,
and no personal data (NIK, e-mail, password, tokens) in any line."""

import io
import json
import logging

import pytest
from django.db import connection
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from applications.services.notifications import notify
from outbox.models import OutboxMessage
from ptsp.observability import context
from ptsp.observability.logging import REDACTIONS, console_handler, redact
from tests.journeys import submitted_application

pytestmark = pytest.mark.django_db

NIK = "6474010101900005"
EMAIL = "rudi.hartono@example.id"
PASSWORD = "jembatan-ampera-7"


@pytest.fixture
def log_lines(settings):
    """The production handler (JSON lines, context, redaction) on the root logger."""
    # run_outbox loads the task modules, and Celery's Django fixup then runs django.setup()
    # again, which would replace the root handlers: keep the logging configuration as it is.
    settings.LOGGING_CONFIG = None
    stream = io.StringIO()
    handler = console_handler(json=True, stream=stream)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]

    lines.text = stream.getvalue
    yield lines
    root.removeHandler(handler)
    root.setLevel(old_level)
    context.clear()


def test_a_sane_request_id_is_kept_and_returned(client):
    response = client.get(reverse("livez"), HTTP_X_REQUEST_ID="proxy-req-0001")
    assert response["X-Request-ID"] == "proxy-req-0001"


@pytest.mark.parametrize("bad", ["", "short", "has spaces in it", "x" * 200, 'quote"inside-id'])
def test_an_insane_request_id_is_replaced(client, bad):
    response = client.get(reverse("livez"), HTTP_X_REQUEST_ID=bad)
    assert response["X-Request-ID"] != bad
    assert len(response["X-Request-ID"]) == 32


def test_web_log_lines_carry_the_request_id_and_the_user_id(client, demo, login, log_lines):
    login("verifikator.btg@ptsp.local")
    client.get("/no-such-page/", HTTP_X_REQUEST_ID="trace-abc-123456")
    from accounts.models import User

    user_id = str(User.objects.get(email="verifikator.btg@ptsp.local").pk)
    not_found = [line for line in log_lines() if line["logger"] == "django.request"]
    assert not_found, log_lines.text()
    assert not_found[0]["request_id"] == "trace-abc-123456"
    assert not_found[0]["user_id"] == user_id
    assert not_found[0]["level"] == "WARNING"


def test_registration_leaves_no_personal_data_in_any_log_line(client, log_lines, run_outbox):
    # Log every SQL statement with its parameters: the NIK and the e-mail are in them.
    connection.force_debug_cursor = True
    logging.getLogger("django.db.backends").setLevel(logging.DEBUG)
    try:
        response = client.post(
            reverse("accounts:register"),
            {
                "full_name": "Rudi Hartono",
                "email": EMAIL,
                "nik": NIK,
                "phone": "081311112222",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
        assert response.status_code == 302
        run_outbox()  # the welcome e-mail task, with its own log lines
        # a failed login logs nothing personal either
        client.post(reverse("accounts:login"), {"username": EMAIL, "password": "wrong-" + PASSWORD})
    finally:
        connection.force_debug_cursor = False
        logging.getLogger("django.db.backends").setLevel(logging.WARNING)
    text = log_lines.text()
    assert "accounts_applicantprofile" in text, "the SQL lines were not logged"
    assert "[NIK]" in text and "[EMAIL]" in text
    for secret in (NIK, EMAIL, PASSWORD, "081311112222"):
        assert secret not in text


def test_task_log_lines_carry_the_task_id_and_the_tracking_number(demo, log_lines, run_outbox):
    application = submitted_application()
    run_outbox()
    (notification,) = notify(
        recipients=[application.applicant],
        kind="submitted",
        application=application,
        dedupe="log-test",
    )
    message = OutboxMessage.objects.get(
        task_name="applications.tasks.send_notification_email", args=[notification.pk]
    )
    run_outbox()
    lines = [line for line in log_lines() if line.get("task_id") == f"outbox-{message.pk}"]
    assert lines, log_lines.text()
    for line in lines:
        assert line["task_name"] == "applications.tasks.send_notification_email"
        assert line["tracking_number"] == application.tracking_number
    assert application.applicant.email not in log_lines.text()


def test_the_publisher_context_travels_in_task_headers(demo, log_lines):
    from ptsp.celery import app
    from ptsp.observability.celery_signals import add_context_headers

    context.bind(request_id="req-from-web-0001", user_id=42)
    headers: dict = {}
    add_context_headers(sender="x", headers=headers)
    assert headers == {"ptsp_request_id": "req-from-web-0001", "ptsp_user_id": "42"}
    context.clear()

    # The worker side: a task run with those headers binds them for its lines.
    task = app.tasks["outbox.tasks.relay"]
    task.apply(task_id="t-headers-1", headers=headers)
    relay_lines = [line for line in log_lines() if line.get("task_id") == "t-headers-1"]
    assert relay_lines
    assert relay_lines[0]["request_id"] == "req-from-web-0001"
    assert relay_lines[0]["user_id"] == "42"


@pytest.mark.parametrize(
    ("raw", "gone"),
    [
        ("nik=6474010101900005", "6474010101900005"),
        ("to budi.santoso@example.id", "budi.santoso@example.id"),
        ("Authorization: Bearer abc.def.ghi", "abc.def.ghi"),
        ("{'HTTP_AUTHORIZATION': 'Basic dXNlcjpwYXNz'}", "dXNlcjpwYXNz"),
        ("password=hunter2hunter2", "hunter2hunter2"),
        ('{"new_password1": "s3cret-pass"}', "s3cret-pass"),
        ("GET /metrics?token=abcdef123456", "abcdef123456"),
        ("/accounts/reset/MQ/cf3x-0123456789abcdef/", "cf3x-0123456789abcdef"),
        ("phone +6281311112222", "6281311112222"),
    ],
)
def test_redaction(raw, gone):
    assert gone not in redact(raw)


def test_redaction_keeps_what_is_not_personal():
    line = "application BTG-2026-000123 task outbox-42 took 0.25s, 3 reviews, id 1234567890"
    assert redact(line) == line


def _every_pattern(text: str) -> str:
    """redact() without its shortcut: every pattern tried on every text."""
    for pattern, replacement, _words in REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


# Pieces that make the patterns match, almost match, or match only under Unicode's case rules
# (the Kelvin sign is a `k`, the long s an `s`, the dotted capital I an `i`).
_PIECES = st.sampled_from(
    [
        "Authorization",
        "AUTHORIZATION",
        "HTTP_AUTHORIZATION",
        "Bearer ",
        "password",
        "PassWord",
        "passwd",
        "SECRET",
        "toKen",
        "to\u212aen",
        "pa\u017f\u017fword",
        "ap\u0130_key",
        "apikey",
        "api_key",
        "sessionid",
        "csrftoken",
        "passphrase",
        "/reset/",
        "@",
        "example.id",
        "budi",
        "=",
        ": ",
        '"',
        "'",
        " ",
        "/",
        "6474010101900005",
        "081311112222",
        "+62",
        "GET /track/?q=",
        "é",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES | st.text(max_size=4), max_size=14).map("".join))
def test_the_shortcut_redacts_exactly_what_every_pattern_would(text):
    assert redact(text) == _every_pattern(text)


@pytest.mark.parametrize(
    ("raw", "gone"),
    [
        ("to\u212aen=abcdef123456", "abcdef123456"),  # the Kelvin sign: a `k` to the regex
        ("pa\u017f\u017fword=hunter2hunter2", "hunter2hunter2"),  # the long s
        ("AUTHORIZATION: Bearer abc.def.ghi", "abc.def.ghi"),
    ],
)
def test_the_shortcut_never_skips_what_unicode_case_rules_match(raw, gone):
    assert gone not in redact(raw)
