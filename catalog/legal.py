"""Legal deadlines of a permit type (issue 18): what the law allows per stage, beside the
internal budget, and what happens when it passes (the deemed-approval policy).

PP 28/2025 asks a deadline at each stage; UU 30/2014 art. 53 (as amended by the job-creation
law) says an application without a decision within its deadline - the sectoral one, or else 5
working days after a complete file - is deemed granted by law (fiktif positif).

Our choice (docs/sla.md, "Legal deadlines"):
- the *decision* deadline runs from the complete file (the DPMPTSP's `accept`) to the signer's
  act (the permit signed, or the rejection confirmed); its length is the sectoral review plus
  issuance deadlines when the type sets them, else UU 30/2014's 5 working days;
- the document check may have its own legal deadline (from submission), shown and warned about,
  never deemed (the file is not complete yet);
- a configuration shorter than an internal budget is refused, and so is a type whose internal
  budget cannot fit in UU 30/2014's 5 days without a sectoral deadline (unless the type's
  policy is "none": the sectoral law excludes deemed approval, and names itself).

Pure functions of the type's values (no query), so that the model's `clean`, the publisher and
the clocks share them - except the `auto` policy's check, which asks the region's signing
(registered by `permits`: a region that signs with a person's BSrE passphrase cannot issue
with no person at the keyboard).
"""

from django.utils.translation import gettext as _

UU30_DAYS = 5
UU30_BASIS = (
    "UU 30/2014 tentang Administrasi Pemerintahan Pasal 53 "
    "(sebagaimana diubah UU 6/2023): 5 hari kerja setelah permohonan lengkap"
)


# Who can say whether a region can issue a deemed approval with no person signing: `permits`
# registers its check here (permits.apps.PermitsConfig.ready), so that the catalog never imports
# the apps above it. check(region) -> None (it can) or the message saying why not.
_auto_issuance_checks: list = []


def auto_issuance_register(check) -> None:
    """Register the check of the `auto` policy (idempotent)."""
    if check not in _auto_issuance_checks:
        _auto_issuance_checks.append(check)


def auto_issuance_refusal(region) -> str | None:
    """Why a type of `region` may not have deemed approvals issued automatically, or None.
    Fails closed: with no check registered, or no region, it is refused."""
    if region is None or not _auto_issuance_checks:
        return str(
            _(
                "Automatic electronic issuance of deemed approvals is not available: choose "
                "that the signer issues them."
            )
        )
    for check in _auto_issuance_checks:
        refusal = check(region)
        if refusal:
            return str(
                _(
                    "Deemed approvals cannot be issued automatically in this region: "
                    "%(reason)s Choose that the signer issues them."
                )
                % {"reason": refusal}
            )
    return None


def route_review_budget(steps) -> int:
    """The internal review budget of a route, in working days, from its steps as (stage,
    review_days, head_approval, head_approval_days): the stages one after the other, the
    agencies of one stage in parallel (the longest counts), an agency head's approval added to
    its agency's review (issue 18)."""
    by_stage: dict[int, int] = {}
    for stage, days, head, head_days in steps:
        number = stage or 1
        total = (days or 0) + ((head_days or 0) if head else 0)
        by_stage[number] = max(by_stage.get(number, 0), total)
    return sum(by_stage.values())


def legal_refusals(permit_type, *, route_days: list[int]) -> dict[str, str]:
    """{field: message} for every way the type's legal deadlines are wrong; {} when right.
    `route_days` are the internal review budgets of its route (parallel reviews: the longest
    counts; a staged route passes its `route_review_budget`)."""
    errors: dict[str, str] = {}
    review = permit_type.legal_review_days
    issuance = permit_type.legal_issuance_days
    intake = permit_type.legal_intake_days
    policy = permit_type.deemed_policy
    longest_review = max(route_days, default=0)
    if (review is None) != (issuance is None):
        field = "legal_issuance_days" if issuance is None else "legal_review_days"
        errors[field] = _(
            "Set both the review and the issuance legal deadline, or neither "
            "(UU 30/2014 art. 53 then applies: 5 working days after a complete file)."
        )
    sectoral = review is not None or issuance is not None or intake is not None
    if (sectoral or policy == "none") and not permit_type.legal_deadline_basis.strip():
        errors["legal_deadline_basis"] = _(
            "Name the regulation that sets these legal deadlines (or excludes deemed approval)."
        )
    if intake is not None and intake < permit_type.intake_days:
        errors["legal_intake_days"] = _(
            "The legal deadline (%(legal)s working days) is shorter than the internal budget "
            "(%(budget)s working days)."
        ) % {"legal": intake, "budget": permit_type.intake_days}
    if review is not None and review < longest_review:
        errors["legal_review_days"] = _(
            "The legal deadline (%(legal)s working days) is shorter than the internal budget "
            "(%(budget)s working days)."
        ) % {"legal": review, "budget": longest_review}
    if issuance is not None and issuance < permit_type.issuance_days:
        errors["legal_issuance_days"] = _(
            "The legal deadline (%(legal)s working days) is shorter than the internal budget "
            "(%(budget)s working days)."
        ) % {"legal": issuance, "budget": permit_type.issuance_days}
    if policy == "auto":
        refusal = auto_issuance_refusal(getattr(permit_type, "region", None))
        if refusal:
            errors["deemed_policy"] = refusal
    internal = longest_review + permit_type.issuance_days
    if review is None and issuance is None and policy != "none" and internal > UU30_DAYS:
        errors["legal_review_days"] = _(
            "The internal budget after a complete file (%(budget)s working days) is longer than "
            "UU 30/2014 art. 53's 5 working days: set the sectoral legal deadlines, or the file "
            "would be deemed approved before the office's own budget ends."
        ) % {"budget": internal}
    return errors


def legal_snapshot(permit_type) -> dict:
    """The type's legal deadlines as frozen in its PermitTypeVersion (key "legal")."""
    review = permit_type.legal_review_days
    issuance = permit_type.legal_issuance_days
    sectoral = review is not None and issuance is not None
    return {
        "policy": permit_type.deemed_policy,
        "intake_days": permit_type.legal_intake_days,
        "review_days": review,
        "issuance_days": issuance,
        "decision_days": (review + issuance) if sectoral else UU30_DAYS,
        "basis": permit_type.legal_deadline_basis.strip() if sectoral else UU30_BASIS,
        "intake_basis": permit_type.legal_deadline_basis.strip(),
    }


def legal_of(snapshot: dict) -> dict | None:
    """The legal deadlines a catalog version froze, or None: a version recorded before issue 18
    has none, and gets no legal clock (no warning, no deemed approval) until the type is
    published again - we do not invent a deadline for files filed under it."""
    return snapshot.get("legal")
