"""Walk a running portal as every demo role and report every page that does not answer 200.

    python scripts/check_local.py [BASE_URL]      # default: $SITE_URL or http://127.0.0.1:8000

For each demo account (one per role, both regions' monitors and signers): log in (with the demo
second-factor code for signers), open the landing page and every link of its main navigation,
then /statistics/ and the catalog. Anonymous visitors walk the same public pages. Prints one line
per page and exits 1 if any answered other than 200 (tests/test_check_local.py runs it against a
real `make run`).
"""

import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from http.cookiejar import CookieJar

PASSWORD = "demo-ptsp-2026"  # noqa: S105 - the published demo password (README; seed_demo refuses production)
TOTP_KEY = "PTSPDEMOSIGNERKEYPTSPDEMOSIGNERK"  # the published demo signers' key (README)
ACCOUNTS = [
    ("applicant", "budi.santoso@example.id"),
    ("front-office verifier", "verifikator.btg@ptsp.local"),
    ("OPD officer", "petugas.pupr.btg@ptsp.local"),
    ("OPD head", "kepala.pupr.btg@ptsp.local"),
    ("signer", "kepala.btg@ptsp.local"),
    ("monitor", "monitor.btg@ptsp.local"),
    ("signer (WIB region)", "kepala.plg@ptsp.local"),
    ("monitor (WIB region)", "monitor.plg@ptsp.local"),
    ("platform admin", "admin@ptsp.local"),
]
PUBLIC = ["/", "/statistics/", "/catalog/", "/accounts/login/", "/accounts/register/"]


class _Page(HTMLParser):
    """The main navigation's links and the forms' CSRF token of one page."""

    def __init__(self):
        super().__init__()
        self.nav_links: list[str] = []
        self.csrf = ""
        self._nav_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and ("main-nav" in (attrs.get("class") or "") or self._nav_depth):
            self._nav_depth += 1
        elif tag == "a" and self._nav_depth and attrs.get("href"):
            self.nav_links.append(attrs["href"])
        elif tag == "input" and attrs.get("name") == "csrfmiddlewaretoken" and not self.csrf:
            self.csrf = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "nav" and self._nav_depth:
            self._nav_depth -= 1


class Visitor:
    def __init__(self, base: str):
        if urllib.parse.urlsplit(base).scheme not in {"http", "https"}:
            raise SystemExit(f"{base!r} is not an http(s) address.")
        self.base = base.rstrip("/")
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.opener.addheaders = [("Accept-Language", "id")]

    def open(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        """(status, final path, body) after following redirects."""
        url = urllib.parse.urljoin(self.base + "/", path)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers={"Referer": url})  # noqa: S310
        try:
            with self.opener.open(request, timeout=60) as response:
                final = urllib.parse.urlsplit(response.geturl()).path
                return response.status, final, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, urllib.parse.urlsplit(exc.geturl()).path, exc.read().decode()

    def login(self, email: str) -> tuple[int, str, str]:
        _status, _path, html = self.open("/accounts/login/")
        form = _parse(html)
        status, path, html = self.open(
            "/accounts/login/",
            {"csrfmiddlewaretoken": form.csrf, "username": email, "password": PASSWORD},
        )
        if path.startswith("/accounts/two-factor/verify"):
            verify = path
            status, path, html = self.open(
                verify, {"csrfmiddlewaretoken": _parse(html).csrf, "code": _totp_now()}
            )
            if status == 400 and path.startswith("/accounts/two-factor/verify"):
                # A code is good once: this one was used by an earlier walk within the same
                # 30 seconds. Wait for the next one, as a person would.
                time.sleep(30 - time.time() % 30 + 1)
                status, path, html = self.open(
                    verify, {"csrfmiddlewaretoken": _parse(html).csrf, "code": _totp_now()}
                )
        if path.startswith("/accounts/login"):
            return 403, path, html
        return status, path, html


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _totp_now() -> str:
    import pyotp

    return pyotp.TOTP(TOTP_KEY).now()


def walk(base: str, out=sys.stdout) -> list[str]:
    """Every failure as 'who: path -> status'; prints each page walked."""
    failures = []

    def visit(who: str, visitor: Visitor, path: str) -> None:
        status, final, _html = visitor.open(path)
        shown = path if final == path else f"{path} -> {final}"
        print(f"  {status}  {shown}", file=out)
        if status != 200:
            failures.append(f"{who}: {path} -> {status}")

    print("anonymous", file=out)
    anonymous = Visitor(base)
    for path in PUBLIC:
        visit("anonymous", anonymous, path)
    for role, email in ACCOUNTS:
        print(f"{role} ({email})", file=out)
        visitor = Visitor(base)
        status, landing, html = visitor.login(email)
        print(f"  {status}  login -> {landing}", file=out)
        if status != 200:
            failures.append(f"{role}: login as {email} -> {status} at {landing}")
            continue
        links = [landing]
        for href in _parse(html).nav_links:
            parts = urllib.parse.urlsplit(href)
            if parts.netloc or not parts.path.startswith("/"):
                continue  # only the portal's own pages
            if parts.path not in links:
                links.append(parts.path)
        for path in [*links[1:], "/statistics/", "/catalog/"]:
            visit(role, visitor, path)
    return failures


def wait_until_up(base: str, timeout: float = 120.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base.rstrip("/") + "/livez", timeout=5):  # noqa: S310
                return True
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    return False


def main() -> int:
    base = (sys.argv[1] if len(sys.argv) > 1 else "") or os.environ.get(
        "SITE_URL", "http://127.0.0.1:8000"
    )
    if not wait_until_up(base, timeout=10):
        print(f"Nothing answers at {base}: start the portal with `make run` first.")
        return 2
    failures = walk(base)
    if failures:
        print(f"\n{len(failures)} page(s) did not answer 200:")
        for failure in failures:
            print(f"  {failure}")
        return 1
    print("\nEvery page answered 200.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
