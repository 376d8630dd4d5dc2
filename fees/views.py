"""The levy's pages: the assessing officer's calculator (part of the review) and the
applicant's bill. Thin: they read through the selectors and call `fees.cases`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agencies.models import Role
from agencies.permissions import role_required
from applications import selectors as case_selectors
from applications.downloads import file_response
from applications.gates import levy_of_application
from fees.cases import (
    assessment_inputs_from,
    assessment_record,
    bill_interest,
    deemed_levy_assess,
    latest_assessment,
    proof_confirm,
    proof_refuse,
    proof_upload,
)
from fees.downloads import bill_response
from fees.formatting import format_number, format_rupiah
from fees.models import Bill, PaymentProof
from fees.selectors import (
    bill_of_applicant,
    deemed_unbilled,
    deemed_unbilled_file,
    proofs_visible_to,
    region_local_date,
    tariff_get,
    tariff_spec,
    tariff_version_on,
)
from fees.services import assessment_draft
from ptsp.errors import DomainError
from ptsp.web import run_service

INPUT_NAMES = ("floor_area_m2", "floors", "function", "complexity", "permanence", "ownership",
               "activity")  # fmt: skip
INFRASTRUCTURE_ROWS = 3


def _posted_inputs(post) -> dict:
    inputs = {name: post.get(name, "").strip() for name in INPUT_NAMES}
    items = []
    for n in range(INFRASTRUCTURE_ROWS):
        item = post.get(f"infrastructure_{n}_item", "").strip()
        volume = post.get(f"infrastructure_{n}_volume", "").strip()
        if item or volume:
            items.append({"item": item, "volume": volume})
    inputs["infrastructure"] = items
    return inputs


def _options(application, levy) -> dict:
    """The rows of the tariff version valid today, for the calculator's choices."""
    try:
        tariff = tariff_get(region=application.region, code=levy["tariff_code"])
        version = tariff_version_on(tariff=tariff, day=region_local_date(application.region))
        spec = tariff_spec(version)
    except DomainError:
        return {}
    rows = {}
    for name, table in (
        ("function", "functions"),
        ("complexity", "complexities"),
        ("permanence", "permanences"),
        ("ownership", "ownerships"),
        ("activity", "activities"),
    ):
        rows[name] = [(r.key, r.label) for r in getattr(spec, table, {}).values()]
    rows["infrastructure"] = [
        (r.key, f"{r.label} ({r.unit})") for r in getattr(spec, "infrastructure", {}).values()
    ]
    return rows


def _shown(draft: dict | None, language: str) -> dict | None:
    """The stored computation with its numbers formatted for `language` (fees.formatting)."""
    if not draft:
        return None
    steps = []
    for step in draft["steps"]:
        steps.append(
            {
                **step,
                "label_text": step["label"].get(language) or step["label"].get("id"),
                "result_text": format_number(step["result"], language)
                if step["result"] is not None
                else "",
                "amount_text": format_rupiah(step["amount"], language) if step["amount"] else "",
            }
        )
    lines = [
        {
            **line,
            "label_text": line["label"].get(language) or line["label"].get("id"),
            "amount_text": format_rupiah(line["amount"], language),
        }
        for line in draft["lines"]
    ]
    return {**draft, "steps": steps, "lines": lines,
            "total_text": format_rupiah(draft["total"], language)}  # fmt: skip


@role_required(Role.OFFICER, Role.HEAD)
@require_http_methods(["GET", "POST"])
def assessment(request, pk: int):
    """The levy calculator of review `pk`: GET shows the application's inputs (and the stored
    assessment); POST "compute" shows every step without saving; POST "save" stores it."""
    review = get_object_or_404(
        case_selectors.reviews_visible_to(request.user).select_related(
            "application__catalog_version", "application__region", "agency"
        ),
        pk=pk,
    )
    application = review.application
    levy = levy_of_application(application)
    if levy is None or levy["assessing_agency_id"] != review.agency_id:
        raise Http404
    stored = latest_assessment(application)

    def save(inputs, reason):
        assessment_record(review_id=review.pk, actor=request.user, inputs=inputs, reason=reason)
        messages.success(request, _("The levy is set. You may now recommend."))
        return redirect(reverse("applications:review", args=[review.pk]))

    return _calculator(
        request,
        application=application,
        levy=levy,
        inputs=assessment_inputs_from(application) if stored is None else stored.inputs,
        stored=stored,
        save=save,
        heading=review.agency.name,
        back=(reverse("applications:review", args=[review.pk]), _("Back to the review")),
        open_for_input=review.status == "in_review",
    )


def _calculator(request, *, application, levy, inputs, stored, save, heading, back,
                open_for_input, deemed=False):  # fmt: skip
    """The calculator page, for the assessing officer's review and the treasurer's deemed
    approval alike: GET shows `inputs`; POST "compute" shows every step without saving; POST
    "save" calls `save(inputs, reason)`, which answers (a redirect), or shows its refusal."""
    reason = ""
    preview = None
    error = None
    if request.method == "POST":
        inputs = _posted_inputs(request.POST)
        reason = request.POST.get("reason", "")
        try:
            if request.POST.get("action") == "save":
                return save(inputs, reason)
            preview = assessment_draft(
                region=application.region, tariff_code=levy["tariff_code"], inputs=inputs
            )
        except DomainError as exc:  # Conflict and NotAllowed are DomainErrors too
            error = exc
    language = (request.LANGUAGE_CODE or "id")[:2]
    infrastructure = list(inputs.get("infrastructure") or [])
    infrastructure += [{"item": "", "volume": ""}] * (INFRASTRUCTURE_ROWS - len(infrastructure))
    return render(
        request,
        "fees/assessment.html",
        {
            "application": application,
            "heading": heading,
            "back_url": back[0],
            "back_text": back[1],
            "open_for_input": open_for_input,
            "deemed": deemed,
            "levy": levy,
            "inputs": inputs,
            "infrastructure": infrastructure[:INFRASTRUCTURE_ROWS],
            "source": assessment_inputs_from(application),
            "options": _options(application, levy),
            "reason": reason,
            "preview": _shown(preview, language),
            "stored": stored,
            "stored_shown": _shown(stored.draft if stored else None, language),
            "error": error,
            "error_details": (getattr(error, "details", None) or {}) if error else {},
        },
    )


# --- a deemed approval's levy (the treasurer) ------------------------------------------------


@role_required(Role.TREASURER)
def deemed_levies(request):
    """The treasurer's list of deemed approvals whose levy is not billed yet."""
    return render(request, "fees/deemed_levies.html", {"rows": deemed_unbilled(request.user)})


@role_required(Role.TREASURER)
@require_http_methods(["GET", "POST"])
def deemed_levy(request, pk: int):
    """The calculator of a deemed approval `pk` of the treasurer's region: GET shows the
    application's inputs; POST "compute" shows every step; POST "save" assesses the levy and
    issues the SKRD (`fees.cases.deemed_levy_assess`)."""
    application = deemed_unbilled_file(request.user, pk)
    if application is None:
        raise Http404

    def save(inputs, reason):
        bill = deemed_levy_assess(
            application_id=application.pk, actor=request.user, inputs=inputs, reason=reason
        )
        messages.success(
            request,
            _("The levy is set and SKRD %(number)s is issued; the applicant is told.")
            % {"number": bill.number},
        )
        return redirect(reverse("fees:deemed_levies"))

    return _calculator(
        request,
        application=application,
        levy=levy_of_application(application),
        inputs=assessment_inputs_from(application),
        stored=None,
        save=save,
        heading=_("deemed approval"),
        back=(reverse("fees:deemed_levies"), _("Back to the deemed approvals")),
        open_for_input=True,
        deemed=True,
    )


def _own_bill(request, pk: int) -> Bill:
    bill = bill_of_applicant(request.user, pk)
    if bill is None:
        raise Http404
    return bill


@login_required
def bill(request, pk: int):
    """The applicant's SKRD of application `pk`: what to pay, by when, where."""
    bill = _own_bill(request, pk)
    language = (request.LANGUAGE_CODE or "id")[:2]
    lines = [
        {**line, "label_text": line["label"].get(language) or line["label"].get("id"),
         "amount_text": format_rupiah(line["amount"], language)}
        for line in bill.lines
    ]  # fmt: skip
    today = region_local_date(bill.region)
    late = None
    if bill.status == Bill.Status.UNPAID and today > bill.due_date:
        interest = bill_interest(bill, today)
        late = {
            "months": interest.lateness.months_charged,
            "rate": format_number(interest.monthly_rate_percent.normalize(), language),
            "interest_text": format_rupiah(interest.interest, language),
            "due_text": format_rupiah(interest.total, language),
        }
    return render(
        request,
        "fees/bill.html",
        {
            "bill": bill,
            "application": bill.application,
            "lines": lines,
            "total_text": format_rupiah(bill.total, language),
            "late": late,
            "interest_notices": list(bill.interest_notices.order_by("months_charged")),
            "proofs": list(bill.proofs.order_by("-uploaded_at")),
            "proof_pending": bill.proofs.filter(status=PaymentProof.Status.PENDING).exists(),
        },
    )


@login_required
@require_POST
def proof_new(request, pk: int):
    """The applicant uploads a proof of payment of the SKRD of application `pk`."""
    bill = _own_bill(request, pk)
    back = reverse("fees:bill", args=[bill.application_id])
    return run_service(
        request,
        lambda: proof_upload(
            application_id=bill.application_id,
            actor=request.user,
            upload=request.FILES.get("file") or _missing_file(),
            paid_on=_paid_on(request),
            note=request.POST.get("note", ""),
        ),
        success=_("Proof uploaded; the treasurer will check it."),
        redirect_to=back,
        error_redirect=back,
    )


def _paid_on(request):
    try:
        return parse_date(request.POST.get("paid_on", "") or "")
    except ValueError:
        return None


def _missing_file():
    raise DomainError(_("Choose the file of the proof."), field="file")


@role_required(Role.TREASURER)
def proofs(request):
    """The treasurer's queue: proofs waiting, then the latest decided."""
    visible = proofs_visible_to(request.user)
    return render(
        request,
        "fees/proofs.html",
        {
            "pending": list(visible.filter(status=PaymentProof.Status.PENDING)),
            "decided": list(
                visible.exclude(status=PaymentProof.Status.PENDING).order_by("-decided_at")[:50]
            ),
            "deemed_count": len(deemed_unbilled(request.user)),
        },
    )


@role_required(Role.TREASURER)
def proof(request, pk: int):
    proof = get_object_or_404(proofs_visible_to(request.user), pk=pk)
    return render(
        request,
        "fees/proof.html",
        {"proof": proof, "bill": proof.bill, "total_text": format_rupiah(proof.bill.total)},
    )


@role_required(Role.TREASURER)
def proof_file(request, pk: int):
    proof = get_object_or_404(proofs_visible_to(request.user), pk=pk)
    return file_response(
        proof.file, filename=f"bukti-{proof.pk}", content_type=proof.content_type, inline=True
    )


@role_required(Role.TREASURER)
@require_POST
def proof_decide(request, pk: int):
    proof = get_object_or_404(proofs_visible_to(request.user), pk=pk)
    here = reverse("fees:proof", args=[proof.pk])
    if request.POST.get("decision") == "confirm":
        return run_service(
            request,
            lambda: proof_confirm(proof_id=proof.pk, actor=request.user),
            success=_("Payment confirmed; the file is in the signer's queue."),
            redirect_to=reverse("fees:proofs"),
            error_redirect=here,
        )
    return run_service(
        request,
        lambda: proof_refuse(
            proof_id=proof.pk, actor=request.user, reason=request.POST.get("reason", "")
        ),
        success=_("Proof refused; the applicant is told why."),
        redirect_to=reverse("fees:proofs"),
        error_redirect=here,
    )


@login_required
def bill_pdf(request, pk: int):
    return bill_response(_own_bill(request, pk))


# --- reconciliation and revenue (the treasurer; revenue also the monitor) --------------------


def _treasurer_region(request):
    """The region the treasurer works for (the first, for a treasurer of several)."""
    from agencies.selectors import agencies_of

    regions = sorted({a.region for a in agencies_of(request.user, Role.TREASURER)}, key=str)
    if not regions:
        raise Http404
    return regions[0]


@role_required(Role.TREASURER)
@require_http_methods(["GET", "POST"])
def settlements(request):
    """The treasurer imports a bank's settlement file and sees the imports so far."""
    from fees.reconciliation import banks_of_region, settlement_import, settlements_visible_to

    region = _treasurer_region(request)
    if request.method == "POST":
        found = {}

        def run():
            found["batch"] = settlement_import(
                actor=request.user,
                region=region,
                bank_id=request.POST.get("bank", ""),
                upload=request.FILES.get("file"),
            )

        here = reverse("fees:settlements")
        response = run_service(
            request, run, success=_("Settlement file imported."), redirect_to=here
        )
        if "batch" in found:
            return redirect("fees:settlement", pk=found["batch"].pk)
        return response
    return render(
        request,
        "fees/settlements.html",
        {
            "region": region,
            "banks": banks_of_region(region),
            "imports": list(settlements_visible_to(request.user)[:50]),
        },
    )


@role_required(Role.TREASURER)
def settlement(request, pk: int):
    """One import: its differences first, then the rows that matched."""
    from fees.models import SettlementLine
    from fees.reconciliation import settlements_visible_to

    batch = get_object_or_404(settlements_visible_to(request.user), pk=pk)
    lines = list(batch.lines.select_related("payment__bill__application", "recorded_by"))
    return render(
        request,
        "fees/settlement.html",
        {
            "batch": batch,
            "differences": [x for x in lines if x.outcome != SettlementLine.Outcome.MATCHED],
            "matched": [x for x in lines if x.outcome == SettlementLine.Outcome.MATCHED],
        },
    )


@role_required(Role.TREASURER)
@require_POST
def settlement_line_record(request, pk: int, line: int):
    """Record here a payment the bank's file lists and we have not (a `missing_here` finding)."""
    from fees.reconciliation import settlement_line_record as record
    from fees.reconciliation import settlements_visible_to

    batch = get_object_or_404(settlements_visible_to(request.user), pk=pk)
    get_object_or_404(batch.lines, pk=line)
    here = reverse("fees:settlement", args=[batch.pk])
    return run_service(
        request,
        lambda: record(line_id=line, actor=request.user),
        # Also when the bank's own post arrived since the import (the finding is linked to it).
        success=_(
            "The payment is recorded; the bill is paid and the file is in the signer's queue."
        ),
        redirect_to=here,
        error_redirect=here,
    )


def _revenue_query(request):
    from datetime import timedelta

    from fees.reports import report_regions

    regions = report_regions(request.user)
    if not regions:
        raise Http404
    wanted = request.GET.get("region", "")
    region = next((r for r in regions if r.code == wanted), regions[0])
    today = region_local_date(region)
    try:
        first = parse_date(request.GET.get("from", "") or "")
        last = parse_date(request.GET.get("until", "") or "")
    except ValueError:
        first = last = None
    last = last or today
    first = first or last.replace(day=1)
    error = ""
    if first > last:
        error = _("The first day must not be after the last.")
        first = last
    if (last - first) > timedelta(days=366 * 2):
        error = _("At most two years at a time.")
        first = last - timedelta(days=366 * 2)
    by = "month" if request.GET.get("by") == "month" else "day"
    return regions, region, first, last, by, error


@role_required(Role.TREASURER, Role.MONITOR)
def revenue(request):
    """Receipts per day or month by account code and permit type, for one region."""
    from fees.reports import revenue as revenue_of

    regions, region, first, last, by, error = _revenue_query(request)
    if error:
        messages.error(request, error)
    rows = revenue_of(region=region, first_day=first, last_day=last, by=by)
    language = (request.LANGUAGE_CODE or "id")[:2]
    total = sum((r.amount for r in rows), 0)
    return render(
        request,
        "fees/revenue.html",
        {
            "regions": regions,
            "region": region,
            "first": first,
            "last": last,
            "by": by,
            "rows": [{"row": r, "amount_text": format_rupiah(r.amount, language)} for r in rows],
            "total_text": format_rupiah(total, language),
        },
    )


@role_required(Role.TREASURER, Role.MONITOR)
def revenue_csv(request):
    import csv

    from django.http import HttpResponse

    from fees.reports import revenue as revenue_of

    _regions, region, first, last, by, _error = _revenue_query(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="pendapatan-{region.code}-{by}-{first}-{last}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(["period", "account_code", "kind", "permit_type", "payments", "amount"])
    for r in revenue_of(region=region, first_day=first, last_day=last, by=by):
        kind = "interest" if r.interest else "levy"
        writer.writerow([r.period, r.account_code, kind, r.permit_type, r.payments, str(r.amount)])
    return response
