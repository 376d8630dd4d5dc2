"""Shared steps for the browser journeys: log in as a role, and the axe accessibility check."""

from pathlib import Path

from playwright.sync_api import expect

from agencies.demo import DEMO_PASSWORD

# The machine is small and shared: give pages time before calling a step failed.
expect.set_options(timeout=30_000)

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()


def login_as(page, live_server, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log out whoever is logged in, then log in as `email` through the login page."""
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main h1")).to_be_visible()


def serious_violations(page) -> list:
    """axe-core's serious and critical WCAG violations on the current page."""
    page.evaluate(AXE)  # not add_script_tag: the CSP refuses inline scripts
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
