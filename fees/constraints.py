"""A database guarantee that the validity periods of one owner's versions never overlap.

The textbook constraint is `EXCLUDE USING gist (owner_id WITH =, daterange(...) WITH &&)`,
which needs the btree_gist extension for the `=` on an integer column. The pip-shipped
PostgreSQL of the embedded default (pgserver, docs/adr/0002) has no btree_gist, and a schema
that differs between the laptop and production is worse than a small trick. So the owner and
the dates are folded into one range of integers, which core PostgreSQL indexes with GiST:

    band(owner) = owner_id × 10⁷               (10⁷ days ≈ 27 000 years: one band per owner)
    lower       = band + (valid_from  − 0001-01-01)        in days
    upper       = band + (valid_until − 0001-01-01)        or band + 10⁷ − 1 when open-ended
    EXCLUDE USING gist (int8range(lower, upper, '[]') WITH &&)

Two versions of different owners live in different bands and never meet; two versions of one
owner overlap exactly when their inclusive date ranges do. Every function used is immutable,
as an index expression must be. `upper` is never below `lower` (GREATEST) so that a row with
its dates the wrong way round is refused by its own CHECK constraint, with its own name, and
not by an error inside the range constructor. Django's `ExclusionConstraint.validate` runs the
same expression for `full_clean()`, so forms see the violation before the database does.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import BigIntegerRangeField
from django.contrib.postgres.fields.ranges import RangeOperators
from django.db.models import BigIntegerField, F, Func, IntegerField, Value
from django.db.models.functions import Cast, Coalesce, Greatest

BAND = 10_000_000


class DaysSinceYearOne(Func):
    """`date − DATE '0001-01-01'`: a date as a whole number of days (immutable)."""

    template = "(%(expressions)s - DATE '0001-01-01')"
    output_field = IntegerField()


class ValidityBand(Func):
    """int8range over an owner's band: see the module docstring."""

    function = "int8range"
    output_field = BigIntegerRangeField()

    def __init__(self, owner, start, end, **extra):
        base = Cast(owner, BigIntegerField()) * Value(BAND)
        lower = base + DaysSinceYearOne(start)
        upper = Greatest(
            Coalesce(base + DaysSinceYearOne(end), base + Value(BAND - 1)),
            base + DaysSinceYearOne(start),
        )
        super().__init__(lower, upper, Value("[]"), **extra)


def no_overlapping_versions(*, owner: str, name: str, message) -> ExclusionConstraint:
    """The exclusion constraint for models with `valid_from` / `valid_until` (inclusive)."""
    return ExclusionConstraint(
        name=name,
        index_type="gist",
        expressions=[
            (ValidityBand(F(owner), F("valid_from"), F("valid_until")), RangeOperators.OVERLAPS)
        ],
        violation_error_message=message,
    )
