"""Double submits and concurrent submits on a transactional database, with real threads."""

import re
import threading

import pytest
from django.db import connection

from applications.models import Application, Event, Status
from applications.services import filing
from ptsp.errors import Conflict
from tests.journeys import applicant, complete_draft

pytestmark = [pytest.mark.django_db(transaction=True)]


def run_in_threads(functions):
    results, barrier = [None] * len(functions), threading.Barrier(len(functions))

    def runner(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, f)) for i, f in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_tabs_submitting_at_once_make_one_submission(demo):
    application = complete_draft()
    user = applicant()
    results = run_in_threads(
        [lambda: filing.application_submit(application_id=application.pk, actor=user)] * 4
    )
    succeeded = [r for r in results if isinstance(r, Application)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(succeeded) == 1 and len(refused) == 3, results
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert application.tracking_number == succeeded[0].tracking_number
    assert Event.objects.filter(application=application, action="submit").count() == 1


def test_concurrent_submits_get_unique_consecutive_tracking_numbers(demo):
    user = applicant()
    drafts = [complete_draft(user) for _ in range(6)]
    results = run_in_threads(
        [(lambda pk=d.pk: filing.application_submit(application_id=pk, actor=user)) for d in drafts]
    )
    assert all(isinstance(r, Application) for r in results), results
    numbers = sorted(r.tracking_number for r in results)
    assert len(set(numbers)) == 6
    assert all(re.fullmatch(r"BTG-\d{4}-\d{6}", n) for n in numbers)
    sequences = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert sequences == list(range(sequences[0], sequences[0] + 6))
