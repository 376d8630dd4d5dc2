"""Renewal starts a new application prefilled from the old one."""

import pytest
from django.urls import reverse

from applications.models import Application, Status
from applications.services.filing import application_renew
from permits.models import Permit
from permits.services.issuance import permit_issue, permit_revoke
from ptsp.errors import DomainError, NotAllowed
from tests.journeys import recommended_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def permit(demo, signing_cert, run_outbox):
    from accounts.models import User

    application = recommended_application()
    permit = permit_issue(
        application_id=application.pk, actor=User.objects.get(email="kepala.btg@ptsp.local")
    )
    run_outbox()
    permit.refresh_from_db()
    assert permit.status == Permit.Status.VALID
    return permit


def test_renewal_is_a_prefilled_draft_of_the_same_type(permit, client, login):
    login("budi.santoso@example.id")
    response = client.post(reverse("applications:renew", args=[permit.pk]))
    draft = Application.objects.get(renewal_of=permit)
    assert response.status_code == 302 and response.url == reverse(
        "applications:edit", args=[draft.pk]
    )
    old = permit.application
    assert draft.status == Status.DRAFT and draft.permit_type == old.permit_type
    assert (draft.business_name, draft.nib, draft.kbli, draft.address) == (
        old.business_name,
        old.nib,
        old.kbli,
        old.address,
    )
    assert draft.form_data == old.form_data
    assert not draft.documents.exists()
    # A second click continues the same draft.
    client.post(reverse("applications:renew", args=[permit.pk]))
    assert Application.objects.filter(renewal_of=permit).count() == 1


def test_only_the_holder_renews_and_not_a_revoked_permit(permit, client, login):
    from accounts.models import User

    login("siti.rahma@example.id")
    assert client.post(reverse("applications:renew", args=[permit.pk])).status_code == 404
    with pytest.raises(NotAllowed):
        application_renew(
            permit_id=permit.pk, actor=User.objects.get(email="siti.rahma@example.id")
        )
    permit_revoke(
        permit_id=permit.pk,
        actor=User.objects.get(email="kepala.btg@ptsp.local"),
        reason="Pelanggaran",
    )
    with pytest.raises(DomainError):
        application_renew(permit_id=permit.pk, actor=permit.application.applicant)
    assert not Application.objects.filter(renewal_of=permit).exists()
