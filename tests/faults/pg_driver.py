"""The application side of tests/faults/test_postgres_restart.py, run as its own process against
the test's own PostgreSQL (DATABASE_URL). `drafts N` prints the ids of N complete drafts;
`work ID...` submits, accepts and routes them from 4 threads, retrying each step after a
database error as a user pressing the button again would, and prints what happened."""

import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import django

django.setup()

from django.db import DatabaseError, InterfaceError, OperationalError, connection  # noqa: E402

from accounts.models import User  # noqa: E402
from ptsp.errors import Conflict, DomainError  # noqa: E402

VERIFIER = "verifikator.btg@ptsp.local"
errors = []
lock = threading.Lock()


def retry(step, *, deadline=60.0):
    """Run `step` until it succeeds; a Conflict means an earlier attempt did commit."""
    start = time.monotonic()
    while True:
        try:
            return step()
        except (Conflict, DomainError) as exc:
            return exc
        except (OperationalError, InterfaceError, DatabaseError) as exc:
            with lock:
                errors.append(type(exc).__name__)
            connection.close()
            if time.monotonic() - start > deadline:
                raise
            time.sleep(0.3)


def drafts(count: int) -> None:
    from tests.journeys import CLINIC_DATA, clinic_type, draft

    ptype = clinic_type()
    user = User.objects.get(email="budi.santoso@example.id")
    data = {**CLINIC_DATA, "business_name": "Klinik Gangguan"}
    ids = [draft(ptype, user, data).pk for _ in range(count)]
    print(json.dumps(ids))


def work(ids: list[int]) -> None:
    from applications.models import Application
    from applications.services import filing
    from applications.services.intake import application_accept
    from outbox.testing import run_pending
    from tests.journeys import all_accepted

    def one(pk):
        try:
            user = retry(lambda: User.objects.get(email="budi.santoso@example.id"))
            verifier = retry(lambda: User.objects.get(email=VERIFIER))
            retry(lambda: filing.application_submit(application_id=pk, actor=user))
            time.sleep(0.05)
            app = retry(lambda: Application.objects.get(pk=pk))
            retry(
                lambda: application_accept(
                    application_id=pk, actor=verifier, verdicts=all_accepted(app)
                )
            )
        finally:
            connection.close()

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(one, ids))
    retry(lambda: run_pending(max_rounds=50))
    print(json.dumps({"errors": errors}))


if __name__ == "__main__":
    if sys.argv[1] == "drafts":
        drafts(int(sys.argv[2]))
    else:
        work([int(x) for x in sys.argv[2:]])
