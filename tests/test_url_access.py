"""Every URL that is not public refuses anonymous users; the public list is explicit."""

import pytest

from ptsp.urls import PUBLIC_URL_NAMES
from tests.urlwalk import named_urls

pytestmark = pytest.mark.django_db


def test_the_url_walk_finds_the_pages():
    names = {name for name, _ in named_urls()}
    assert {"home", "applications:my_applications", "applications:intake_queue"} <= names
    assert len(names) > 15


@pytest.mark.parametrize(
    ("name", "path"),
    sorted((n, p) for n, p in named_urls() if n not in PUBLIC_URL_NAMES),
    ids=lambda v: str(v),
)
def test_non_public_urls_refuse_anonymous_users(client, name, path):
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        refused = response.status_code in (401, 403, 404, 405) or (
            response.status_code == 302 and "/accounts/login/" in response.url
        )
        assert refused, (
            f"{method.upper()} {path} ({name}) answered {response.status_code} to an anonymous user"
        )


def test_public_list_names_only_existing_urls():
    names = {name for name, _ in named_urls()}
    assert names >= PUBLIC_URL_NAMES, PUBLIC_URL_NAMES - names


def test_admin_refuses_anonymous_users(client):
    response = client.get("/admin/agencies/agency/")
    assert response.status_code == 302 and "/admin/login/" in response.url
