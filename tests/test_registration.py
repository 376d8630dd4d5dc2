import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApplicantProfile, User

pytestmark = pytest.mark.django_db

VALID = {
    "full_name": "Dewi Lestari",
    "email": "dewi.lestari@example.id",
    "nik": "6474015507920004",
    "phone": "081298765432",
    "password1": "kopi-tubruk-bontang",
    "password2": "kopi-tubruk-bontang",
}


def post(client, lang="id", **changes):
    data = {**VALID, **changes}
    data = {k: v for k, v in data.items() if v is not None}
    client.cookies["django_language"] = lang
    return client.post(reverse("accounts:register"), data)


def field_errors(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


def test_registration_creates_the_applicant_and_sends_the_confirmation_link(client, run_outbox):
    response = post(client)
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    user = User.objects.get(email="dewi.lestari@example.id")
    assert user.applicant_profile.nik == "6474015507920004"
    assert user.check_password("kopi-tubruk-bontang")
    assert not user.is_staff and user.email_confirmed_at is None
    # The welcome mail, with the link, goes through the outbox, once, even when run twice.
    assert mail.outbox == []
    assert run_outbox() == ["accounts.tasks.send_welcome_email"]
    from accounts.tasks import send_welcome_email

    send_welcome_email(user.pk)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dewi.lestari@example.id"]
    assert "PTSP Online" in mail.outbox[0].subject
    link = re.search(r"https?://\S+/accounts/confirm/\S+/", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path, follow=True)
    assert page.status_code == 200
    user.refresh_from_db()
    assert user.email_confirmed_at is not None


def _answer(response) -> str:
    from django.contrib.messages import get_messages

    return str(list(get_messages(response.wsgi_request))[-1])


@pytest.mark.parametrize("lang", ["en", "id"])
def test_an_existing_address_or_nik_gets_the_same_answer_and_its_owner_an_email(
    client, run_outbox, lang
):
    """Issue 21 item 9: the page never says that an account exists."""
    fresh = post(client, lang=lang)
    fresh_answer = _answer(fresh).replace(VALID["email"], "")
    run_outbox()
    mail.outbox.clear()
    before = User.objects.count()
    for changes in (
        {"email": "DEWI.LESTARI@example.id", "nik": "6474015507920099"},
        {"email": "other@example.id"},
    ):
        again = post(client, lang=lang, **changes)
        assert again.status_code == fresh.status_code == 302
        assert again.url == fresh.url
        answer = _answer(again).replace(changes["email"].lower(), "")
        assert answer == fresh_answer
        assert "already" not in answer and "sudah terdaftar" not in answer
    assert User.objects.count() == before
    run_outbox()
    assert mail.outbox
    assert all(m.to == ["dewi.lestari@example.id"] for m in mail.outbox)
    assert "tried to register" in mail.outbox[0].body or "mencoba mendaftar" in mail.outbox[0].body


def test_a_bad_or_stale_confirmation_link_is_refused_and_changes_nothing(client):
    from accounts.services import email_confirmation_token

    post(client)
    user = User.objects.get(email=VALID["email"])
    client.cookies["django_language"] = "en"
    response = client.get(reverse("accounts:email_confirm", args=["forged"]))
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    token = email_confirmation_token(user)
    User.objects.filter(pk=user.pk).update(email="changed@example.id")
    assert client.get(reverse("accounts:email_confirm", args=[token])).status_code == 400
    user.refresh_from_db()
    assert user.email_confirmed_at is None


def test_first_submission_waits_for_the_confirmed_address(client, demo):
    from applications.services import filing
    from ptsp.errors import DomainError
    from tests.journeys import submitted_application

    budi = User.objects.get(email="budi.santoso@example.id")
    User.objects.filter(pk=budi.pk).update(email_confirmed_at=None)
    with pytest.raises(DomainError) as refused:
        submitted_application()
    assert refused.value.code == "email_unconfirmed"
    from applications.models import Application

    draft = Application.objects.filter(applicant=budi, status="draft").latest("pk")
    assert draft.tracking_number in ("", None)
    User.objects.filter(pk=budi.pk).update(email_confirmed_at=timezone.now())
    budi.refresh_from_db()
    assert filing.application_submit(application_id=draft.pk, actor=budi).status == "submitted"


def test_email_is_stored_lower_case_and_login_ignores_case(client):
    post(client, email="Dewi.Lestari@Example.ID")
    client.logout()
    assert User.objects.filter(email="dewi.lestari@example.id").exists()
    assert client.login(username="DEWI.lestari@example.id", password=VALID["password1"])


@pytest.mark.parametrize(
    ("nik", "message_en", "message_id"),
    [
        ("64740155079200", "16", "16"),  # too short
        ("647401550792000A", "16 digits", "16 digit"),  # a letter
        ("0474015507920004", "cannot start with 0", "tidak boleh diawali 0"),
        ("64740155079200041", "16", "16"),  # too long
        # Issue 21 item 9: the report's NIK, day 99 and month 99.
        ("6474019999900001", "month of birth", "bulan lahir"),
        ("6474013213920004", "month of birth", "bulan lahir"),  # month 13
        ("6474013202920004", "day of birth", "tanggal lahir"),  # 32 February
        ("6474013102920004", "day of birth", "tanggal lahir"),  # 31 February
        ("6474017207920004", "day of birth", "tanggal lahir"),  # a woman's day 32
        ("6474010007920004", "day of birth", "tanggal lahir"),  # day 00
        ("0974015507920004", "cannot start with 0", "tidak boleh diawali 0"),
        ("1074015507920004", "region code", "kode wilayah"),  # province 10
        ("6400015507920004", "region code", "kode wilayah"),  # kabupaten 00
        ("6474005507920004", "region code", "kode wilayah"),  # kecamatan 00
        ("6474015507920000", "serial number", "nomor urut"),
    ],
)
@pytest.mark.parametrize("lang", ["en", "id"])
def test_malformed_nik_is_refused_in_the_users_language(client, nik, message_en, message_id, lang):
    response = post(client, lang=lang, nik=nik)
    assert response.status_code == 400
    errors = " ".join(field_errors(response, "nik"))
    assert (message_en if lang == "en" else message_id) in errors
    assert User.objects.count() == 0
    assert ApplicantProfile.objects.count() == 0


@pytest.mark.parametrize(
    ("password", "expected_en"),
    [
        ("short1!", "too short"),
        ("password123", "too common"),
        ("4839201938475", "entirely numeric"),
    ],
)
def test_weak_password_is_refused(client, password, expected_en):
    response = post(client, lang="en", password1=password, password2=password)
    assert response.status_code == 400
    assert expected_en in " ".join(field_errors(response, "password1"))
    assert User.objects.count() == 0


def test_mismatched_passwords_are_refused(client):
    response = post(client, lang="en", password2="something-else-entirely")
    assert response.status_code == 400
    assert "do not match" in " ".join(field_errors(response, "password2"))
    assert User.objects.count() == 0


@pytest.mark.parametrize("missing", ["full_name", "email", "nik", "phone", "password1"])
@pytest.mark.parametrize(
    ("lang", "required"),
    [("en", "This field is required."), ("id", "Bidang ini harus diisi.")],
)
def test_missing_field_is_refused_next_to_the_field(client, missing, lang, required):
    response = post(client, lang=lang, **{missing: None})
    assert response.status_code == 400
    assert required in field_errors(response, missing)
    # The message is shown next to its field in the page.
    html = response.content.decode()
    assert f'id="id_{missing}_error"' in html
    assert User.objects.count() == 0


def test_malformed_phone_is_refused(client):
    response = post(client, lang="en", phone="12345")
    assert response.status_code == 400
    assert "Indonesian mobile number" in " ".join(field_errors(response, "phone"))
    assert User.objects.count() == 0


def test_staff_cannot_be_made_by_registration(client):
    response = post(client, is_staff="on", is_superuser="on")
    assert response.status_code == 302
    user = User.objects.get(email=VALID["email"])
    assert not user.is_staff and not user.is_superuser
    assert not user.memberships.exists()
