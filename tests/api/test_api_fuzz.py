"""Schemathesis fuzzes every operation of the published schema, in-process through the WSGI
app, as an authenticated applicant (token) and as an anonymous caller: no server error, every
response conforms to the schema (status, content type, body), invalid data is rejected.

Every default check runs except `positive_data_acceptance`: a request can match the schema and
still be refused by a rule the schema cannot express (a permit type that is not open, a verdict
on a document of another file, a draft that is incomplete); that is a 400 with a message, by
design, not a defect.

Bounded in time: a few examples per operation and mode, no shrinking, no example database,
and a hard cap on the whole run."""

import collections
import time

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.models import Scope
from api.services import api_token_create
from tests.api.conftest import APPLICANT, user
from tests.journeys import submitted_application

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(170)]

EXAMPLES = 5
TIME_CAP_SECONDS = 100
CALLS: list = []


@pytest.fixture
def wsgi_app(settings):
    # Many requests from one address and one person in a few seconds: lift the throttle here
    # (throttling has its own test).
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"},
    }
    # As Django's test client does: keep the test's database connection (and its transaction)
    # open across the requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def fuzz(schema, headers: dict, deadline: float) -> list[str]:
    """Run every operation in both modes; return the operations that were exercised."""
    exercised = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            assert time.monotonic() < deadline, "the fuzzing run went over its time cap"

            @given(case=operation.as_strategy(generation_mode=mode))
            @hypothesis_settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def run(case):
                CALLS.append(case.operation.label)
                case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

            try:
                run()
            except Unsatisfiable:
                # Nothing in this operation can be made invalid (e.g. a POST without a body
                # whose only parameter is the id in its path): there is no negative case.
                assert mode == GenerationMode.NEGATIVE, operation.label
        exercised.append(f"{operation.method.upper()} {operation.path}")
    return exercised


def test_every_operation_fuzzed_as_applicant_and_anonymous(wsgi_app, demo):
    deadline = time.monotonic() + TIME_CAP_SECONDS
    submitted_application()  # something to find
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/schema/", wsgi_app, headers={"Accept": "application/vnd.oai.openapi+json"}
    )
    _token, raw = api_token_create(
        user=user(APPLICANT),
        name="fuzz",
        scopes=[Scope.READ, Scope.APPLICATIONS_WRITE],
        actor=None,
    )
    as_applicant = fuzz(
        schema, {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}, deadline
    )
    anonymous = fuzz(schema, {"Accept-Language": "id"}, deadline)
    assert as_applicant == anonymous

    print(len(CALLS), collections.Counter(CALLS))
    assert "POST /api/v1/intake/{id}/accept/" in as_applicant
    assert len(as_applicant) >= 20
