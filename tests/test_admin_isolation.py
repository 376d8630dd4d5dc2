"""Region isolation in the admin: every admin model × list / add / change / delete × every
foreign key, many-to-many and inline field, as each region's admin. Nothing of another region
can be chosen, seen or changed; people are the region's staff only (applicants, platform admins
and other regions' staff are managed by platform admins); a person's e-mail and password are a
platform admin's to change. The attack of issue 14 (a Bontang monitor adding a Palembang
officer to a Bontang agency, then taking over the account) is replayed and refused."""

import re

import pytest
from django import forms
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse

from accounts.models import User
from agencies.admin_scoping import region_path
from agencies.grants import power_grant_request
from agencies.models import Agency, Membership, Region, Role
from agencies.selectors import region_staff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

REGION_ADMINS = {"BTG": "monitor.btg@ptsp.local", "PLG": "monitor.plg@ptsp.local"}
OTHER = {"BTG": "PLG", "PLG": "BTG"}


def _foreign(model, code: str):
    """The rows of `model` a region admin of `code` must never choose, see or change."""
    own = Region.objects.filter(code=code)
    if model is User:
        return User.objects.exclude(pk__in=region_staff(own).values("pk"))
    path = region_path(model)
    if path is None:
        return model._default_manager.all()  # not placed in any region: platform admins only
    if path == "pk":
        return model._default_manager.exclude(code=code)
    return model._default_manager.exclude(**{f"{path}__code": code})


def _markers(code: str) -> list[str]:
    other = Region.objects.get(code=OTHER[code])
    return [other.name, f"({other.code})", f".{other.code.lower()}@ptsp.local"]


def _url(model, view: str, *args) -> str | None:
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)
    except NoReverseMatch:
        return None


def _choice_fields(response):
    """Every model-choice field of the page's form and of its inlines' forms."""
    context = response.context
    found = []
    if context.get("adminform") is not None:
        found += list(context["adminform"].form.fields.items())
    for inline in context.get("inline_admin_formsets") or []:
        formset = inline.formset
        for form in [*formset.forms, formset.empty_form]:
            found += list(form.fields.items())
    # An inline form's hidden "id" is not a choice: the formset looks a posted id up among the
    # parent's own rows only (BaseInlineFormSet), so another row's id makes a new row, never
    # an edit of the other region's.
    return [
        (name, field)
        for name, field in found
        if isinstance(field, forms.ModelChoiceField | forms.ModelMultipleChoiceField)
        and not (name == "id" and isinstance(field.widget, forms.HiddenInput))
    ]


def _check_page(response, code, where, problems):
    body = response.content.decode()
    for marker in _markers(code):
        if marker in body:
            problems.append(f"{where}: shows {marker!r} of the other region")
    for name, field in _choice_fields(response):
        offered = field.queryset
        foreign = _foreign(offered.model, code)
        leaked = offered.filter(pk__in=foreign.values("pk"))
        if leaked.exists():
            problems.append(f"{where}: field {name!r} offers {list(leaked[:3])}")


@pytest.fixture
def data(demo):
    """Both regions with staff of every role, their catalogs, and a pending power grant in
    each (so that every admin list has rows of both regions)."""
    for code in ("BTG", "PLG"):
        agency = Agency.objects.get(region__code=code, kind=Agency.Kind.DPMPTSP)
        verifier = User.objects.get(email=f"verifikator.{code.lower()}@ptsp.local")
        power_grant_request(
            actor=User.objects.get(email="admin@ptsp.local"),
            user=verifier,
            agency=agency,
            role=Role.SIGNER,
        )


@pytest.mark.parametrize("code", ["BTG", "PLG"])
def test_the_admin_walk_every_model_view_and_field(data, code):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.get(email=REGION_ADMINS[code]))
    problems = []
    walked = 0
    for model, model_admin in admin.site._registry.items():
        name = model._meta.label
        changelist = _url(model, "changelist")
        response = client.get(changelist)
        foreign = list(_foreign(model, code)[:8])
        if response.status_code == 403:
            # Not a region admin's model at all: nothing of it can be opened or added.
            add = _url(model, "add")
            if add and client.get(add).status_code not in (403, 302):
                problems.append(f"{name}: add page open to a region admin")
            for obj in foreign[:2]:
                for view in ("change", "delete", "history"):
                    url = _url(model, view, obj.pk)
                    if url and client.get(url).status_code == 200:
                        problems.append(f"{name}: {view} of {obj!r} open to a region admin")
            continue
        walked += 1
        assert response.status_code == 200, f"{name}: {response.status_code}"
        _check_page(response, code, f"{name} list", problems)
        for obj in foreign:
            for view in ("change", "delete", "history", "password"):
                url = _url(model, view, obj.pk)
                if view == "password" and model is User:
                    url = reverse("admin:auth_user_password_change", args=[obj.pk])
                if url and client.get(url).status_code == 200:
                    problems.append(f"{name}: {view} of another region's {obj!r} answered 200")
            change = _url(model, "change", obj.pk)
            if change and change in response.content.decode():
                problems.append(f"{name} list links to another region's {obj!r}")
        # Posting a change or a delete of another region's row changes nothing.
        for obj in foreign[:2]:
            before = model._default_manager.filter(pk=obj.pk).values().first()
            for view, body in (("change", {}), ("delete", {"post": "yes"})):
                url = _url(model, view, obj.pk)
                if url and client.post(url, body).status_code == 200:
                    problems.append(f"{name}: POST {view} of another region's {obj!r} answered 200")
            if model._default_manager.filter(pk=obj.pk).values().first() != before:
                problems.append(f"{name}: another region's {obj!r} was changed")
        add = _url(model, "add")
        if add and model_admin.has_add_permission(response.wsgi_request):
            page = client.get(add)
            assert page.status_code == 200, f"{name} add: {page.status_code}"
            _check_page(page, code, f"{name} add", problems)
        own = model_admin.get_queryset(response.wsgi_request).first()
        if own is not None:
            page = client.get(_url(model, "change", own.pk))
            assert page.status_code == 200, f"{name} change of own {own!r}: {page.status_code}"
            _check_page(page, code, f"{name} change", problems)
            delete = _url(model, "delete", own.pk)
            if model_admin.has_delete_permission(response.wsgi_request, own):
                page = client.get(delete)
                if page.status_code == 200:
                    _check_page(page, code, f"{name} delete", problems)
    assert not problems, "\n".join(problems)
    # The region admin's own models were walked: agencies, memberships, holidays, people,
    # permit types, power grants and their log; tariffs, tariff versions and levy policies.
    assert walked == 10, walked


@pytest.mark.parametrize("code", ["BTG", "PLG"])
def test_the_user_autocomplete_offers_the_regions_staff_only(data, code):
    client = Client()
    client.force_login(User.objects.get(email=REGION_ADMINS[code]))
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "agencies", "model_name": "membership", "field_name": "user", "term": ""},
    )
    assert response.status_code == 200
    shown = {int(r["id"]) for r in response.json()["results"]}
    own = Region.objects.filter(code=code)
    assert shown and shown <= set(region_staff(own).values_list("pk", flat=True))
    assert not shown & set(User.objects.filter(is_superuser=True).values_list("pk", flat=True))
    assert not any("@example.id" in r["text"] for r in response.json()["results"])  # applicants


def test_the_takeover_of_issue_14_is_refused(data):
    """monitor.btg adds a Membership for a Palembang officer to a Bontang agency, then would
    change that user's e-mail and reset the password: each step is refused, nothing changes."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.get(email="monitor.btg@ptsp.local"))
    victim = User.objects.get(email="petugas.dinkes.plg@ptsp.local")
    dinkes_btg = Agency.objects.get(region__code="BTG", code="DINKES")
    before = Membership.objects.count()
    response = client.post(
        reverse("admin:agencies_membership_add"),
        {"user": victim.pk, "agency": dinkes_btg.pk, "role": Role.OFFICER, "is_active": "on"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Membership.objects.count() == before
    assert not Membership.objects.filter(user=victim, agency__region__code="BTG").exists()
    for url in (
        reverse("admin:accounts_user_change", args=[victim.pk]),
        reverse("admin:auth_user_password_change", args=[victim.pk]),
    ):
        assert client.get(url).status_code in (302, 403, 404), url
    posted = client.post(
        reverse("admin:auth_user_password_change", args=[victim.pk]),
        {"password1": "took-it-over-99", "password2": "took-it-over-99"},
    )
    assert posted.status_code in (302, 403, 404)
    victim.refresh_from_db()
    assert victim.check_password("demo-ptsp-2026")


def test_a_region_admin_cannot_change_the_login_of_its_own_staff(data):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.get(email="monitor.btg@ptsp.local"))
    officer = User.objects.get(email="petugas.dinkes.btg@ptsp.local")
    page = client.get(reverse("admin:accounts_user_change", args=[officer.pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "email" not in form.fields and "is_superuser" not in form.fields
    assert (
        client.get(reverse("admin:auth_user_password_change", args=[officer.pk])).status_code == 403
    )
    data = {
        "email": "attacker@evil.example",
        "full_name": officer.full_name,
        "language": "id",
        "is_active": "on",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    client.post(reverse("admin:accounts_user_change", args=[officer.pk]), data)
    officer.refresh_from_db()
    assert officer.email == "petugas.dinkes.btg@ptsp.local"
    # A platform admin can.
    platform = Client()
    platform.force_login(User.objects.get(email="admin@ptsp.local"))
    assert (
        platform.get(reverse("admin:auth_user_password_change", args=[officer.pk])).status_code
        == 200
    )


def test_a_region_admin_makes_staff_of_its_own_region_only(data):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.get(email="monitor.btg@ptsp.local"))
    add = reverse("admin:accounts_user_add")
    page = client.get(add)
    agencies = page.context["adminform"].form.fields["agency"].queryset
    assert set(agencies.values_list("region__code", flat=True)) == {"BTG"}
    plg_agency = Agency.objects.get(region__code="PLG", code="DINKES")
    body = {
        "email": "baru.btg@ptsp.local",
        "full_name": "Petugas Baru",
        "password1": "pesut-mahakam-42",
        "password2": "pesut-mahakam-42",
        "agency": plg_agency.pk,
        "role": Role.OFFICER,
    }
    refused = client.post(add, body)
    assert refused.status_code == 200 and not User.objects.filter(email=body["email"]).exists()
    body["agency"] = Agency.objects.get(region__code="BTG", code="DINKES").pk
    made = client.post(add, body)
    assert made.status_code == 302, made.context["adminform"].form.errors
    made = User.objects.get(email=body["email"])
    assert list(made.memberships.values_list("agency__region__code", "role")) == [
        ("BTG", Role.OFFICER)
    ]


def test_no_admin_page_lists_another_regions_names_in_its_filters(data):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.get(email="monitor.btg@ptsp.local"))
    page = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "Kota Palembang" not in page
    assert not re.search(r"\.plg@ptsp\.local", page)
