import re

import pytest
from django.core import mail
from django.urls import reverse

from agencies.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

ROLE_HOMES = [
    ("verifikator.btg@ptsp.local", "applications:intake_queue"),
    ("petugas.pupr.btg@ptsp.local", "applications:inbox"),
    ("kepala.pupr.btg@ptsp.local", "applications:agency_queue"),
    ("kepala.btg@ptsp.local", "permits:signing_queue"),
    ("monitor.btg@ptsp.local", "monitoring:dashboard"),
    ("bendahara.btg@ptsp.local", "fees:proofs"),
    ("budi.santoso@example.id", "applications:my_applications"),
    ("verifikator.plg@ptsp.local", "applications:intake_queue"),
]


@pytest.mark.parametrize(("email", "home"), ROLE_HOMES)
def test_each_role_logs_in_by_email_and_lands_on_its_home(client, demo, email, home):
    response = client.post(
        reverse("accounts:login"), {"username": email.upper(), "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    landing = client.get(response.url)
    assert landing.status_code == 302 and landing.url == reverse(home)
    page = client.get(landing.url)
    assert page.status_code == 200


def test_wrong_password_is_refused_with_a_message(client, demo):
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("accounts:login"),
        {"username": "budi.santoso@example.id", "password": "wrong-password"},
    )
    assert response.status_code == 200
    assert "correct e-mail address and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_applicant_cannot_open_staff_pages(client, demo, login):
    login("budi.santoso@example.id")
    for name in [
        "applications:intake_queue",
        "applications:inbox",
        "applications:agency_queue",
        "permits:signing_queue",
        "monitoring:dashboard",
    ]:
        assert client.get(reverse(name)).status_code == 403, name


def test_an_officer_cannot_open_other_roles_pages(client, demo, login):
    login("petugas.pupr.btg@ptsp.local")
    for name in [
        "applications:intake_queue",
        "applications:agency_queue",
        "permits:signing_queue",
        "monitoring:dashboard",
    ]:
        assert client.get(reverse(name)).status_code == 403, name


def test_logout_ends_the_session(client, demo, login):
    login("budi.santoso@example.id")
    client.post(reverse("accounts:logout"))
    response = client.get(reverse("applications:my_applications"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_password_change(client, demo, login):
    login("budi.santoso@example.id")
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "sungai-mahakam-99",
            "new_password2": "sungai-mahakam-99",
        },
    )
    assert response.status_code == 302
    client.logout()
    assert client.login(username="budi.santoso@example.id", password="sungai-mahakam-99")


def test_password_reset_by_mail(client, demo):
    response = client.post(reverse("accounts:password_reset"), {"email": "budi.santoso@example.id"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "pempek-kapal-selam", "new_password2": "pempek-kapal-selam"}
    )
    assert done.status_code == 302
    assert client.login(username="budi.santoso@example.id", password="pempek-kapal-selam")


def test_reset_for_unknown_address_reveals_nothing(client, demo):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.id"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_language_switch_is_remembered(client, demo, login):
    login("budi.santoso@example.id")
    client.post(reverse("accounts:language"), {"language": "en", "next": "/"})
    from accounts.models import User

    assert User.objects.get(email="budi.santoso@example.id").language == "en"
    page = client.get(reverse("applications:my_applications"))
    assert "My applications" in page.content.decode()
    client.post(reverse("accounts:language"), {"language": "id", "next": "/"})
    page = client.get(reverse("applications:my_applications"))
    assert "Permohonan saya" in page.content.decode()


def test_the_header_names_the_officer_and_their_agency(client, demo, login):
    """Issue 21 item 15: not "Petugas Petugas DINKES Bontang"."""
    login("petugas.dinkes.btg@ptsp.local")
    html = client.get(reverse("applications:inbox")).content.decode()
    person = html.split('data-testid="header-person"', 1)[1].split("</p>", 1)[0]
    assert "dr. Rina Wulandari (Kota Bontang)" in person or "dr. Rina Wulandari" in person
    assert "Dinas Kesehatan" in person
    assert "Petugas" not in person
    login("budi.santoso@example.id")
    html = client.get(reverse("applications:my_applications")).content.decode()
    person = html.split('data-testid="header-person"', 1)[1].split("</p>", 1)[0]
    assert "Budi Santoso" in person and "<small>" not in person
