"""The NIK (national ID number) is shown masked everywhere but the applicant's own edit form."""

import pytest
from django.urls import reverse

from accounts.models import ApplicantProfile, User, mask_nik

pytestmark = pytest.mark.django_db

NIK = "6474011203850001"


def test_mask_keeps_region_and_last_four():
    assert mask_nik(NIK) == "647401******0001"


def test_profile_page_shows_the_nik_masked(client, login, demo):
    login("budi.santoso@example.id")
    body = client.get(reverse("accounts:profile")).content.decode()
    assert "647401******0001" in body and NIK not in body


def test_admin_lists_and_references_show_no_full_nik(client, demo):
    client.force_login(User.objects.get(email="admin@ptsp.local"))
    listing = client.get(reverse("admin:accounts_user_changelist"), {"q": "budi"})
    assert listing.status_code == 200
    assert NIK not in listing.content.decode()
    assert NIK not in str(ApplicantProfile.objects.get(nik=NIK))
