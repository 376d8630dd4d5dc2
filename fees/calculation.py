"""The levy formula engine: pure functions from a tariff version's data (a *spec*) and the inputs
to the amount and every step of the computation, for a calculator-like display.

No database and no clock here: `fees.selectors.tariff_spec` turns the version valid on the
date into a spec, `fees.services.assessment_draft` calls `compute` and freezes the result.

Three kinds of tariff:
- fixed:    amount = the version's fixed amount;
- per unit: amount = Π quantities × rate(row), e.g. width × height × days × the zone's rate;
- PBG (PP 16/2021, the national building system's formula):
      It   = If × (bk·Ik + bp·Ip + bh·Ih) × Ifm            integrated index
      L_bg = LLt × Ilo × SHST × It × Ibg                    building
      L_p  = Σ volume × Ip_item × Ibg × unit price          infrastructure (prasarana)
  with If the function index, Ik complexity, Ip permanence, Ih height (by floors), bk/bp/bh
  their weights (0.3/0.2/0.5 by default), Ifm the ownership factor, LLt the total floor area,
  Ilo the locality index (≤ 0.5 %), SHST the region's standard unit price of the year, Ibg
  the activity index (1 for a new building).

Arithmetic and rounding (written down because a bill must be reproducible to the rupiah):
- every number is a Decimal, never a float; inputs given as text are read exactly;
- indices and intermediate products are kept at full precision, never rounded in between;
- each billed line (the building, each infrastructure item, a per-unit or fixed amount) is
  rounded once to whole rupiah, half up (ROUND_HALF_UP: ,50 and above goes up);
- the total is the sum of the rounded lines, so the SKRD's lines add up to its total.
No rule for rounding was found in the PP or the SIMBG screens we read; this is our documented
choice (docs/fees.md), the one a treasurer can redo with a pocket calculator.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ptsp.errors import DomainError

ONE_RUPIAH = Decimal(1)
MAX_QUANTITY = Decimal("100000000")  # 10⁸ m², days, metres: anything larger is a typo
LANGUAGES = ("id", "en")


class InputError(DomainError):
    """Bad inputs for a computation; `errors` maps each input to its message."""

    def __init__(self, errors: dict):
        self.errors = errors
        super().__init__(
            "; ".join(str(m) for m in errors.values()),
            code="invalid_input",
            field=next(iter(errors)),
            details={"errors": {k: str(v) for k, v in errors.items()}},
        )


class IncompleteTariff(DomainError):
    """The tariff version lacks a table or a value the computation needs."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message, code="incomplete_tariff", field=field)


# --- specs: a tariff version's data, detached from the database -------------------------------


@dataclass(frozen=True)
class Row:
    """One row of a keyed table: an index value or a rate, with its label."""

    key: str
    label: str
    value: Decimal


@dataclass(frozen=True)
class HeightRow:
    floors_from: int
    floors_to: int | None  # inclusive; None: and above
    value: Decimal

    def covers(self, floors: int) -> bool:
        return floors >= self.floors_from and (self.floors_to is None or floors <= self.floors_to)


@dataclass(frozen=True)
class InfrastructureRow:
    key: str
    label: str
    unit: str
    unit_price: Decimal
    index: Decimal


@dataclass(frozen=True)
class UnitFactor:
    key: str
    label: str
    unit: str
    integer_only: bool = False


@dataclass(frozen=True)
class FixedSpec:
    label: str
    amount: Decimal
    kind: str = "fixed"


@dataclass(frozen=True)
class PerUnitSpec:
    label: str
    factors: tuple[UnitFactor, ...]
    rates: Mapping[str, Row]
    quantity_unit: str = ""
    kind: str = "per_unit"


@dataclass(frozen=True)
class PbgSpec:
    label: str
    functions: Mapping[str, Row]
    complexities: Mapping[str, Row]
    permanences: Mapping[str, Row]
    ownerships: Mapping[str, Row]
    activities: Mapping[str, Row]
    heights: tuple[HeightRow, ...]
    infrastructure: Mapping[str, InfrastructureRow]
    locality_index: Decimal
    shst: Decimal
    shst_year: int
    weight_complexity: Decimal = Decimal("0.3")
    weight_permanence: Decimal = Decimal("0.2")
    weight_height: Decimal = Decimal("0.5")
    kind: str = "pbg"


Spec = FixedSpec | PerUnitSpec | PbgSpec


# --- the result: steps, lines and the total ---------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One line of the calculator: what it is, its formula in symbols, the values put in, and
    the result. `amount` is set on billed lines: the result rounded to whole rupiah."""

    key: str
    label: object  # a lazy translation: rendered in every language by as_dict()
    symbol: str = ""
    formula: str = ""
    values: tuple[tuple[str, str], ...] = ()
    result: Decimal | None = None
    unit: str = ""
    detail: str = ""
    amount: Decimal | None = None

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": render_all(self.label),
            "symbol": self.symbol,
            "formula": self.formula,
            "values": [[name, value] for name, value in self.values],
            "result": None if self.result is None else canonical(self.result),
            "unit": self.unit,
            "detail": self.detail,
            "amount": None if self.amount is None else str(self.amount),
        }


@dataclass(frozen=True)
class Line:
    """A billed line of the future SKRD (before account codes are attached)."""

    key: str
    label: object  # lazy, a Label, or data text
    amount: Decimal

    def as_dict(self) -> dict:
        return {"key": self.key, "label": render_all(self.label), "amount": str(self.amount)}


@dataclass(frozen=True)
class Computation:
    kind: str
    inputs: dict
    steps: tuple[Step, ...]
    lines: tuple[Line, ...]
    total: Decimal
    extras: dict = field(default_factory=dict)

    def step(self, key: str) -> Step:
        return next(s for s in self.steps if s.key == key)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "inputs": self.inputs,
            "steps": [s.as_dict() for s in self.steps],
            "lines": [line.as_dict() for line in self.lines],
            "total": str(self.total),
        }


class Label:
    """A translatable text with %-placeholders, formatted in the language active when it is
    turned into a string (a lazy translation followed by `%` would freeze one language)."""

    def __init__(self, text, **params):
        self.text = text
        self.params = params

    def __str__(self) -> str:
        return str(self.text) % self.params if self.params else str(self.text)


def render_all(label) -> dict:
    """A label (lazy, a Label, or plain data text) in every language of the portal:
    {"id": …, "en": …}. Data from a region's tables is Indonesian in both."""
    rendered = {}
    for language in LANGUAGES:
        with translation.override(language):
            rendered[language] = str(label)
    return rendered


def to_rupiah(value: Decimal) -> Decimal:
    """Round to whole rupiah, half up: the one rounding rule of every billed line."""
    return value.quantize(ONE_RUPIAH, rounding=ROUND_HALF_UP)


def canonical(value: Decimal) -> str:
    """A Decimal as text without an exponent and without trailing zeros: 0.21165, 600000."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


# --- reading inputs ---------------------------------------------------------------------------


def _decimal(raw) -> Decimal | None:
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, float):
        raw = repr(raw)
    if isinstance(raw, str):
        raw = raw.strip().replace(" ", "")
        if "," in raw and "." not in raw:
            raw = raw.replace(",", ".")  # Indonesian decimal comma: "150,5"
    try:
        value = Decimal(raw)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return value if value.is_finite() else None


def read_quantity(errors: dict, name: str, raw, label, *, integer: bool = False) -> Decimal:
    """A positive quantity (area, volume, days), or a message in `errors` under `name`."""
    value = _decimal(raw)
    if value is None:
        errors[name] = _("%(label)s must be a number.") % {"label": label}
        return Decimal(0)
    if value <= 0:
        errors[name] = _("%(label)s must be more than 0.") % {"label": label}
        return Decimal(0)
    if value > MAX_QUANTITY:
        errors[name] = _("%(label)s is too large.") % {"label": label}
        return Decimal(0)
    if integer and value != value.to_integral_value():
        errors[name] = _("%(label)s must be a whole number.") % {"label": label}
        return Decimal(0)
    return value


def read_key(errors: dict, name: str, raw, table: Mapping[str, Row], table_label) -> Row | None:
    """The row of `table` chosen by the key `raw`, or a message in `errors`."""
    if raw in (None, ""):
        errors[name] = _("Choose a value for %(table)s.") % {"table": table_label}
        return None
    row = table.get(str(raw))
    if row is None:
        errors[name] = _("There is no value for “%(key)s” in %(table)s of this tariff version.") % {
            "table": table_label,
            "key": raw,
        }
    return row


# --- fixed -----------------------------------------------------------------------------------


def compute_fixed(spec: FixedSpec, inputs: Mapping | None = None) -> Computation:
    if spec.amount is None or spec.amount < 0:
        raise IncompleteTariff(_("This tariff version has no fixed amount."), field="fixed_amount")
    amount = to_rupiah(Decimal(spec.amount))
    step = Step(
        key="fixed",
        label=_("Fixed levy"),
        symbol="R",
        formula="R",
        values=(("R", canonical(amount)),),
        result=amount,
        unit="Rp",
        detail=spec.label,
        amount=amount,
    )
    total = Step(key="total", label=_("Total levy"), result=amount, unit="Rp", amount=amount)
    return Computation(
        kind="fixed",
        inputs={},
        steps=(step, total),
        lines=(Line("fixed", spec.label, amount),),
        total=amount,
    )


# --- per unit --------------------------------------------------------------------------------


def compute_per_unit(spec: PerUnitSpec, inputs: Mapping) -> Computation:
    """inputs: {"rate": <row key, e.g. zone "A">, "quantities": {<factor key>: value, …}}"""
    if not spec.factors:
        raise IncompleteTariff(_("This tariff version defines no quantities."), field="factors")
    if not spec.rates:
        raise IncompleteTariff(_("This tariff version has no rate table."), field="rates")
    errors: dict = {}
    quantities_in = inputs.get("quantities") or {}
    if not isinstance(quantities_in, Mapping):
        raise InputError({"quantities": _("The quantities must be given by name.")})
    rate = read_key(errors, "rate", inputs.get("rate"), spec.rates, _("the rate table"))
    quantities: list[tuple[UnitFactor, Decimal]] = []
    for factor in spec.factors:
        value = read_quantity(
            errors,
            f"quantities.{factor.key}",
            quantities_in.get(factor.key),
            factor.label,
            integer=factor.integer_only,
        )
        quantities.append((factor, value))
    unknown = sorted(set(quantities_in) - {f.key for f in spec.factors})
    if unknown:
        errors["quantities"] = _("Unknown quantities: %(names)s.") % {"names": ", ".join(unknown)}
    if errors:
        raise InputError(errors)
    assert rate is not None

    steps: list[Step] = []
    product = Decimal(1)
    for factor, value in quantities:
        product *= value
        steps.append(
            Step(
                key=f"quantity.{factor.key}",
                label=_("Quantity"),
                symbol=factor.key,
                values=((factor.key, canonical(value)),),
                result=value,
                unit=factor.unit,
                detail=factor.label,
            )
        )
    steps.append(
        Step(
            key="units",
            label=_("Number of units"),
            symbol="N",
            formula=" × ".join(f.key for f, _v in quantities),
            values=tuple((f.key, canonical(v)) for f, v in quantities),
            result=product,
            unit=spec.quantity_unit,
        )
    )
    steps.append(
        Step(
            key="rate",
            label=_("Rate"),
            symbol="T",
            values=(("T", canonical(rate.value)),),
            result=rate.value,
            unit="Rp",
            detail=rate.label,
        )
    )
    exact = product * rate.value
    amount = to_rupiah(exact)
    steps.append(
        Step(
            key="levy",
            label=_("Levy"),
            symbol="R",
            formula="N × T",
            values=(("N", canonical(product)), ("T", canonical(rate.value))),
            result=exact,
            unit="Rp",
            amount=amount,
        )
    )
    steps.append(Step(key="total", label=_("Total levy"), result=amount, unit="Rp", amount=amount))
    normalised = {
        "rate": rate.key,
        "quantities": {f.key: canonical(v) for f, v in quantities},
    }
    return Computation(
        kind="per_unit",
        inputs=normalised,
        steps=tuple(steps),
        lines=(Line("levy", spec.label, amount),),
        total=amount,
    )


# --- PBG -------------------------------------------------------------------------------------


def check_pbg_spec(spec: PbgSpec) -> None:
    """Fail closed on a PBG version that lacks a table or a value (IncompleteTariff)."""
    tables = [
        ("functions", spec.functions, _("The function index table (If) is empty.")),
        ("complexities", spec.complexities, _("The complexity index table (Ik) is empty.")),
        ("permanences", spec.permanences, _("The permanence index table (Ip) is empty.")),
        ("ownerships", spec.ownerships, _("The ownership factor table (Ifm) is empty.")),
        ("activities", spec.activities, _("The activity index table (Ibg) is empty.")),
        ("heights", spec.heights, _("The height index table (Ih) is empty.")),
    ]
    for name, table, message in tables:
        if not table:
            raise IncompleteTariff(message, field=name)
    weights = (spec.weight_complexity, spec.weight_permanence, spec.weight_height)
    if any(w is None or w < 0 for w in weights) or sum(weights) != 1:
        raise IncompleteTariff(
            _("The weights of complexity, permanence and height must add up to 1."),
            field="weights",
        )
    if spec.shst is None or spec.shst <= 0:
        raise IncompleteTariff(_("This tariff version has no SHST unit price."), field="shst")
    if spec.locality_index is None or not 0 < spec.locality_index <= Decimal("0.005"):
        raise IncompleteTariff(
            _("The locality index (Ilo) must be more than 0 and at most 0.5 %."),
            field="locality_index",
        )


def _infrastructure_inputs(
    errors: dict, raw, spec: PbgSpec
) -> list[tuple[InfrastructureRow, Decimal]]:
    if raw in (None, ""):
        return []
    if not isinstance(raw, list | tuple):
        errors["infrastructure"] = _("The infrastructure items must be a list.")
        return []
    items: list[tuple[InfrastructureRow, Decimal]] = []
    for position, entry in enumerate(raw):
        name = f"infrastructure.{position}"
        if not isinstance(entry, Mapping):
            errors[name] = _("Each infrastructure item needs an item and a volume.")
            continue
        key = entry.get("item")
        row = spec.infrastructure.get(str(key)) if key not in (None, "") else None
        if row is None:
            errors[f"{name}.item"] = _(
                "The infrastructure table has no item “%(key)s” in this tariff version."
            ) % {"key": key}
            continue
        volume = read_quantity(errors, f"{name}.volume", entry.get("volume"), row.label)
        items.append((row, volume))
    return items


def compute_pbg(spec: PbgSpec, inputs: Mapping) -> Computation:
    """inputs: floor_area_m2, floors, function, complexity, permanence, ownership, activity
    (keys of the version's tables) and optionally infrastructure: [{"item", "volume"}, …]."""
    check_pbg_spec(spec)
    errors: dict = {}
    area = read_quantity(errors, "floor_area_m2", inputs.get("floor_area_m2"), _("Floor area"))
    floors_value = read_quantity(
        errors, "floors", inputs.get("floors"), _("Number of floors"), integer=True
    )
    function = read_key(
        errors, "function", inputs.get("function"), spec.functions, _("the function index (If)")
    )
    complexity = read_key(
        errors,
        "complexity",
        inputs.get("complexity"),
        spec.complexities,
        _("the complexity index (Ik)"),
    )
    permanence = read_key(
        errors,
        "permanence",
        inputs.get("permanence"),
        spec.permanences,
        _("the permanence index (Ip)"),
    )
    ownership = read_key(
        errors,
        "ownership",
        inputs.get("ownership"),
        spec.ownerships,
        _("the ownership factor (Ifm)"),
    )
    activity = read_key(
        errors, "activity", inputs.get("activity"), spec.activities, _("the activity index (Ibg)")
    )
    height = None
    if "floors" not in errors:
        floors = int(floors_value)
        height = next((row for row in spec.heights if row.covers(floors)), None)
        if height is None:
            errors["floors"] = _(
                "The height index table (Ih) has no value for %(floors)s floors."
            ) % {"floors": floors}
    infrastructure = _infrastructure_inputs(errors, inputs.get("infrastructure"), spec)
    if errors:
        raise InputError(errors)
    assert function and complexity and permanence and ownership and activity and height

    bk, bp, bh = spec.weight_complexity, spec.weight_permanence, spec.weight_height
    classification = bk * complexity.value + bp * permanence.value + bh * height.value
    integrated = function.value * classification * ownership.value
    building_exact = area * spec.locality_index * spec.shst * integrated * activity.value
    building = to_rupiah(building_exact)
    c = canonical

    steps: list[Step] = [
        Step(
            "floor_area",
            _("Total floor area (LLt)"),
            "LLt",
            values=(("LLt", c(area)),),
            result=area,
            unit="m²",
        ),
        Step(
            "floors",
            _("Number of floors"),
            "n",
            values=(("n", str(int(floors_value))),),
            result=floors_value,
        ),
        Step(
            "function",
            _("Function index (If)"),
            "If",
            values=(("If", c(function.value)),),
            result=function.value,
            detail=function.label,
        ),
        Step(
            "complexity",
            _("Complexity index (Ik)"),
            "Ik",
            values=(("Ik", c(complexity.value)),),
            result=complexity.value,
            detail=complexity.label,
        ),
        Step(
            "permanence",
            _("Permanence index (Ip)"),
            "Ip",
            values=(("Ip", c(permanence.value)),),
            result=permanence.value,
            detail=permanence.label,
        ),
        Step(
            "height",
            _("Height index (Ih)"),
            "Ih",
            values=(("Ih", c(height.value)),),
            result=height.value,
            detail=_height_label(height),
        ),
        Step(
            "classification",
            _("Classification index (weighted sum)"),
            "Σ",
            formula="bk × Ik + bp × Ip + bh × Ih",
            values=(
                ("bk", c(bk)),
                ("Ik", c(complexity.value)),
                ("bp", c(bp)),
                ("Ip", c(permanence.value)),
                ("bh", c(bh)),
                ("Ih", c(height.value)),
            ),
            result=classification,
        ),
        Step(
            "ownership",
            _("Ownership factor (Ifm)"),
            "Ifm",
            values=(("Ifm", c(ownership.value)),),
            result=ownership.value,
            detail=ownership.label,
        ),
        Step(
            "integrated",
            _("Integrated index (It)"),
            "It",
            formula="If × Σ × Ifm",
            values=(
                ("If", c(function.value)),
                ("Σ", c(classification)),
                ("Ifm", c(ownership.value)),
            ),
            result=integrated,
        ),
        Step(
            "activity",
            _("Activity index (Ibg)"),
            "Ibg",
            values=(("Ibg", c(activity.value)),),
            result=activity.value,
            detail=activity.label,
        ),
        Step(
            "locality",
            _("Locality index (Ilo)"),
            "Ilo",
            values=(("Ilo", c(spec.locality_index)),),
            result=spec.locality_index,
        ),
        Step(
            "shst",
            Label(_("Standard unit price (SHST) %(year)s"), year=spec.shst_year),
            "SHST",
            values=(("SHST", c(spec.shst)),),
            result=spec.shst,
            unit="Rp/m²",
        ),
        Step(
            "building",
            _("Building levy"),
            "L_bg",
            formula="LLt × Ilo × SHST × It × Ibg",
            values=(
                ("LLt", c(area)),
                ("Ilo", c(spec.locality_index)),
                ("SHST", c(spec.shst)),
                ("It", c(integrated)),
                ("Ibg", c(activity.value)),
            ),
            result=building_exact,
            unit="Rp",
            amount=building,
        ),
    ]
    lines = [Line("building", _("Building levy"), building)]
    infrastructure_total = Decimal(0)
    for position, (row, volume) in enumerate(infrastructure):
        exact = volume * row.index * activity.value * row.unit_price
        amount = to_rupiah(exact)
        infrastructure_total += amount
        steps.append(
            Step(
                f"infrastructure.{position}",
                _("Infrastructure levy"),
                "L_p",
                formula="V × Ip_item × Ibg × HS",
                values=(
                    ("V", c(volume)),
                    ("Ip_item", c(row.index)),
                    ("Ibg", c(activity.value)),
                    ("HS", c(row.unit_price)),
                ),
                result=exact,
                unit="Rp",
                detail=f"{row.label} ({row.unit})",
                amount=amount,
            )
        )
        lines.append(
            Line(f"infrastructure.{row.key}", f"{row.label} ({c(volume)} {row.unit})", amount)
        )
    if infrastructure:
        steps.append(
            Step(
                "infrastructure_total",
                _("Infrastructure levy, all items"),
                "ΣL_p",
                result=infrastructure_total,
                unit="Rp",
                amount=infrastructure_total,
            )
        )
    total = building + infrastructure_total
    steps.append(
        Step(
            "total",
            _("Total levy"),
            "R",
            formula="L_bg + ΣL_p" if infrastructure else "L_bg",
            values=(("L_bg", c(building)),)
            + ((("ΣL_p", c(infrastructure_total)),) if infrastructure else ()),
            result=total,
            unit="Rp",
            amount=total,
        )
    )
    normalised = {
        "floor_area_m2": c(area),
        "floors": int(floors_value),
        "function": function.key,
        "complexity": complexity.key,
        "permanence": permanence.key,
        "ownership": ownership.key,
        "activity": activity.key,
        "infrastructure": [
            {"item": row.key, "volume": c(volume)} for row, volume in infrastructure
        ],
    }
    return Computation(
        kind="pbg",
        inputs=normalised,
        steps=tuple(steps),
        lines=tuple(lines),
        total=total,
        extras={"integrated_index": integrated},
    )


def _height_label(row: HeightRow) -> str:
    if row.floors_to is None:
        return f"≥ {row.floors_from}"
    if row.floors_to == row.floors_from:
        return str(row.floors_from)
    return f"{row.floors_from}–{row.floors_to}"


def compute(spec: Spec, inputs: Mapping | None = None) -> Computation:
    """Dispatch on the kind of spec. Raises InputError (the inputs) or IncompleteTariff (the
    version); both are DomainErrors with a message for the person who asked."""
    inputs = inputs or {}
    if not isinstance(inputs, Mapping):
        raise InputError({"inputs": _("The inputs must be given by name.")})
    if isinstance(spec, PbgSpec):
        return compute_pbg(spec, inputs)
    if isinstance(spec, PerUnitSpec):
        return compute_per_unit(spec, inputs)
    if isinstance(spec, FixedSpec):
        return compute_fixed(spec, inputs)
    raise TypeError(f"unknown tariff spec {type(spec).__name__}")
