"""Reads of the public catalog and the signer's queue, the permit-type name of queue rows, and
the permit a verification token (the QR code) shows."""

import re

from django.db.models import Exists, F, OuterRef
from django.db.models.fields.json import KeyTextTransform

from agencies.models import Role
from agencies.selectors import agencies_of
from applications.models import Event, LegalState
from applications.selectors import applications_for_signer
from applications.workflow import Action
from catalog.selectors import permit_name_columns, with_permit_name
from permits.models import Permit, RejectionLetter


def signer_regions(user) -> list[int]:
    """The regions whose permits the person signs."""
    return [a.region_id for a in agencies_of(user, Role.SIGNER)]


def signer_permits(user):
    """The permits (a QuerySet) of the regions where `user` signs: the revocation's scope, web
    and API alike."""
    return Permit.objects.filter(region_id__in=signer_regions(user))


def signing_queue_rows(user) -> list[dict]:
    """Recommended applications of the signer's region, oldest first, as the queue lists them:
    per file `pk`, `tracking_number`, `permit_name` (in the active language), `business_name`,
    `applicant_name`, `due_at`, `issuance_failed` (its permit's last issuance attempt failed;
    the number is kept) and `levy_waiting` (a deemed approval whose levy is not paid). One query, plain rows: the page shows a few columns of many files."""
    regions = signer_regions(user)
    failed = Permit.objects.filter(
        application=OuterRef("pk"), region_id__in=regions, status=Permit.Status.ISSUING
    ).exclude(last_error="")
    paid = Event.objects.filter(application=OuterRef("pk"), action=Action.PAYMENT_CONFIRMED)
    rows = with_permit_name(
        list(
            applications_for_signer(user)
            .order_by("updated_at", "pk")
            .values(
                "pk",
                "tracking_number",
                "business_name",
                "due_at",
                "legal_state",
                "legal_due_at",
                applicant_name=F("applicant__full_name"),
                issuance_failed=Exists(failed),
                levy_tariff=KeyTextTransform("tariff_code", "catalog_version__snapshot"),
                levy_paid=Exists(paid),
                **permit_name_columns(),
            )
        )
    )
    for row in rows:
        # A levied file deemed approved before its levy was billed and paid (issue 18): PP
        # 16/2021 issues no permit before payment; the levy gate refuses signing it.
        row["levy_waiting"] = bool(
            row["legal_state"] == LegalState.DEEMED and row["levy_tariff"] and not row["levy_paid"]
        )
    return rows


def rejection_letters_to_sign(user) -> list[dict]:
    """The rejection letters waiting for a BSrE signature in the regions where `user` signs
    (issuance.rejection_letter_issue), oldest first: per letter `pk`, `number`,
    `application_id`, `tracking_number`, `business_name`, `applicant_name`, `issued_at` (when it
    was prepared). One query; empty for a region that signs locally (its letters are signed at
    once)."""
    return list(
        RejectionLetter.objects.filter(
            application__region_id__in=signer_regions(user),
            status=RejectionLetter.Status.AWAITING_SIGNATURE,
        )
        .order_by("issued_at", "pk")
        .values(
            "pk",
            "number",
            "application_id",
            "issued_at",
            tracking_number=F("application__tracking_number"),
            business_name=F("application__business_name"),
            applicant_name=F("application__applicant__full_name"),
        )
    )


#: A verification token as `secrets.token_urlsafe(32)` makes it; anything else is not looked up.
VERIFICATION_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
#: The statuses the public verification shows (an issuing or withdrawn permit is "not found").
PUBLIC_STATUSES = (Permit.Status.VALID, Permit.Status.REVOKED, Permit.Status.EXPIRED)


def permit_by_verification_token(token: str) -> Permit | None:
    """The publicly shown permit of a verification token, with its permit type and region, or
    None alike for a malformed token, an unknown one and a permit not (or not yet) public. Who:
    the public verification page and its API twin, for anyone. Reads only the public facts and
    what the file check needs."""
    if not VERIFICATION_TOKEN_RE.match(token or ""):
        return None
    return (
        Permit.objects.select_related("permit_type", "region")
        .filter(verification_token=token, status__in=PUBLIC_STATUSES)
        .only(
            "number",
            "business_name",
            "issued_at",
            "valid_until",
            "status",
            "sha256",
            "signing_cert_sha256",
            "revoked_at",
            "file",
            "signer_id",
            "deemed_basis",
            "permit_type__name_id",
            "permit_type__name_en",
            "permit_type__region_id",
            "region__name",
            "region__code",
            "region__timezone",
        )
        .first()
    )
