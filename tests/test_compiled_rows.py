"""The lists read through SQL compiled once per thread (ptsp.statements.ValuesStatement, issue
20): the applicant's files and the notifications give the rows the ORM's `.values()` gives, for
the person asked about and nobody else, and a builder the module cannot compile safely is
refused."""

from datetime import timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from applications import selectors
from applications.models import Application, Notification
from ptsp.statements import ValuesStatement
from tests.conftest import in_threads
from tests.journeys import APPLICANT, applicant, recommended_application, submitted_application

pytestmark = pytest.mark.django_db

OTHER = "siti.rahma@example.id"


def test_the_applicants_files_are_the_orms_rows(demo, run_outbox):
    person = applicant()
    submitted_application()
    recommended_application()  # another stage, a route with reviews
    other_file = submitted_application(OTHER)
    compiled = selectors._applicant_file_rows.rows(applicant_id=person.pk)
    orm = list(selectors._applicant_file_rows_query(person.pk))
    assert compiled == orm and len(orm) >= 2
    assert all(
        type(a) is type(b)
        for x, y in zip(compiled, orm, strict=True)
        for a, b in zip(x.values(), y.values(), strict=True)
    )
    assert all(row["submitted_at"].tzinfo is not None for row in compiled if row["submitted_at"])
    assert all(isinstance(row["route"], list | type(None)) for row in compiled)
    numbers = {row["tracking_number"] for row in selectors.applicant_file_rows(person)}
    mine = set(
        Application.objects.filter(applicant=person).values_list("tracking_number", flat=True)
    )
    assert numbers == mine
    assert other_file.tracking_number not in numbers


def test_someone_with_no_files_has_no_rows(demo):
    from tests.factories import ApplicantFactory

    assert selectors.applicant_file_rows(ApplicantFactory()) == []


def test_the_notifications_are_the_orms_rows_newest_first_and_limited(demo):
    person = applicant()
    someone_else = applicant("verifikator.btg@ptsp.local")
    _notices(person, selectors.NOTIFICATIONS_LISTED + 5)
    Notification.objects.create(recipient=someone_else, subject="Bukan untuk Budi", body="Isi")
    compiled = selectors._notification_rows.rows(recipient_id=person.pk)
    assert compiled == list(selectors._notification_rows_query(person.pk))
    assert len(compiled) == selectors.NOTIFICATIONS_LISTED
    assert compiled[0]["subject"] == f"Pemberitahuan {selectors.NOTIFICATIONS_LISTED + 4}"
    shown = selectors.notification_rows(person)
    assert "Bukan untuk Budi" not in {row["subject"] for row in shown}
    assert Notification.objects.filter(recipient=someone_else).exists()


def _notices(person, n: int) -> None:
    start = timezone.now() - timedelta(days=1)
    Notification.objects.bulk_create(
        Notification(
            recipient=person,
            subject=f"Pemberitahuan {i}",
            body="Isi",
            url="/applications/",
            created_at=start + timedelta(minutes=i),
        )
        for i in range(n)
    )


def test_a_builder_that_uses_its_parameter_twice_or_never_is_refused(demo):
    twice = ValuesStatement(
        lambda person_id: Application.objects.filter(
            Q(applicant_id=person_id) | Q(region_id=person_id)
        ).values("pk")
    )
    with pytest.raises(RuntimeError, match="not exactly one value"):
        twice.rows(person_id=1)
    never = ValuesStatement(lambda person_id: Application.objects.values("pk"))
    with pytest.raises(RuntimeError, match="not exactly one value"):
        never.rows(person_id=1)


def test_only_integers_are_compared(demo):
    with pytest.raises(TypeError):
        selectors._applicant_file_rows.rows(applicant_id="1")


@pytest.mark.django_db(transaction=True)
def test_threads_each_compile_their_own(demo):
    person = applicant(APPLICANT)
    _notices(person, 3)
    expected = list(selectors._notification_rows_query(person.pk))
    reads = in_threads(
        lambda: [selectors._notification_rows.rows(recipient_id=person.pk) for _ in range(10)],
        count=4,
    )
    assert all(rows == expected for read in reads for rows in read)
    assert len(reads) == 4 and all(len(read) == 10 for read in reads)
