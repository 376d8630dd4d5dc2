"""The SKRD as a PDF: rendered with the permits' renderer (`permits.rendering`: letterhead,
footnote naming the certificate's issuer, PDF/A-3b, no network) from `fees/pdf/skrd.html`,
which extends the permits' base layout. Signed by `fees.cases.skrd_render_and_sign` with the
region's signer. The SKRD is a legal document in Indonesian."""

from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone

from fees.billing import billing_code_display
from fees.formatting import format_number, format_rupiah
from permits.rendering import (
    LABELS,
    footnote_context,
    html_to_pdf,
    letterhead,
    long_date,
    place_name,
)


def skrd_context(bill) -> dict:
    region = bill.region
    return {
        "lang": "id",
        "L": LABELS["id"],
        **footnote_context(region, "id"),
        "kop": letterhead(region),
        "region": region,
        "bill": bill,
        "application": bill.application,
        "lines": [
            {
                **line,
                "label_text": line["label"].get("id"),
                "amount_text": format_rupiah(line["amount"]),
            }
            for line in bill.lines
        ],
        "total_text": format_rupiah(bill.total),
        "billing_code": billing_code_display(bill.billing_code),
        "due": long_date(bill.due_date, "id"),
        "place_date": f"{place_name(region)}, {long_date(bill.issued_on, 'id')}",
        "generated_at": timezone.now(),
    }


def skrd_html(bill) -> str:
    return render_to_string("fees/pdf/skrd.html", skrd_context(bill))


def render_skrd_pdf(bill) -> bytes:
    return html_to_pdf(skrd_html(bill))


def strd_context(notice) -> dict:
    """The STRD (the late-interest bill) of `notice`, in Indonesian, like the SKRD."""
    from datetime import timedelta

    from fees.interest import add_months

    bill = notice.bill
    region = notice.region
    # The amount holds while the months charged stay the same.
    if notice.computation.get("partial_month_counts_as_full", True):
        until = add_months(bill.due_date, notice.months_charged)
    else:
        until = add_months(bill.due_date, notice.months_charged + 1) - timedelta(days=1)
    if bill.expires_on and until > bill.expires_on:
        until = bill.expires_on
    return {
        "lang": "id",
        "L": LABELS["id"],
        **footnote_context(region, "id"),
        "kop": letterhead(region),
        "region": region,
        "notice": notice,
        "bill": bill,
        "principal_text": format_rupiah(notice.principal),
        "interest_text": format_rupiah(notice.interest),
        "interest_account": notice.computation.get("interest_account_code", ""),
        "total_text": format_rupiah(notice.total),
        "rate_text": format_number(
            Decimal(notice.computation.get("monthly_rate_percent", "0")).normalize()
        ),
        "billing_code": billing_code_display(bill.billing_code),
        "due": long_date(bill.due_date, "id"),
        "valid_until": long_date(until, "id"),
        "expires": long_date(bill.expires_on, "id") if bill.expires_on else "-",
        "place_date": f"{place_name(region)}, {long_date(notice.issued_on, 'id')}",
        "generated_at": timezone.now(),
    }


def strd_html(notice) -> str:
    return render_to_string("fees/pdf/strd.html", strd_context(notice))


def render_strd_pdf(notice) -> bytes:
    return html_to_pdf(strd_html(notice))
