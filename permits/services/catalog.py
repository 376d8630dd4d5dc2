"""Publishing the catalog: a permit type's SOP frozen into an immutable PermitTypeVersion.

Applications keep the version they were filed under, so editing requirements, fields, route or
SLA in the admin never changes an application already filed.
"""

from django.db import transaction

from permits.models import PermitType, PermitTypeVersion


def permit_type_snapshot(permit_type: PermitType) -> dict:
    """Everything an application needs from its permit type, as plain JSON."""
    requirements = list(permit_type.requirements.order_by("order", "id"))
    fields = list(permit_type.fields.order_by("order", "id"))
    route = list(permit_type.route.select_related("agency").order_by("order", "id"))
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
        "validity_months": permit_type.validity_months,
        "number_format": permit_type.number_format,
        "requires_nib": permit_type.requires_nib,
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
            }
            for s in route
        ],
    }


def permit_type_publish(*, permit_type: PermitType, actor=None) -> PermitTypeVersion:
    """Record the permit type's current SOP as a new version when it changed; return the latest.

    Who may call: the admin (on save), the demo seeder, tests. Changes: at most one new
    PermitTypeVersion row (the permit type row is locked so that two saves number in order).
    Sends nothing. Raises nothing for valid permit types.
    """
    with transaction.atomic():
        PermitType.objects.select_for_update(no_key=True).filter(pk=permit_type.pk).first()
        snapshot = permit_type_snapshot(permit_type)
        latest = permit_type.versions.order_by("-number").first()
        if latest is not None and latest.snapshot == snapshot:
            return latest
        return PermitTypeVersion.objects.create(
            permit_type=permit_type,
            number=(latest.number + 1) if latest else 1,
            snapshot=snapshot,
        )
