"""Tokens and their scopes, the error format and its language, throttling, the docs pages."""

import hashlib

import pytest
from django.urls import reverse

from api.models import ApiToken, Scope
from api.services import api_token_create
from applications.models import Status
from tests.api.conftest import APPLICANT, VERIFIER, error, user

pytestmark = pytest.mark.django_db


def bearer(api, raw):
    api.logout()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api


def test_staff_make_a_token_on_their_page_shown_once_and_stored_hashed(client, login, demo):
    login(VERIFIER)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("api:tokens"))
    assert page.status_code == 200 and "New token" in page.content.decode()
    response = client.post(
        reverse("api:tokens"), {"name": "OSS bridge", "scopes": ["read", "intake"]}
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(user__email=VERIFIER)
    raw = response.context["new_token"]
    assert raw.startswith("ptsp_") and raw in response.content.decode()
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert token.scopes == ["read", "intake"]
    assert raw not in client.get(reverse("api:tokens")).content.decode()
    refused = client.post(reverse("api:tokens"), {"name": "", "scopes": []})
    assert refused.status_code == 200 and ApiToken.objects.count() == 1
    client.post(reverse("api:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_applicants_make_no_tokens_and_cannot_revoke_others(client, login, demo):
    token, _raw = api_token_create(
        user=user(VERIFIER), name="x", scopes=["read"], actor=user(VERIFIER)
    )
    login(APPLICANT)
    # The page lists an applicant's own tokens (an admin may have made one); none to make.
    assert client.get(reverse("api:tokens")).status_code == 200
    assert client.post(reverse("api:tokens"), {"name": "x", "scopes": ["read"]}).status_code == 403
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
    login("verifikator.plg@ptsp.local")
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_scopes_roles_and_revocation(api, submitted):
    verifier = user(VERIFIER)
    read_token, read_raw = api_token_create(
        user=verifier, name="dashboard", scopes=[Scope.READ], actor=verifier
    )
    assert bearer(api, read_raw).get("/api/v1/intake/").status_code == 200
    read_token.refresh_from_db()
    assert read_token.last_used_at is not None
    items = [
        {"document": d.pk, "verdict": "accepted"}
        for d in submitted.documents.filter(is_current=True)
    ]
    refused = api.post(f"/api/v1/intake/{submitted.pk}/accept/", {"verdicts": items})
    assert refused.status_code == 403
    assert error(refused)["code"] == "scope_missing"
    _token, intake_raw = api_token_create(
        user=verifier, name="bot", scopes=[Scope.INTAKE], actor=verifier
    )
    # No read scope: the intake token may act but not list.
    assert bearer(api, intake_raw).get("/api/v1/intake/").status_code == 403
    accepted = api.post(f"/api/v1/intake/{submitted.pk}/accept/", {"verdicts": items})
    assert accepted.status_code == 200
    submitted.refresh_from_db()
    assert submitted.status == Status.IN_REVIEW
    # A scope never grants a role: an applicant's token with the intake scope is refused.
    applicant = user(APPLICANT)
    _t, applicant_raw = api_token_create(
        user=applicant, name="app", scopes=[Scope.INTAKE, Scope.READ], actor=None
    )
    assert bearer(api, applicant_raw).get("/api/v1/intake/").status_code == 403
    from api.services import api_token_revoke

    api_token_revoke(token_id=read_token.pk, actor=verifier)
    revoked = bearer(api, read_raw).get("/api/v1/intake/")
    assert revoked.status_code == 401
    assert revoked["WWW-Authenticate"].startswith("Bearer")
    assert error(revoked)["code"] == "authentication_failed"
    assert bearer(api, "ptsp_not-a-token").get("/api/v1/intake/").status_code == 401


def test_token_creation_rules(demo):
    applicant, verifier = user(APPLICANT), user(VERIFIER)
    from ptsp.errors import DomainError, NotAllowed

    with pytest.raises(NotAllowed):
        api_token_create(user=applicant, name="x", scopes=["read"], actor=applicant)
    with pytest.raises(NotAllowed):
        api_token_create(user=applicant, name="x", scopes=["read"], actor=verifier)
    with pytest.raises(DomainError):
        api_token_create(user=verifier, name="x", scopes=["root"], actor=verifier)
    with pytest.raises(DomainError):
        api_token_create(user=verifier, name=" ", scopes=["read"], actor=verifier)
    assert not ApiToken.objects.exists()


def test_errors_in_indonesian_by_default_and_english_on_request(demo):
    from rest_framework.test import APIClient

    anonymous_id = APIClient().get("/api/v1/applications/")
    assert anonymous_id.status_code == 401
    assert error(anonymous_id) == {
        "code": "not_authenticated",
        "message": "Data autentikasi tidak diberikan.",
        "fields": {},
    }
    anonymous_en = APIClient(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/applications/")
    assert error(anonymous_en)["message"] == "Authentication credentials were not provided."
    client = APIClient()
    client.login(username=VERIFIER, password="demo-ptsp-2026")
    missing = client.post("/api/v1/notifications/read/", {"ids": ["x"]}, format="json")
    assert missing.status_code == 400
    assert error(missing)["fields"] == {"ids.0": ["Nilai bidang ini harus berupa bilangan bulat."]}
    missing_en = client.post(
        "/api/v1/notifications/read/", {"ids": ["x"]}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert error(missing_en)["fields"] == {"ids.0": ["A valid integer is required."]}
    assert error(client.get("/api/v1/applications/987654/"))["code"] == "not_found"
    malformed = client.post(
        "/api/v1/notifications/read/", "{not json", content_type="application/json"
    )
    assert malformed.status_code == 400 and error(malformed)["code"] == "parse_error"


def test_throttling_per_anonymous_ip_and_per_user(settings, api, demo):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "5/minute"},
    }
    codes = [api.get("/api/v1/applications/").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    throttled = api.get("/api/v1/applications/")
    assert error(throttled)["code"] == "throttled" and int(throttled["Retry-After"]) > 0
    guessed = api.get("/api/v1/applications/", HTTP_AUTHORIZATION="Bearer ptsp_guess")
    assert guessed.status_code == 429
    # Another address still gets in.
    assert api.get("/api/v1/applications/", REMOTE_ADDR="10.1.2.3").status_code == 401
    api.login(username=APPLICANT, password="demo-ptsp-2026")
    codes = [api.get("/api/v1/applications/").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    # The limit is per person: another user from the same address is not throttled.
    api.logout()
    api.login(username="siti.rahma@example.id", password="demo-ptsp-2026")
    assert api.get("/api/v1/applications/").status_code == 200


def test_schema_and_documentation_are_served_without_a_cdn(demo):
    from rest_framework.test import APIClient

    client = APIClient()
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/intake/{id}/accept/" in document["paths"]
    accept = document["paths"]["/api/v1/intake/{id}/accept/"]["post"]
    assert {"200", "400", "401", "403", "404", "409", "429"} <= set(accept["responses"])
    assert "tokenAuth" in document["components"]["securitySchemes"]
    for url in ("/api/v1/docs/", "/api/v1/redoc/"):
        page = client.get(url)
        assert page.status_code == 200
        body = page.content.decode()
        assert "/static/drf_spectacular_sidecar/" in body
        assert "https://" not in body and "http://" not in body.replace("http://testserver", "")
        assert "default-src 'self'" in page["Content-Security-Policy"]


def test_admin_makes_a_token_for_anyone_and_sees_it_once(client, demo):
    from accounts.models import User

    admin = User.objects.create_superuser("root@ptsp.local", "a-long-admin-password")
    client.force_login(admin)
    client.cookies["django_language"] = "en"
    response = client.post(
        "/admin/api/apitoken/add/",
        {"user": user(APPLICANT).pk, "name": "Mobile app", "scopes": ["read"]},
        follow=True,
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="Mobile app")
    shown = [str(m) for m in response.context["messages"]]
    raw = next(m for m in shown if "ptsp_" in m).split("ptsp_")[1].split(" ")[0]
    assert token.key_hash == hashlib.sha256(f"ptsp_{raw}".encode()).hexdigest()
    client.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_management_command_prints_a_token(demo, capsys):
    from django.core.management import call_command

    call_command("api_token_create", APPLICANT, "--scope", "read", "--name", "warehouse")
    raw = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(name="warehouse")
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()


def test_profile_links_everyone_to_their_tokens(client, login, demo):
    client.cookies["django_language"] = "en"
    login(VERIFIER)
    assert reverse("api:tokens") in client.get(reverse("accounts:profile")).content.decode()
    login(APPLICANT)
    assert reverse("api:tokens") in client.get(reverse("accounts:profile")).content.decode()


def test_session_writes_need_the_csrf_token_tokens_do_not(demo):
    from rest_framework.test import APIClient

    browser = APIClient(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    browser.login(username=APPLICANT, password="demo-ptsp-2026")
    refused = browser.post("/api/v1/notifications/read/", {}, format="json")
    assert refused.status_code == 403 and "CSRF" in error(refused)["message"]
    _token, raw = api_token_create(
        user=user(APPLICANT), name="app", scopes=[Scope.READ], actor=None
    )
    integration = APIClient(enforce_csrf_checks=True)
    integration.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert integration.post("/api/v1/notifications/read/", {}, format="json").status_code == 200


def test_a_defect_is_logged_and_answered_in_the_error_shape(db, caplog):
    from rest_framework.permissions import AllowAny
    from rest_framework.test import APIRequestFactory

    from api.apis.common import BaseApi

    class BrokenApi(BaseApi):
        permission_classes = [AllowAny]
        throttle_classes = []

        def get(self, request):
            raise RuntimeError("a defect")

    response = BrokenApi.as_view()(APIRequestFactory().get("/api/v1/broken/"))
    assert response.status_code == 500
    assert response.data["error"]["code"] == "server_error"
    assert "a defect" not in str(response.data)
    assert any(r.name == "ptsp.api" and r.levelname == "ERROR" for r in caplog.records)
