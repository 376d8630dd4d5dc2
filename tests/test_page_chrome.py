"""Issue 20: the page header rendered once per process for each distinct content
(`{% site_header %}`, agencies/templatetags/page_chrome.py). It is built from the values in its
key only, so two people, two languages and changes to a role or the unread count never show
one header for another; each request's CSRF token and path are put in, escaped."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from agencies.models import Membership
from agencies.public_pages import CSRF_MARK, PATH_MARK
from agencies.templatetags import page_chrome
from applications.models import Notification

pytestmark = pytest.mark.django_db

APPLICANTS = ("budi.santoso@example.id", "siti.rahma@example.id")
OFFICER = "petugas.dinkes.btg@ptsp.local"


def _header(html: str) -> str:
    return html.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]


def _client(email: str, language: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(email=email))
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def renders(monkeypatch):
    rendered = []
    original = page_chrome.render_to_string

    def counting(name, context):
        rendered.append((context["header_person"], context["LANG"]))
        return original(name, context)

    monkeypatch.setattr(page_chrome, "render_to_string", counting)
    return rendered


def test_two_people_in_two_languages_interleaved_each_get_their_own_header(demo, renders):
    people = [p for p in APPLICANTS if User.objects.filter(email=p).exists()]
    assert len(people) == 2, "the demo has two applicants with these addresses"
    clients = {(email, lang): _client(email, lang) for email in people for lang in ("id", "en")}
    names = {email: User.objects.get(email=email).full_name for email in people}
    for _round in range(3):
        for (email, language), client in clients.items():
            header = _header(client.get(reverse("applications:my_applications")).content.decode())
            assert names[email] in header
            other = next(names[e] for e in people if e != email)
            assert other not in header
            assert ("Log out" in header) == (language == "en")
            assert ("Keluar" in header) == (language == "id")
    assert len(renders) == 4  # once per person and language, then from the cache


def test_each_request_gets_its_own_token_and_path_escaped(demo):
    client = _client(APPLICANTS[0], "en")
    path = reverse("applications:my_applications") + '?q="><script>x</script>&page=2'
    pages = [client.get(path).content.decode() for _ in range(2)]
    for html in pages:
        header = _header(html)
        assert CSRF_MARK not in html and PATH_MARK not in html
        assert "<script>x</script>" not in header
        # The path as Django gives it (percent-encoded), HTML-escaped as the template did.
        assert 'value="/applications/?q=%22%3E%3Cscript%3Ex%3C/script%3E&amp;page=2"' in header
    tokens = [
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', _header(html)).group(1)
        for html in pages
    ]
    assert tokens[0] != tokens[1]  # masked afresh for each request, as Django does
    # The header's log-out form works with the token it carries.
    response = client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": tokens[1]})
    assert response.status_code == 302
    assert client.get(reverse("applications:my_applications")).status_code == 302  # logged out


def test_a_revoked_role_and_a_new_notification_change_the_next_header(demo):
    officer = User.objects.get(email=OFFICER)
    client = _client(OFFICER, "en")
    page = reverse("accounts:profile")
    header = _header(client.get(page).content.decode())
    assert reverse("applications:inbox") in header
    before = User.objects.get(pk=officer.pk).unread_notifications
    for i in range(2):  # the database's trigger counts them on the person's row
        Notification.objects.create(recipient=officer, kind="test", subject=f"S{i}", body="B")
    count = before + 2
    header = _header(client.get(page).content.decode())
    assert f'aria-label="{count} unread notifications">{count}</span>' in header
    Membership.objects.filter(user=officer).update(is_active=False)
    header = _header(client.get(page).content.decode())
    assert reverse("applications:inbox") not in header
    assert "My applications" in header  # no role left: the applicant's navigation
