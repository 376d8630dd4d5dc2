"""Reads for levies: which tariff, which version is valid on a day in the region's own time
zone, and the version's data as a spec for the formula engine (`fees.calculation`).

Who may call: services and, in phase 2, views scoped by the region selectors of `agencies`.
These functions check no permission: they answer about data, not about people.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Exists, F, OuterRef
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Region, Role
from agencies.selectors import agencies_of
from applications.models import Application, LegalState, Status
from applications.selectors import applications_visible_to
from catalog.selectors import permit_name_columns, with_permit_name
from fees.calculation import (
    FixedSpec,
    HeightRow,
    InfrastructureRow,
    PbgSpec,
    PerUnitSpec,
    Row,
    Spec,
    UnitFactor,
)
from fees.models import Bill, LevyPolicy, PaymentProof, PbgIndex, Tariff, TariffVersion, overlapping
from ptsp.errors import DomainError


def region_local_date(region: Region, when: date | datetime | None = None) -> date:
    """The calendar day in the region's own time zone: of `when` (an aware datetime), of now
    (None), or `when` itself if it is already a date. 23:30 WIB on the 31st is the 31st in
    Palembang and already the 1st in Bontang (WITA)."""
    if when is None:
        when = timezone.now()
    if isinstance(when, datetime):
        if timezone.is_naive(when):
            raise ValueError("a naive datetime has no place on the calendar of a region")
        return when.astimezone(ZoneInfo(region.timezone)).date()
    return when


def tariff_get(*, region: Region, code: str) -> Tariff:
    """The active tariff of `region` with `code`; DomainError if there is none."""
    tariff = Tariff.objects.filter(region=region, code=code, is_active=True).first()
    if tariff is None:
        raise DomainError(
            _("%(region)s has no active tariff with the code %(code)s.")
            % {"region": region.name, "code": code},
            code="unknown_tariff",
        )
    return tariff


def tariff_version_on(*, tariff: Tariff, day: date) -> TariffVersion:
    """The version of `tariff` valid on `day` (a local date), with its tables prefetched;
    DomainError if no version covers that day."""
    version = (
        overlapping(TariffVersion.objects.filter(tariff=tariff), day, day)
        .select_related("tariff", "tariff__region")
        .prefetch_related("factors", "rates", "pbg_indices", "pbg_heights", "pbg_infrastructure")
        .first()
    )
    if version is None:
        raise DomainError(
            _("The tariff %(code)s has no version valid on %(day)s.")
            % {"code": tariff.code, "day": day.isoformat()},
            code="no_tariff_version",
        )
    return version


def levy_policy_on(*, region: Region, day: date) -> LevyPolicy:
    """The region's levy policy valid on `day`; DomainError if none covers it."""
    policy = overlapping(LevyPolicy.objects.filter(region=region), day, day).first()
    if policy is None:
        raise DomainError(
            _("%(region)s has no levy policy valid on %(day)s.")
            % {"region": region.name, "day": day.isoformat()},
            code="no_levy_policy",
        )
    return policy


def _rows(rows) -> dict[str, Row]:
    return {r.key: Row(key=r.key, label=r.label, value=r.value) for r in rows}


def tariff_spec(version: TariffVersion) -> Spec:
    """The version's numbers, detached from the database, for `fees.calculation.compute`.
    Missing tables are not an error here: the engine refuses an incomplete spec by name."""
    tariff = version.tariff
    label = tariff.name
    if tariff.kind == Tariff.Kind.FIXED:
        return FixedSpec(label=label, amount=version.fixed_amount)
    if tariff.kind == Tariff.Kind.PER_UNIT:
        factors = sorted(version.factors.all(), key=lambda f: f.position)
        return PerUnitSpec(
            label=label,
            factors=tuple(UnitFactor(f.key, f.label, f.unit, f.integer_only) for f in factors),
            rates={r.key: Row(key=r.key, label=r.label, value=r.rate) for r in version.rates.all()},
            quantity_unit=version.quantity_unit,
        )
    indices: dict[str, list] = {table: [] for table in PbgIndex.Table.values}
    for row in version.pbg_indices.all():
        indices[row.table].append(row)
    return PbgSpec(
        label=label,
        functions=_rows(indices[PbgIndex.Table.FUNCTION]),
        complexities=_rows(indices[PbgIndex.Table.COMPLEXITY]),
        permanences=_rows(indices[PbgIndex.Table.PERMANENCE]),
        ownerships=_rows(indices[PbgIndex.Table.OWNERSHIP]),
        activities=_rows(indices[PbgIndex.Table.ACTIVITY]),
        heights=tuple(
            HeightRow(h.floors_from, h.floors_to, h.value)
            for h in sorted(version.pbg_heights.all(), key=lambda h: h.floors_from)
        ),
        infrastructure={
            i.key: InfrastructureRow(i.key, i.label, i.unit, i.unit_price, i.index)
            for i in version.pbg_infrastructure.all()
        },
        locality_index=version.locality_index,
        shst=version.shst,
        shst_year=version.shst_year or version.valid_from.year,
        weight_complexity=version.weight_complexity,
        weight_permanence=version.weight_permanence,
        weight_height=version.weight_height,
    )


def tariff_definition_of(version: TariffVersion) -> dict:
    """The version's numbers as a definition for `fees.services.tariff_version_create`: the
    inverse of writing a version. A new SHST each year (set by the head of region's decree) is
    a new version with the same tables: read this, change `shst` and `shst_year`, supersede."""
    kind = version.tariff.kind
    if kind == Tariff.Kind.FIXED:
        return {"fixed_amount": str(version.fixed_amount)}
    if kind == Tariff.Kind.PER_UNIT:
        return {
            "quantity_unit": version.quantity_unit,
            "factors": [
                {"key": f.key, "label": f.label, "unit": f.unit, "integer_only": f.integer_only}
                for f in sorted(version.factors.all(), key=lambda f: f.position)
            ],
            "rates": [
                {"key": r.key, "label": r.label, "rate": str(r.rate)}
                for r in sorted(version.rates.all(), key=lambda r: r.key)
            ],
        }
    indices: dict[str, list] = {table: [] for table in PbgIndex.Table.values}
    for row in sorted(version.pbg_indices.all(), key=lambda r: (r.table, r.key)):
        indices[row.table].append({"key": row.key, "label": row.label, "value": str(row.value)})
    return {
        "weights": {
            "complexity": str(version.weight_complexity),
            "permanence": str(version.weight_permanence),
            "height": str(version.weight_height),
        },
        "locality_index": str(version.locality_index),
        "shst": str(version.shst),
        "shst_year": version.shst_year,
        "indices": indices,
        "heights": [
            {"floors_from": h.floors_from, "floors_to": h.floors_to, "value": str(h.value)}
            for h in sorted(version.pbg_heights.all(), key=lambda h: h.floors_from)
        ],
        "infrastructure": [
            {
                "key": i.key,
                "label": i.label,
                "unit": i.unit,
                "unit_price": str(i.unit_price),
                "index": str(i.index),
            }
            for i in sorted(version.pbg_infrastructure.all(), key=lambda i: i.key)
        ],
    }


def proofs_visible_to(user):
    """Proofs of payment of the regions where `user` is the treasurer (bendahara penerimaan);
    none for anyone else. The scope of the treasurer's pages."""
    regions = {a.region_id for a in agencies_of(user, Role.TREASURER)}
    return PaymentProof.objects.filter(bill__region_id__in=regions).select_related(
        "bill", "bill__application", "uploaded_by", "decided_by"
    )


def _deemed_unbilled(user):
    regions = {a.region_id for a in agencies_of(user, Role.TREASURER)}
    live_bill = Bill.objects.filter(application=OuterRef("pk")).exclude(status=Bill.Status.EXPIRED)
    return (
        Application.objects.filter(
            region_id__in=regions, status=Status.RECOMMENDED, legal_state=LegalState.DEEMED
        )
        .annotate(levy_tariff=KeyTextTransform("tariff_code", "catalog_version__snapshot"))
        .filter(levy_tariff__gt="")
        .exclude(Exists(live_bill))
    )


def deemed_unbilled(user) -> list[dict]:
    """The files of the regions where `user` is the treasurer that were deemed approved by law
    (fiktif positif) before their levy was billed: recommended, deemed, of a levied type, with
    no bill that still counts (none, or only expired ones). Oldest deemed first; per file
    `pk`, `tracking_number`, `business_name`, `applicant_name`, `permit_name`, `deemed_at`. One
    query; empty for anyone who is not a treasurer."""
    return with_permit_name(
        list(
            _deemed_unbilled(user)
            .order_by("deemed_at", "pk")
            .values(
                "pk",
                "tracking_number",
                "business_name",
                "deemed_at",
                applicant_name=F("applicant__full_name"),
                **permit_name_columns(),
            )
        )
    )


def deemed_unbilled_file(user, pk: int) -> Application | None:
    """File `pk` if it is on `user`'s list of deemed approvals waiting for their levy."""
    return _deemed_unbilled(user).select_related("catalog_version", "region").filter(pk=pk).first()


def levy_summary(application_id: int) -> dict | None:
    """What is known of a file's levy, as plain data, for the apps above (`oss`: the payment
    codes' `data_pnbp` and a PBG's approved figures); None when the file has no assessment.

    `kind` is the tariff's kind ("pbg", …); `inputs` the latest assessment's inputs (the
    assessing officer's, corrections included: for a PBG `floor_area_m2` and `floors`);
    `total` the assessed total; `account_code` the first line's account code; `bill` the SKRD
    (number, billing code, issue and due dates, total, status, paid_at) or None. Reads only."""
    from fees.models import Assessment, Bill

    assessment = (
        Assessment.objects.filter(application_id=application_id)
        .select_related("tariff_version__tariff")
        .order_by("-assessed_at", "-id")
        .first()
    )
    if assessment is None:
        return None
    lines = (assessment.draft or {}).get("lines") or []
    bill = Bill.objects.filter(application_id=application_id).first()
    return {
        "kind": assessment.tariff_version.tariff.kind,
        "tariff_code": assessment.tariff_version.tariff.code,
        "inputs": dict(assessment.inputs or {}),
        "total": assessment.total,
        "account_code": (lines[0].get("account_code") or "") if lines else "",
        "bill": None
        if bill is None
        else {
            "number": bill.number,
            "billing_code": bill.billing_code,
            "issued_on": bill.issued_on,
            "due_date": bill.due_date,
            "total": bill.total,
            "status": bill.status,
            "paid_at": bill.paid_at,
            "account_code": (bill.lines[0].get("account_code") or "") if bill.lines else "",
        },
    }


def bill_of_applicant(user, application_id: int) -> Bill | None:
    """The SKRD of `user`'s own application `application_id` (with its payer), or None — also
    for another person's application, so that both doors (the bill page and the API) answer
    404 alike for missing and forbidden."""
    application = (
        applications_visible_to(user).filter(applicant=user, pk=application_id).first()
        if user is not None and user.is_authenticated
        else None
    )
    if application is None:
        return None
    return (
        Bill.objects.filter(application=application)
        .select_related("payer", "application")
        .prefetch_related("proofs")
        .first()
    )
