"""Two writers adding overlapping versions of one tariff at the same moment: one wins, the
other is refused with the conflict message, and the table holds one version."""

import threading

import pytest
from django.db import connection

from fees.demo import pbg_definition
from fees.models import Tariff
from fees.selectors import region_local_date
from fees.services import tariff_create, tariff_version_create
from ptsp.errors import Conflict

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_overlapping_versions_racing_leave_exactly_one(btg):
    tariff = tariff_create(
        region=btg, code="PBG", name="PBG", kind=Tariff.Kind.PBG, account_code="4.1.02.03"
    )
    today = region_local_date(btg)
    definition = pbg_definition(locality_index="0.005", shst=7_350_000, shst_year=today.year)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def writer():
        try:
            barrier.wait(timeout=10)
            tariff_version_create(
                tariff=tariff, valid_from=today, legal_basis="Perda uji", definition=definition
            )
            outcomes.append("created")
        except Conflict as exc:
            outcomes.append(f"conflict: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(o.split(":")[0] for o in outcomes) == ["conflict", "created"]
    assert tariff.versions.count() == 1
