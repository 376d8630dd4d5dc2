"""Publishing the catalog: a permit type's SOP frozen into an immutable PermitTypeVersion.

Applications keep the version they were filed under, so editing requirements, fields, route or
SLA in the admin never changes an application already filed.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.legal import legal_refusals, legal_snapshot, route_review_budget
from catalog.models import (
    DEFAULT_CORRECTION_DAYS,
    CorrectionEnd,
    PermitType,
    PermitTypeVersion,
    correction_period_errors,
)
from ptsp.errors import DomainError


def route_problems(stages: list[int]) -> list[str]:
    """What is wrong with a route whose steps carry `stages` (one number per agency), in the
    user's language; empty when the route is valid. Stages are numbered 1, 2, 3 … without gaps,
    so every stage has at least one agency (issue 18). An empty route is left to the rest of
    the catalog (a type with no OPD is signed by DPMPTSP alone)."""
    if not stages:
        return []
    problems = []
    if any(stage < 1 for stage in stages):
        problems.append(_("A stage is numbered from 1."))
    top = max(stages)
    for missing in sorted(set(range(1, top + 1)) - set(stages)):
        problems.append(
            _(
                "Stage %(stage)s has no agency: number the stages 1, 2, 3 … without gaps, "
                "with at least one agency in each."
            )
            % {"stage": missing}
        )
    return problems


def route_stages(snapshot: dict) -> list[list[dict]]:
    """The route of a catalog version as its stages, in order: each a list of its steps (the
    snapshot's route entries). A version recorded before issue 18 has no stage numbers: all
    its agencies are one stage, as they were."""
    by_stage: dict[int, list[dict]] = {}
    for step in snapshot.get("route", []):
        by_stage.setdefault(int(step.get("stage", 1)), []).append(step)
    return [by_stage[number] for number in sorted(by_stage)]


def permit_type_snapshot(permit_type: PermitType) -> dict:
    """Everything an application needs from its permit type, as plain JSON."""
    requirements = list(permit_type.requirements.order_by("order", "id"))
    fields = list(permit_type.fields.order_by("order", "id"))
    route = list(permit_type.route.select_related("agency").order_by("stage", "order", "id"))
    return {
        "code": permit_type.code,
        "name_id": permit_type.name_id,
        "name_en": permit_type.name_en,
        "description_id": permit_type.description_id,
        "description_en": permit_type.description_en,
        "legal_basis": permit_type.legal_basis,
        "steps": [s.strip() for s in permit_type.steps.splitlines() if s.strip()],
        "intake_days": permit_type.intake_days,
        "issuance_days": permit_type.issuance_days,
        "fee_amount": int(permit_type.fee_amount or 0),
        "fee_note": permit_type.fee_note,
        # The levy (issue 17). A version recorded before these keys existed has none: no levy.
        "tariff_code": permit_type.tariff_code,
        "assessing_agency_id": permit_type.assessing_agency_id,
        "assessing_agency_code": (
            permit_type.assessing_agency.code if permit_type.assessing_agency_id else ""
        ),
        # Legal deadlines (issue 18). A version recorded before this key has none.
        "legal": legal_snapshot(permit_type),
        "validity_months": permit_type.validity_months,
        "number_format": permit_type.number_format,
        "requires_nib": permit_type.requires_nib,
        # The applicant's correction period (issue 18 part B); see `correction_period_of`.
        "correction_intake_days": permit_type.correction_intake_days,
        "correction_review_days": permit_type.correction_review_days,
        "correction_end": permit_type.correction_end,
        "requirements": [
            {
                "code": r.code,
                "name_id": r.name_id,
                "name_en": r.name_en,
                "description": r.description,
                "is_required": r.is_required,
                "accepted_kinds": list(r.accepted_kinds or ["pdf", "jpeg", "png"]),
                "max_size_kb": r.max_size_kb,
                "has_template": bool(r.template),
                "requirement_id": r.pk,
            }
            for r in requirements
        ],
        "fields": [
            {
                "key": f.key,
                "label_id": f.label_id,
                "label_en": f.label_en,
                "kind": f.kind,
                "unit": f.unit,
                "choices": list(f.choices or []),
                "is_required": f.is_required,
                "help_text": f.help_text,
            }
            for f in fields
        ],
        "route": [
            {
                "agency_id": s.agency_id,
                "agency_code": s.agency.code,
                "agency_name": s.agency.name,
                "review_days": s.review_days,
                # Issue 18: the stage (agencies of one stage in parallel, stages in sequence)
                # and whether the head approves the officer's recommendation, in how long.
                "stage": s.stage,
                "head_approval": s.head_approval,
                "head_approval_days": s.head_approval_days,
            }
            for s in route
        ],
    }


def levy_of(snapshot: dict) -> dict | None:
    """The levy a catalog version names (`{"tariff_code", "assessing_agency_id"}`), or None
    when it names none. A version without the keys (recorded before issue 17) has no levy."""
    code = snapshot.get("tariff_code") or ""
    if not code:
        return None
    return {
        "tariff_code": code,
        "assessing_agency_id": snapshot.get("assessing_agency_id"),
        "assessing_agency_code": snapshot.get("assessing_agency_code") or "",
    }


def correction_period_of(snapshot: dict, stage: str) -> tuple[int, str]:
    """The applicant's correction period a catalog version sets for `stage` ("intake": a return
    by the front office; "review": an OPD's revision request): (working days, what happens at
    its end). A version recorded before issue 18 has no keys: the defaults (10 days; lapse).
    A return at intake always lapses at its end (the front office has nothing to decide
    without the documents). Raises ValidationError for a period under one day (fails closed:
    no return or request is recorded with a deadline nobody could meet)."""
    days = snapshot.get(f"correction_{stage}_days", DEFAULT_CORRECTION_DAYS)
    end = snapshot.get("correction_end", CorrectionEnd.LAPSE)
    errors = correction_period_errors(
        intake_days=days if stage == "intake" else 1,
        review_days=days if stage == "review" else 1,
        end=end,
    )
    if errors:
        raise ValidationError(list(errors.values()))
    return days, (CorrectionEnd.LAPSE if stage == "intake" else end)


def permit_type_publish(*, permit_type: PermitType, actor=None) -> PermitTypeVersion:
    """Record the permit type's current SOP as a new version when it changed; return the latest.

    Who may call: the admin (on save), the demo seeder, tests. Changes: at most one new
    PermitTypeVersion row (the permit type row is locked so that two saves number in order).
    Sends nothing. Raises ValidationError (nothing recorded) when the legal deadlines are
    shorter than the internal budgets or missing where the type's policy needs them, or a
    correction period is under one working day, and DomainError when the route's stages have a
    gap (`route_problems`).
    """
    with transaction.atomic():
        PermitType.objects.select_for_update(no_key=True).filter(pk=permit_type.pk).first()
        steps = permit_type.route.values_list(
            "stage", "review_days", "head_approval", "head_approval_days"
        )
        errors = legal_refusals(permit_type, route_days=[route_review_budget(steps)])
        if errors:
            raise ValidationError(errors)
        correction = correction_period_errors(
            intake_days=permit_type.correction_intake_days,
            review_days=permit_type.correction_review_days,
            end=permit_type.correction_end,
        )
        if correction:
            raise ValidationError(correction)
        snapshot = permit_type_snapshot(permit_type)
        problems = route_problems([step["stage"] for step in snapshot["route"]])
        if problems:
            raise DomainError(" ".join(problems), field="route")
        latest = permit_type.versions.order_by("-number").first()
        if latest is not None and latest.snapshot == snapshot:
            return latest
        return PermitTypeVersion.objects.create(
            permit_type=permit_type,
            number=(latest.number + 1) if latest else 1,
            snapshot=snapshot,
        )
