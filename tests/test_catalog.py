"""The catalog: demo data, versioning, public pages in Indonesian and English, admin publishing."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from agencies.models import Agency
from applications.services import filing
from catalog.models import FormField, PermitType, PermitTypeVersion, Requirement
from catalog.selectors import format_fee
from catalog.services import permit_type_publish
from tests.journeys import apotek, applicant, complete_draft

pytestmark = pytest.mark.django_db


def test_demo_catalog_has_six_types_over_three_opds_in_both_regions(demo):
    for code in ("BTG", "PLG"):
        types = PermitType.objects.filter(region__code=code, is_active=True)
        assert types.count() >= 6
        opds = set(types.values_list("route__agency__code", flat=True))
        assert {"DINKES", "PUPR", "DISDAG", "DLH", "BAPENDA"} <= opds
        assert all(t.versions.exists() for t in types)
    pbg = PermitType.objects.get(region__code="BTG", code="PBG")
    assert pbg.route.get().review_days == 28
    assert pbg.fields.get(key="luas_bangunan").unit == "m²"
    klinik = PermitType.objects.get(region__code="BTG", code="IOK")
    assert set(klinik.route.values_list("agency__code", flat=True)) == {"DINKES", "DLH"}
    reklame = PermitType.objects.get(region__code="PLG", code="REKLAME")
    assert set(reklame.route.values_list("agency__code", flat=True)) == {"PUPR", "BAPENDA"}
    formats = set(PermitType.objects.values_list("number_format", flat=True))
    assert any(f.startswith("500.16.7.2/") for f in formats)
    assert any(f.startswith("503/") for f in formats)
    assert apotek().requirements.filter(code="komitmen_sipnap").exists()


def test_seed_twice_publishes_nothing_new(demo):
    from applications.models import Application

    versions = PermitTypeVersion.objects.count()
    applications = Application.objects.count()
    assert Application.objects.filter(status="submitted").count() >= 2
    assert Application.objects.filter(status="draft").count() >= 1
    call_command("seed_demo", "--quiet")
    assert PermitTypeVersion.objects.count() == versions
    assert Application.objects.count() == applications


def test_publish_makes_a_version_only_when_the_sop_changed(demo):
    permit_type = apotek()
    v1 = permit_type.versions.get()
    assert permit_type_publish(permit_type=permit_type) == v1
    permit_type.intake_days = 2
    permit_type.save()
    v2 = permit_type_publish(permit_type=permit_type)
    assert v2.number == 2 and v2.snapshot["intake_days"] == 2
    assert v1.snapshot["intake_days"] == 1


def test_editing_the_catalog_never_changes_a_filed_application(demo):
    application = complete_draft()
    filed = filing.application_submit(application_id=application.pk, actor=applicant())
    before = filed.catalog_version.snapshot
    permit_type = apotek()
    Requirement.objects.create(
        permit_type=permit_type, code="baru", name_id="Syarat baru", name_en="New", order=99
    )
    FormField.objects.filter(permit_type=permit_type, key="luas_ruang").update(is_required=False)
    permit_type.intake_days = 5
    permit_type.save()
    new = permit_type_publish(permit_type=permit_type)
    filed.refresh_from_db()
    assert filed.catalog_version_id != new.pk
    assert filed.catalog_version.snapshot == before
    assert "baru" not in [r["code"] for r in filed.catalog_version.snapshot["requirements"]]
    # A draft started now gets the new version.
    draft = filing.application_create_draft(permit_type_id=permit_type.pk, actor=applicant())
    assert draft.catalog_version == new


def test_fee_format():
    assert format_fee(0) == ""
    assert format_fee(1500000) == "Rp1.500.000"
    assert format_fee(750) == "Rp750"
    assert format_fee(12_345_678) == "Rp12.345.678"


def test_catalog_list_search_and_filters(client, demo):
    client.cookies["django_language"] = "en"
    response = client.get(reverse("catalog:catalog"))
    assert response.status_code == 200
    assert "Building approval (PBG)" in response.content.decode()
    response = client.get(reverse("catalog:catalog"), {"q": "apotek", "region": "PLG"})
    page = response.content.decode()
    assert "Pharmacy permit" in page and "Building approval" not in page
    assert "Kota Bontang</td>" not in page
    pupr = Agency.objects.get(region__code="BTG", code="PUPR")
    page = client.get(reverse("catalog:catalog"), {"agency": pupr.pk}).content.decode()
    assert "Building approval" in page and "Billboard permit" in page
    assert "Pharmacy permit" not in page


def test_catalog_list_has_fixed_query_count(client, demo, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):  # first visit: the list, and the cache filled
        client.get(reverse("catalog:catalog"))
    with django_assert_max_num_queries(3):  # then: the regions and two cache reads
        client.get(reverse("catalog:catalog"))


def test_cached_catalog_list_follows_every_change(client, demo):
    """The list is a cached fragment; saving a permit type, its route or an agency shows at
    once, and each language and filter has its own copy."""
    url = reverse("catalog:catalog")
    assert "Persetujuan Bangunan Gedung (PBG)" in client.get(url).content.decode()
    pbg = PermitType.objects.get(region__code="BTG", code="PBG")
    pbg.name_id = "Persetujuan Bangunan Gedung Terpadu"
    pbg.save()
    page = client.get(url).content.decode()
    assert "Persetujuan Bangunan Gedung Terpadu" in page
    pupr = pbg.route.select_related("agency").first().agency
    pupr.name = "Dinas PUPR dan Pertanahan"
    pupr.save()
    assert "Dinas PUPR dan Pertanahan" in client.get(url).content.decode()
    pbg.is_active = False
    pbg.save()
    assert "Persetujuan Bangunan Gedung Terpadu" not in client.get(url).content.decode()
    assert "Persetujuan Bangunan Gedung" not in client.get(url + "?region=BTG").content.decode()
    client.cookies["django_language"] = "en"
    assert '<html lang="en">' in client.get(url).content.decode()
    assert "Building approval (PBG)" in client.get(url + "?region=PLG").content.decode()


def test_sop_page_in_indonesian_and_english(client, demo):
    url = reverse("catalog:catalog_detail", args=["BTG", "PBG"])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert '<html lang="id">' in page
    assert "Persetujuan Bangunan Gedung (PBG)" in page
    assert "Sekretariat Dinas PUPR memeriksa kelengkapan." in page
    assert "Bukti hak atas tanah" in page
    client.cookies["django_language"] = "en"
    page = client.get(url).content.decode()
    assert '<html lang="en">' in page
    assert "Building approval (PBG)" in page
    assert "Proof of land rights" in page
    assert "Dinas Pekerjaan Umum dan Penataan Ruang" in page
    assert '<td data-label="Working days">28</td>' in page
    assert "UU 28/2002" in page  # legal basis
    assert "Free" not in page and "billed (SKRD) before the permit is issued" in page  # a levy


def test_inactive_or_unknown_permit_type_is_not_shown(client, demo):
    PermitType.objects.filter(region__code="BTG", code="PBG").update(is_active=False)
    assert client.get(reverse("catalog:catalog_detail", args=["BTG", "PBG"])).status_code == 404
    assert client.get(reverse("catalog:catalog_detail", args=["BTG", "NOPE"])).status_code == 404
    assert client.get(reverse("catalog:catalog_detail", args=["PLG", "PBG"])).status_code == 200


def test_blank_template_download(client, demo):
    from django.core.files.base import ContentFile

    requirement = apotek().requirements.get(code="surat_permohonan")
    requirement.template.save("x.pdf", ContentFile(b"%PDF-1.4 template"))
    permit_type_publish(permit_type=apotek())
    page = client.get(reverse("catalog:catalog_detail", args=["BTG", "SIA"])).content.decode()
    url = reverse("catalog:requirement_template", args=[requirement.pk])
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 template"
    other = apotek().requirements.get(code="sppl")
    assert client.get(reverse("catalog:requirement_template", args=[other.pk])).status_code == 404


def _admin_post_data(response) -> dict:
    """The change form's current values, as the browser would post them back."""
    data = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        data[name] = getattr(value, "pk", value)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for form in formset.initial_forms:
            data[form.add_prefix("id")] = form.instance.pk
            for name in form.fields:
                value = form.initial.get(name)
                if value is None or value is False or name == "template":
                    continue
                if isinstance(value, list):
                    import json

                    value = json.dumps(value)
                data[form.add_prefix(name)] = getattr(value, "pk", value)
    return data


def test_admin_save_publishes_a_new_version(client, demo):
    from accounts.models import User

    admin = User.objects.create_superuser(
        email="root@ptsp.local", password="x-very-secret-1", full_name="Root"
    )
    client.force_login(admin)
    permit_type = apotek()
    url = reverse("admin:catalog_permittype_change", args=[permit_type.pk])
    response = client.get(url)
    assert response.status_code == 200
    data = _admin_post_data(response)
    data["intake_days"] = "3"
    response = client.post(url, data)
    assert response.status_code == 302, [
        (i.formset.prefix, i.formset.errors, i.formset.non_form_errors())
        for i in response.context["inline_admin_formsets"]
    ]
    latest = permit_type.versions.order_by("-number").first()
    assert latest.number == 2 and latest.snapshot["intake_days"] == 3
    assert len(latest.snapshot["requirements"]) == 11


def test_sop_page_offers_login_to_anonymous_and_apply_to_applicants(client, demo, login):
    client.cookies["django_language"] = "en"
    url = reverse("catalog:catalog_detail", args=["BTG", "SIA"])
    page = client.get(url).content.decode()
    assert "Log in to apply" in page and "Apply for this permit" not in page
    login("budi.santoso@example.id")
    page = client.get(url).content.decode()
    assert "Apply for this permit" in page


def test_home_page_links_the_catalog_and_tracking(client, db):
    page = client.get(reverse("home")).content.decode()
    assert reverse("catalog:catalog") in page and reverse("applications:track") in page


def test_welcome_mail_links_exist(client, db):
    assert reverse("catalog:catalog") == "/catalog/"
    assert reverse("applications:my_applications") == "/applications/"


def test_catalog_list_in_indonesian(client, demo):
    page = client.get(reverse("catalog:catalog"), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert '<html lang="id">' in page
    assert "Izin Apotek (Surat Izin Apotek)" in page and "Izin Usaha Toko Swalayan" in page
    assert "Pharmacy permit" not in page


def test_catalog_generation_is_renewed_once_at_commit(demo):
    """Other web processes cannot see a change before its commit: the generation they key the
    cached list on is renewed then, once per transaction however many rows change (the test's
    transaction holds the demo's seeding and these saves)."""
    from django.db import transaction

    from catalog.signals import _new_generation, catalog_generation

    pbg = PermitType.objects.get(region__code="BTG", code="PBG")
    pbg.name_id = "Persetujuan Bangunan Gedung Terpadu"
    pbg.save()
    pbg.route.first().save()
    pbg.save()
    pending = [
        func
        for _sids, func, _robust in transaction.get_connection().run_on_commit
        if func is _new_generation
    ]
    assert len(pending) == 1
    before = catalog_generation()
    pending[0]()  # what the commit runs
    assert catalog_generation() != before


def test_admin_refuses_a_route_longer_than_the_legal_deadline_and_records_nothing(client, demo):
    """Issue 18: the route as edited against the legal deadlines as edited (SIA: 6 working days
    of review by law)."""
    from accounts.models import User

    admin = User.objects.create_superuser(
        email="root@ptsp.local", password="x-very-secret-1", full_name="Root"
    )
    client.force_login(admin)
    permit_type = apotek()
    versions = permit_type.versions.count()
    url = reverse("admin:catalog_permittype_change", args=[permit_type.pk])
    data = _admin_post_data(client.get(url))
    key = next(k for k in data if k.endswith("-review_days"))
    data[key] = "8"
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    errors = [
        str(e)
        for i in response.context["inline_admin_formsets"]
        for e in i.formset.non_form_errors()
    ]
    assert any("shorter than the internal budget (8" in e for e in errors), errors
    assert permit_type.versions.count() == versions
    assert permit_type.route.get().review_days == 6
