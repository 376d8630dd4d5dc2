"""The person's row read on every logged-in request through a statement compiled once per thread
(accounts.models.UserManager.get, ptsp.statements.RowByPk; issue 20): the same object the ORM
builds, read fresh each time, and every other `get` left to the ORM."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from tests.conftest import in_threads
from tests.factories import PASSWORD, ApplicantFactory

pytestmark = pytest.mark.django_db


def _compiled_sql_prefix() -> str:
    from accounts.models import _user_rows

    sql = _user_rows._local.compiled[1]
    return sql.split("%s")[0]


def _fields(user) -> dict:
    return {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields}


def test_the_compiled_read_builds_what_the_orm_builds():
    person = ApplicantFactory()
    with CaptureQueriesContext(connection) as queries:
        fast = User.objects.get(pk=person.pk)
    assert len(queries) == 1 and '"accounts_user"' in queries[0]["sql"]
    # It went through the compiled statement, whose SQL is the one run.
    assert queries[0]["sql"].startswith(_compiled_sql_prefix())
    orm = User._base_manager.get(pk=person.pk)  # a plain Manager: the ORM's own get
    assert type(fast) is User
    assert _fields(fast) == _fields(orm)
    assert fast.date_joined.tzinfo is not None
    assert (fast._state.db, fast._state.adding) == ("default", False)
    assert fast.check_password(PASSWORD) == orm.check_password(PASSWORD)


def test_each_read_sees_the_row_as_it_is_now():
    person = ApplicantFactory()
    assert User.objects.get(pk=person.pk).is_active
    User.objects.filter(pk=person.pk).update(is_active=False, full_name="Nama Baru")
    again = User.objects.get(pk=person.pk)
    assert (again.is_active, again.full_name) == (False, "Nama Baru")


def test_no_such_row_is_the_orms_does_not_exist():
    with pytest.raises(User.DoesNotExist, match=r"^User matching query does not exist\.$"):
        User.objects.get(pk=2**40)


def test_other_reads_are_the_orms():
    person = ApplicantFactory()
    assert User.objects.get(pk=str(person.pk)) == person
    assert User.objects.get(email=person.email) == person
    assert User.objects.get(pk=person.pk, is_active=True) == person
    assert User.objects.using("default").get(pk=person.pk) == person
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=person.pk, is_active=False)


@pytest.mark.django_db(transaction=True)
def test_threads_each_compile_their_own_and_read_the_same_row():
    person = ApplicantFactory()
    expected = _fields(User._base_manager.get(pk=person.pk))
    reads = in_threads(
        lambda: [_fields(User.objects.get(pk=person.pk)) for _ in range(20)], count=4
    )
    assert all(fields == expected for read in reads for fields in read)
    assert len(reads) == 4 and all(len(read) == 20 for read in reads)
