"""The permit catalog admin is region-scoped: a region's admin sees and changes only its own."""

import pytest
from django.urls import reverse

from catalog.models import PermitType

pytestmark = pytest.mark.django_db


def test_region_admin_sees_only_own_permit_types(client, demo, login):
    login("monitor.btg@ptsp.local")
    response = client.get(reverse("admin:catalog_permittype_changelist"))
    assert response.status_code == 200
    shown = set(response.context["cl"].queryset.values_list("region__code", flat=True))
    assert shown == {"BTG"}
    plg = PermitType.objects.get(region__code="PLG", code="PBG")
    response = client.get(reverse("admin:catalog_permittype_change", args=[plg.pk]))
    assert response.status_code == 302  # "does not exist" for another region's row
    btg = PermitType.objects.get(region__code="BTG", code="PBG")
    response = client.get(reverse("admin:catalog_permittype_change", args=[btg.pk]))
    assert response.status_code == 200
    agency_choices = (
        response.context["inline_admin_formsets"][0].formset.forms[0].fields["agency"].queryset
    )
    assert set(agency_choices.values_list("region__code", flat=True)) == {"BTG"}
