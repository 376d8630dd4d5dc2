import pytest
from django.core import mail
from django.urls import reverse

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


def test_registration_creates_applicant_logs_in_and_welcomes(client, run_outbox):
    response = post(client)
    assert response.status_code == 302
    assert response.url == reverse("home")
    user = User.objects.get(email="dewi.lestari@example.id")
    assert user.applicant_profile.nik == "6474015507920004"
    assert user.check_password("kopi-tubruk-bontang")
    assert not user.is_staff
    # Logged in: home sends an applicant to their applications.
    assert client.get(reverse("home")).url == reverse("applications:my_applications")
    # The welcome mail goes through the outbox, once, even when the task runs twice.
    assert mail.outbox == []
    assert run_outbox() == ["accounts.tasks.send_welcome_email"]
    from accounts.tasks import send_welcome_email

    send_welcome_email(user.pk)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dewi.lestari@example.id"]
    assert "PTSP Online" in mail.outbox[0].subject


@pytest.mark.parametrize(
    "nik",
    [
        "6474014405920007",  # a woman born 4 May 1992 (day + 40)
        "6474017101920004",  # a woman born 31 January
        "6474012902000004",  # 29 February 2000
        "6474012902960004",  # 29 February 1996
    ],
)
def test_valid_birth_dates_are_accepted(nik):
    from accounts.validators import validate_nik

    validate_nik(nik)


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


@pytest.mark.parametrize("lang", ["en", "id"])
def test_duplicate_email_is_refused(client, lang):
    post(client)
    client.logout()
    before = User.objects.count()
    response = post(client, lang=lang, email="DEWI.LESTARI@example.id", nik="6474015507920099")
    assert response.status_code == 400
    errors = " ".join(field_errors(response, "email"))
    assert ("already exists" if lang == "en" else "sudah terdaftar") in errors
    assert User.objects.count() == before


def test_duplicate_nik_is_refused(client):
    post(client)
    client.logout()
    response = post(client, lang="en", email="other@example.id")
    assert response.status_code == 400
    assert "NIK is already registered" in " ".join(field_errors(response, "nik"))
    assert User.objects.count() == 1


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
