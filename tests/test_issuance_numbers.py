"""Permit numbers under concurrency: no gaps, no duplicates, also when transactions roll back.

Real threads on real PostgreSQL (a transactional test database): each thread has its own
connection and its own transaction, as two web workers would.
"""

import threading

import pytest
from django.db import connection, transaction

from accounts.models import User
from permits.models import Permit, PermitCounter
from permits.services.issuance import permit_issue
from tests.journeys import recommended_application

COMMITTED = 32
ROLLED_BACK = 8


class RolledBack(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_32_concurrent_issuances_give_32_consecutive_numbers(demo, signing_cert):
    applications = [recommended_application() for _ in range(COMMITTED + ROLLED_BACK)]
    # Every fifth issuance is rolled back after taking its number (e.g. a later step failed).
    roll_back = {a.pk for a in applications[::5]}
    assert len(roll_back) == ROLLED_BACK
    barrier = threading.Barrier(len(applications))
    errors: list[BaseException] = []

    def issue(application_id: int) -> None:
        try:
            signer = User.objects.get(email="kepala.btg@ptsp.local")
            barrier.wait(timeout=30)
            with transaction.atomic():
                permit_issue(application_id=application_id, actor=signer)
                if application_id in roll_back:
                    raise RolledBack
        except RolledBack:
            pass
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(a.pk,)) for a in applications]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors

    permits = list(Permit.objects.order_by("sequence"))
    assert [p.sequence for p in permits] == list(range(1, COMMITTED + 1))
    assert len({p.number for p in permits}) == COMMITTED
    assert {p.application_id for p in permits}.isdisjoint(roll_back)
    assert PermitCounter.objects.get().last_value == COMMITTED
    assert all(f"/{p.sequence:04d}/" in p.number for p in permits)
