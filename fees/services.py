"""Writes for levies: tariffs, their versions with all their tables, levy policies; and the
assessment draft, the frozen computation that phase 2 stores with the assessment.

A version is written whole or not at all: its definition (every table) is checked first, with
every problem named, and only then written in one transaction under a lock on the tariff, so a
bad definition changes nothing. Overlapping periods are refused by name before the database's
exclusion constraint (`fees.constraints`) would refuse them, and that constraint stays the
last word if two writers race.

Who may call: seed and test code now; in phase 2 the region monitor's admin (scoped by the
admin rules of issue 14) and the assessing OPD's review. `by` is the acting user (None for the
system); it is recorded on the version.
"""

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from agencies.models import Region
from fees.calculation import compute
from fees.models import (
    KEY_VALIDATOR,
    LevyPolicy,
    PbgHeightIndex,
    PbgIndex,
    PbgInfrastructureItem,
    Tariff,
    TariffRate,
    TariffUnitFactor,
    TariffVersion,
    overlapping,
)
from fees.selectors import region_local_date, tariff_get, tariff_spec, tariff_version_on
from fees.terbilang import terbilang_rupiah
from ptsp.errors import Conflict, DomainError

DRAFT_SCHEMA = "fees.assessment-draft/1"
DEFAULT_WEIGHTS = {"complexity": "0.3", "permanence": "0.2", "height": "0.5"}
MAX_LOCALITY_INDEX = Decimal("0.005")
INDEX_PLACES = 4
INDEX_MAX = Decimal("99999.9999")
MONEY_MAX = Decimal("99999999999999")


class DefinitionError(DomainError):
    """A tariff version's definition with problems; `problems` lists every one of them."""

    def __init__(self, problems: list):
        self.problems = [str(p) for p in problems]
        super().__init__(
            " ".join(self.problems),
            code="invalid_tariff_definition",
            details={"problems": self.problems},
        )


# --- reading a definition -------------------------------------------------------------------


class _Reader:
    """Collects every problem of a definition instead of stopping at the first."""

    def __init__(self):
        self.problems: list = []

    def fail(self, message):
        self.problems.append(message)

    def decimal(self, raw, what, *, places: int | None, maximum: Decimal) -> Decimal | None:
        if raw is None or isinstance(raw, bool | float):
            self.fail(
                _("%(what)s must be given as an exact number (text or integer).") % {"what": what}
            )
            return None
        try:
            value = Decimal(str(raw).strip())
        except (InvalidOperation, ValueError):
            self.fail(_("%(what)s is not a number: “%(raw)s”.") % {"what": what, "raw": raw})
            return None
        if not value.is_finite():
            self.fail(_("%(what)s is not a number: “%(raw)s”.") % {"what": what, "raw": raw})
            return None
        if value < 0:
            self.fail(_("%(what)s cannot be negative.") % {"what": what})
            return None
        if value > maximum:
            self.fail(_("%(what)s is too large.") % {"what": what})
            return None
        if places is not None and value != value.quantize(Decimal(1).scaleb(-places)):
            if places == 0:
                self.fail(_("%(what)s must be whole rupiah.") % {"what": what})
            else:
                self.fail(
                    _("%(what)s has more than %(places)s decimals.")
                    % {"what": what, "places": places}
                )
            return None
        return value

    def money(self, raw, what) -> Decimal | None:
        return self.decimal(raw, what, places=0, maximum=MONEY_MAX)

    def index(self, raw, what) -> Decimal | None:
        return self.decimal(raw, what, places=INDEX_PLACES, maximum=INDEX_MAX)

    def text(self, raw, what, *, max_length: int) -> str:
        value = str(raw or "").strip()
        if not value:
            self.fail(_("%(what)s is missing.") % {"what": what})
        elif len(value) > max_length:
            self.fail(
                _("%(what)s is longer than %(n)s characters.") % {"what": what, "n": max_length}
            )
        return value

    def key(self, raw, what, seen: set) -> str:
        value = str(raw or "").strip()
        try:
            KEY_VALIDATOR(value)
        except ValidationError:
            self.fail(
                _("%(what)s: “%(key)s” is not a valid key (lower-case letters, digits, _ and -).")
                % {"what": what, "key": value}
            )
            return value
        if value in seen:
            self.fail(
                _("%(what)s: the key “%(key)s” appears twice.") % {"what": what, "key": value}
            )
        seen.add(value)
        return value

    def rows(self, raw, what) -> list:
        if raw in (None, ""):
            return []
        if not isinstance(raw, list | tuple) or not all(isinstance(r, Mapping) for r in raw):
            self.fail(_("%(what)s must be a list of rows.") % {"what": what})
            return []
        return list(raw)

    def unknown(self, definition: Mapping, allowed: set):
        extra = sorted(set(definition) - allowed)
        if extra:
            self.fail(
                _("The definition has entries this kind of tariff does not use: %(names)s.")
                % {"names": ", ".join(extra)}
            )


TABLE_LABELS = {
    PbgIndex.Table.FUNCTION: _("The function index table (If)"),
    PbgIndex.Table.COMPLEXITY: _("The complexity index table (Ik)"),
    PbgIndex.Table.PERMANENCE: _("The permanence index table (Ip)"),
    PbgIndex.Table.OWNERSHIP: _("The ownership factor table (Ifm)"),
    PbgIndex.Table.ACTIVITY: _("The activity index table (Ibg)"),
}


def _read_fixed(r: _Reader, d: Mapping) -> dict:
    r.unknown(d, {"fixed_amount"})
    amount = r.money(d.get("fixed_amount"), _("The fixed amount"))
    return {"fields": {"fixed_amount": amount}}


def _read_per_unit(r: _Reader, d: Mapping) -> dict:
    r.unknown(d, {"quantity_unit", "factors", "rates"})
    factors, rates = [], []
    seen: set = set()
    raw_factors = r.rows(d.get("factors"), _("The quantities"))
    if not raw_factors:
        r.fail(_("A per-unit tariff needs at least one quantity (e.g. area, days)."))
    for position, row in enumerate(raw_factors, start=1):
        factors.append(
            TariffUnitFactor(
                position=position,
                key=r.key(row.get("key"), _("Quantity %(n)s") % {"n": position}, seen),
                label=r.text(
                    row.get("label"),
                    _("The label of quantity %(n)s") % {"n": position},
                    max_length=120,
                ),
                unit=r.text(
                    row.get("unit"),
                    _("The unit of quantity %(n)s") % {"n": position},
                    max_length=20,
                ),
                integer_only=bool(row.get("integer_only", False)),
            )
        )
    seen = set()
    raw_rates = r.rows(d.get("rates"), _("The rate table"))
    if not raw_rates:
        r.fail(_("A per-unit tariff needs a rate table with at least one row."))
    for position, row in enumerate(raw_rates, start=1):
        what = _("Rate %(n)s") % {"n": position}
        rates.append(
            TariffRate(
                key=r.key(row.get("key"), what, seen),
                label=r.text(row.get("label"), what, max_length=200),
                rate=r.money(row.get("rate"), what),
            )
        )
    unit = str(d.get("quantity_unit") or "").strip()[:40]
    return {"fields": {"quantity_unit": unit}, "factors": factors, "rates": rates}


def _read_heights(r: _Reader, raw) -> list[PbgHeightIndex]:
    rows = r.rows(raw, _("The height index table (Ih)"))
    if not rows:
        r.fail(_("The height index table (Ih) is empty."))
        return []
    heights = []
    for position, row in enumerate(rows, start=1):
        what = _("Height row %(n)s") % {"n": position}
        start, end = row.get("floors_from"), row.get("floors_to")
        if isinstance(start, bool) or not isinstance(start, int) or start < 1:
            r.fail(
                _("%(what)s: “from floors” must be a whole number of at least 1.") % {"what": what}
            )
            continue
        if end is not None and (isinstance(end, bool) or not isinstance(end, int) or end < start):
            r.fail(
                _("%(what)s: “to floors” must be empty or at least “from floors”.") % {"what": what}
            )
            continue
        heights.append(
            PbgHeightIndex(floors_from=start, floors_to=end, value=r.index(row.get("value"), what))
        )
    heights.sort(key=lambda h: h.floors_from)
    expected = 1
    for position, h in enumerate(heights):
        if h.floors_from != expected:
            r.fail(
                _(
                    "The height index table (Ih) must cover every floor count from 1 without gaps or overlaps; it jumps at %(n)s floors."
                )
                % {"n": h.floors_from}
            )
            break
        if h.floors_to is None:
            if position != len(heights) - 1:
                r.fail(_("Only the last height row may be open-ended."))
            break
        expected = h.floors_to + 1
    return heights


def _read_pbg(r: _Reader, d: Mapping) -> dict:
    r.unknown(
        d,
        {"weights", "locality_index", "shst", "shst_year", "indices", "heights", "infrastructure"},
    )
    raw_weights = d.get("weights") or DEFAULT_WEIGHTS
    if not isinstance(raw_weights, Mapping) or set(raw_weights) - set(DEFAULT_WEIGHTS):
        r.fail(_("The weights are given for complexity, permanence and height."))
        raw_weights = DEFAULT_WEIGHTS
    weights = {
        name: r.decimal(
            raw_weights.get(name, DEFAULT_WEIGHTS[name]), label, places=3, maximum=Decimal(1)
        )
        for name, label in (
            ("complexity", _("The weight of complexity")),
            ("permanence", _("The weight of permanence")),
            ("height", _("The weight of height")),
        )
    }
    if all(w is not None for w in weights.values()) and sum(weights.values()) != 1:
        r.fail(
            _("The weights of complexity, permanence and height must add up to 1 (now %(sum)s).")
            % {"sum": sum(weights.values())}
        )
    ilo = r.decimal(
        d.get("locality_index"), _("The locality index (Ilo)"), places=6, maximum=Decimal(1)
    )
    if ilo is not None and not 0 < ilo <= MAX_LOCALITY_INDEX:
        r.fail(_("The locality index (Ilo) must be more than 0 and at most 0.5 % (0.005)."))
    shst = r.money(d.get("shst"), _("The SHST unit price"))
    if shst is not None and shst <= 0:
        r.fail(_("The SHST unit price must be more than 0."))
    year = d.get("shst_year")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        r.fail(_("The SHST year must be a year such as 2026."))
        year = None

    indices = []
    raw_indices = d.get("indices") or {}
    if not isinstance(raw_indices, Mapping):
        r.fail(_("The index tables are given by name."))
        raw_indices = {}
    unknown_tables = sorted(set(raw_indices) - set(PbgIndex.Table.values))
    if unknown_tables:
        r.fail(_("Unknown index tables: %(names)s.") % {"names": ", ".join(unknown_tables)})
    for table in PbgIndex.Table.values:
        label = TABLE_LABELS[table]
        rows = r.rows(raw_indices.get(table), label)
        if not rows:
            r.fail(_("%(table)s is empty.") % {"table": label})
        seen: set = set()
        for position, row in enumerate(rows, start=1):
            what = _("%(table)s, row %(n)s") % {"table": label, "n": position}
            indices.append(
                PbgIndex(
                    table=table,
                    key=r.key(row.get("key"), what, seen),
                    label=r.text(row.get("label"), what, max_length=200),
                    value=r.index(row.get("value"), what),
                )
            )
    heights = _read_heights(r, d.get("heights"))
    infrastructure = []
    seen = set()
    for position, row in enumerate(
        r.rows(d.get("infrastructure"), _("The infrastructure items")), start=1
    ):
        what = _("Infrastructure item %(n)s") % {"n": position}
        infrastructure.append(
            PbgInfrastructureItem(
                key=r.key(row.get("key"), what, seen),
                label=r.text(row.get("label"), what, max_length=200),
                unit=r.text(row.get("unit"), what, max_length=20),
                unit_price=r.money(row.get("unit_price"), what),
                index=r.index(row.get("index", "1"), what),
            )
        )
    return {
        "fields": {
            "weight_complexity": weights["complexity"],
            "weight_permanence": weights["permanence"],
            "weight_height": weights["height"],
            "locality_index": ilo,
            "shst": shst,
            "shst_year": year,
        },
        "indices": indices,
        "heights": heights,
        "infrastructure": infrastructure,
    }


READERS = {
    Tariff.Kind.FIXED: _read_fixed,
    Tariff.Kind.PER_UNIT: _read_per_unit,
    Tariff.Kind.PBG: _read_pbg,
}


def tariff_definition_check(*, tariff: Tariff, definition: Mapping) -> dict:
    """Read a version's definition for `tariff`'s kind; DefinitionError naming every problem.
    Returns the unsaved rows. Writes nothing."""
    r = _Reader()
    if not isinstance(definition, Mapping):
        raise DefinitionError([_("The definition must be given by name.")])
    parts = READERS[tariff.kind](r, definition)
    if r.problems:
        raise DefinitionError(r.problems)
    return parts


# --- writes -----------------------------------------------------------------------------------


def tariff_create(
    *, region: Region, code: str, name: str, kind: str, account_code: str, by=None
) -> Tariff:
    """A new tariff of `region` (without versions yet). DomainError on a bad or taken code."""
    tariff = Tariff(region=region, code=code, name=name, kind=kind, account_code=account_code)
    try:
        tariff.full_clean()
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), code="invalid_tariff") from exc
    tariff.save()
    return tariff


def _check_period(valid_from, valid_until, legal_basis) -> None:
    problems = []
    if not isinstance(valid_from, date) or isinstance(valid_from, datetime):
        problems.append(_("“Valid from” must be a date."))
    if valid_until is not None and (
        not isinstance(valid_until, date) or isinstance(valid_until, datetime)
    ):
        problems.append(_("“Valid until” must be a date or empty."))
    elif valid_until is not None and not problems and valid_until < valid_from:
        problems.append(_("A version cannot end before it starts."))
    if not str(legal_basis or "").strip():
        problems.append(_("The legal basis is missing (the regulation that sets these numbers)."))
    if problems:
        raise DefinitionError(problems)


def _refuse_overlap(queryset, valid_from, valid_until, message) -> None:
    clash = overlapping(queryset, valid_from, valid_until).first()
    if clash is not None:
        raise Conflict(message % {"period": clash.period}, code="overlapping_version")


OVERLAP_MESSAGE = _(
    "This period overlaps the version valid %(period)s. End that version the day before this "
    "one starts, or use a later date."
)


@transaction.atomic
def tariff_version_create(
    *,
    tariff: Tariff,
    valid_from: date,
    valid_until: date | None = None,
    legal_basis: str,
    definition: Mapping,
    note: str = "",
    by=None,
) -> TariffVersion:
    """Add a version to `tariff` with all its tables.

    Raises DefinitionError (every problem of the definition, nothing written) or Conflict (the
    period overlaps another version; nothing written). Locks the tariff row so that two
    writers of one tariff queue up; the exclusion constraint refuses what slips through."""
    _check_period(valid_from, valid_until, legal_basis)
    parts = tariff_definition_check(tariff=tariff, definition=definition)
    Tariff.objects.select_for_update(no_key=True).filter(pk=tariff.pk).first()
    _refuse_overlap(tariff.versions.all(), valid_from, valid_until, OVERLAP_MESSAGE)
    version = TariffVersion(
        tariff=tariff,
        valid_from=valid_from,
        valid_until=valid_until,
        legal_basis=str(legal_basis).strip(),
        note=note,
        created_by=by,
        **parts["fields"],
    )
    try:
        with transaction.atomic():
            version.save()
    except IntegrityError as exc:
        raise Conflict(
            _("Another version of this tariff was saved for an overlapping period just now."),
            code="overlapping_version",
        ) from exc
    for name in ("factors", "rates", "indices", "heights", "infrastructure"):
        rows = parts.get(name) or []
        for row in rows:
            row.version = version
        if rows:
            type(rows[0]).objects.bulk_create(rows)
    return version


@transaction.atomic
def tariff_version_supersede(
    *,
    tariff: Tariff,
    valid_from: date,
    legal_basis: str,
    definition: Mapping,
    valid_until: date | None = None,
    note: str = "",
    by=None,
) -> TariffVersion:
    """A new regulation replaces the version in force: the version valid the day before
    `valid_from` is ended on that day (if it runs on), then the new version is added.

    Only an ending is written on the old version; its numbers are never touched. Raises like
    `tariff_version_create`; a version starting on or after `valid_from` still conflicts."""
    _check_period(valid_from, valid_until, legal_basis)
    tariff_definition_check(tariff=tariff, definition=definition)
    Tariff.objects.select_for_update(no_key=True).filter(pk=tariff.pk).first()
    day_before = valid_from - timedelta(days=1)
    current = (
        overlapping(tariff.versions.select_for_update(no_key=True), day_before, day_before)
        .filter(valid_from__lt=valid_from)
        .first()
    )
    if current is not None and (current.valid_until is None or current.valid_until >= valid_from):
        current.valid_until = day_before
        current.save(update_fields=["valid_until"])
    return tariff_version_create(
        tariff=tariff,
        valid_from=valid_from,
        valid_until=valid_until,
        legal_basis=legal_basis,
        definition=definition,
        note=note,
        by=by,
    )


def levy_policy_set_interest_account(*, policy: LevyPolicy, code: str) -> LevyPolicy:
    """Set the revenue account a policy books late interest to (the one field of a saved policy
    that may change: payments keep the account they were booked to). DomainError when malformed."""
    policy.interest_account_code = str(code).strip()
    try:
        policy.clean_fields(
            exclude=[f.name for f in LevyPolicy._meta.fields if f.name != "interest_account_code"]
        )
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), code="invalid_levy_policy") from exc
    LevyPolicy.objects.filter(pk=policy.pk).update(
        interest_account_code=policy.interest_account_code
    )
    return policy


@transaction.atomic
def levy_policy_create(
    *,
    region: Region,
    valid_from: date,
    legal_basis: str,
    billing_prefix: str,
    valid_until: date | None = None,
    payment_due_days: int = 30,
    interest_rate_percent: Decimal | str = "1",
    interest_max_months: int = 24,
    partial_month_counts_as_full: bool = True,
    payable_days_after_due: int = 90,
    expired_bill_rule: str = LevyPolicy.ExpiredRule.CLOSE,
    interest_account_code: str = "",
) -> LevyPolicy:
    """A region's billing rules for a period. DomainError on bad values, Conflict on overlap."""
    _check_period(valid_from, valid_until, legal_basis)
    policy = LevyPolicy(
        region=region,
        valid_from=valid_from,
        valid_until=valid_until,
        legal_basis=str(legal_basis).strip(),
        billing_prefix=billing_prefix,
        payment_due_days=payment_due_days,
        interest_rate_percent=Decimal(str(interest_rate_percent)),
        interest_max_months=interest_max_months,
        partial_month_counts_as_full=partial_month_counts_as_full,
        payable_days_after_due=payable_days_after_due,
        expired_bill_rule=expired_bill_rule,
        interest_account_code=str(interest_account_code).strip(),
    )
    try:
        policy.full_clean(validate_constraints=False)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), code="invalid_levy_policy") from exc
    Region.objects.select_for_update(no_key=True).filter(pk=region.pk).first()
    _refuse_overlap(region.levy_policies.all(), valid_from, valid_until, OVERLAP_MESSAGE)
    try:
        with transaction.atomic():
            policy.save()
    except IntegrityError as exc:
        raise Conflict(
            _("Another levy policy of this region was saved for an overlapping period just now."),
            code="overlapping_version",
        ) from exc
    return policy


# --- the assessment draft ---------------------------------------------------------------------


def _digest(payload: dict) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def assessment_draft(
    *,
    region: Region,
    tariff_code: str,
    inputs: Mapping | None = None,
    on: date | datetime | None = None,
) -> dict:
    """Compute the levy of `tariff_code` in `region` for `inputs`, with the version valid on
    `on` (a local date, an aware datetime, or None for now) in the region's own time zone.

    Returns a JSON-ready snapshot — tariff and version ids and numbers' source, the normalised
    inputs, every step (labels in Indonesian and English), the lines with their account code,
    the total and the total in words — that refers to no live row except by id, so a later
    tariff change cannot change it; `digest` is the SHA-256 of the rest, to show it was not
    edited. Phase 2 stores it with the assessment. Writes nothing.

    Raises DomainError: unknown tariff, no version on that day, an incomplete version
    (IncompleteTariff), or bad inputs (InputError, with every input's message)."""
    day = region_local_date(region, on)
    tariff = tariff_get(region=region, code=tariff_code)
    version = tariff_version_on(tariff=tariff, day=day)
    result = compute(tariff_spec(version), inputs or {})
    lines = []
    for line in result.as_dict()["lines"]:
        lines.append({**line, "account_code": tariff.account_code})
    payload = {
        "schema": DRAFT_SCHEMA,
        "region": {"id": region.pk, "code": region.code, "timezone": region.timezone},
        "tariff": {
            "id": tariff.pk,
            "code": tariff.code,
            "name": tariff.name,
            "kind": tariff.kind,
            "account_code": tariff.account_code,
        },
        "tariff_version": {
            "id": version.pk,
            "valid_from": version.valid_from.isoformat(),
            "valid_until": version.valid_until.isoformat() if version.valid_until else None,
            "legal_basis": version.legal_basis,
        },
        "assessed_on": day.isoformat(),
        "inputs": result.inputs,
        "steps": [step.as_dict() for step in result.steps],
        "lines": lines,
        "total": str(result.total),
        "total_in_words": terbilang_rupiah(result.total),
    }
    return {**payload, "digest": _digest(payload)}
