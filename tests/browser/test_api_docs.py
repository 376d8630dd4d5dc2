"""Swagger UI and Redoc render in a real browser from the app's own static files: the pages'
Content-Security-Policy forbids other hosts, no request leaves for one, and the operations
still show."""

import pytest
from playwright.sync_api import expect

import tests.browser.helpers  # noqa: F401 - sets the generous expect timeout


def _block_other_hosts(page, live_server):
    outside = []

    def route(route):
        if route.request.url.startswith(live_server.url) or route.request.url.startswith(
            ("data:", "blob:")
        ):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    return outside


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_swagger_ui_and_redoc_render_without_a_cdn(page, live_server):
    outside = _block_other_hosts(page, live_server)
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(
        page.locator(".opblock-summary-path", has_text="/api/v1/intake/{id}/accept/")
    ).to_be_visible()
    page.goto(f"{live_server.url}/api/v1/redoc/")
    expect(page.get_by_text("Accept a complete file").first).to_be_attached()
    page.wait_for_load_state("networkidle")
    assert outside == []
