"""Rate limits: the shared counter (`ptsp.ratelimit`) keeps the window of its first hit."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from ptsp import ratelimit

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def test_a_counter_keeps_the_window_of_its_first_hit():
    with time_machine.travel(T0, tick=False):
        assert ratelimit.hit("test:a", 900) == 1
    with time_machine.travel(T0 + timedelta(seconds=400), tick=False):
        assert ratelimit.hit("test:a", 900) == 2
    # Still counted 800 s after the first hit, i.e. 400 s after the last (cache.incr on the
    # database cache would have let it expire 300 s after the last hit).
    with time_machine.travel(T0 + timedelta(seconds=800), tick=False):
        assert ratelimit.count("test:a") == 2
        assert ratelimit.counts(["test:a", "test:b"]) == {"test:a": 2, "test:b": 0}
    # The window is not stretched by later hits: it ends 900 s after the first one.
    with time_machine.travel(T0 + timedelta(seconds=901), tick=False):
        assert ratelimit.count("test:a") == 0
        assert ratelimit.hit("test:a", 900) == 1
    ratelimit.reset("test:a")
    assert ratelimit.count("test:a") == 0


# --- The public verification page: file checks per client address and per permit -------------


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("izin.pdf", data, content_type="application/pdf")


@pytest.fixture
def issued(demo, signing_cert, run_outbox):
    from django.core.cache import cache

    from tests.journeys import issued_permit, permit_pdf

    cache.clear()
    permit = issued_permit(run_outbox)
    return permit, permit_pdf(permit)


def _check(client, permit, data: bytes, **extra):
    from django.urls import reverse

    return client.post(
        reverse("permits:verify", args=[permit.verification_token]),
        {"file": _upload(data)},
        **extra,
    )


def test_the_21st_file_check_from_one_address_is_refused_and_not_validated(
    client, issued, settings
):
    from django.urls import reverse

    permit, pdf = issued
    assert settings.VERIFY_CHECKS_PER_WINDOW == 20
    client.cookies["django_language"] = "en"
    first = _check(client, permit, pdf)
    assert first.status_code == 200 and 'data-testid="check-result"' in first.content.decode()
    for _ in range(19):  # every upload counts, a refused one too (it is not a PDF)
        assert _check(client, permit, b"not a pdf").status_code == 400
    assert ratelimit.count("verify:address:127.0.0.1") == 20

    response = _check(client, permit, pdf)
    assert response.status_code == 429
    text = response.content.decode()
    assert "Too many file checks from your address." in text
    assert 'data-testid="check-result"' not in text  # no report: the file was not validated
    assert permit.number in text and permit.sha256 in text  # the public facts are still there
    assert ratelimit.count("verify:address:127.0.0.1") == 20  # a refused check is not counted

    # In Indonesian (the default language) too.
    client.cookies.pop("django_language")
    text = _check(client, permit, pdf).content.decode()
    assert "Terlalu banyak pemeriksaan file dari alamat Anda." in text

    # Another address still gets its check; viewing the page (the QR code) is never limited.
    client.cookies["django_language"] = "en"
    other = _check(client, permit, pdf, REMOTE_ADDR="10.7.7.7")
    assert other.status_code == 200 and "Genuine: this is the issued file" in other.content.decode()
    url = reverse("permits:verify", args=[permit.verification_token])
    for _ in range(25):
        assert client.get(url).status_code == 200


def test_the_address_may_check_again_when_its_window_has_passed(client, issued, settings):
    import time

    permit, pdf = issued
    settings.VERIFY_CHECKS_PER_WINDOW = 2
    client.cookies["django_language"] = "en"
    for _ in range(2):
        assert _check(client, permit, b"not a pdf").status_code == 400
    assert _check(client, permit, pdf).status_code == 429
    window = settings.VERIFY_CHECK_WINDOW_SECONDS
    with time_machine.travel(time.time() + window - 5, tick=False):
        assert _check(client, permit, pdf).status_code == 429
    with time_machine.travel(time.time() + window + 1, tick=False):
        response = _check(client, permit, pdf)
        assert response.status_code == 200
        assert "Genuine: this is the issued file" in response.content.decode()


def test_a_distributed_flood_on_one_permit_is_held(client, issued, settings):
    permit, pdf = issued
    settings.VERIFY_CHECKS_PER_PERMIT = 5
    client.cookies["django_language"] = "en"
    for n in range(5):
        assert _check(client, permit, b"not a pdf", REMOTE_ADDR=f"10.8.0.{n}").status_code == 400
    response = _check(client, permit, pdf, REMOTE_ADDR="10.8.0.99")
    assert response.status_code == 429
    text = response.content.decode()
    assert "This permit has been checked too many times" in text
    assert 'data-testid="check-result"' not in text


def test_the_api_check_shares_the_pages_limit(client, issued, settings):
    permit, pdf = issued
    settings.VERIFY_CHECKS_PER_WINDOW = 3
    for _ in range(3):
        assert _check(client, permit, b"not a pdf").status_code == 400
    response = client.post(
        f"/api/v1/verify/{permit.verification_token}/check/",
        {"file": _upload(pdf)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "too_many_file_checks"
    assert error["message"].startswith("Too many file checks from your address.")
    ok = client.post(
        f"/api/v1/verify/{permit.verification_token}/check/",
        {"file": _upload(pdf)},
        REMOTE_ADDR="10.7.7.8",
    )
    assert ok.status_code == 200 and ok.json()["ok"] is True
