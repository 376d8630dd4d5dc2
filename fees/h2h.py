"""The regional bank's host-to-host calls (docs/fees.md §7): `POST /api/h2h/v1/inquiry` and
`/payment`. Each request is authenticated per bank (HMAC over method, path, timestamp and the
body's digest, within the replay window), parsed, and answered by the pure decisions of
`fees.bank_protocol` while the bill's row is locked; a payment is recorded once (unique on the
bank and its receipt number) and sends the file to the signer in the same transaction.
Answers are JSON with the interface's codes; a database failure answers 91 (retry: nothing
was recorded)."""

import json
import logging
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from fees.bank_protocol import (
    AuthError,
    BankCredential,
    Code,
    FormatError,
    PriorPayment,
    answer_inquiry,
    decide_payment,
    parse_inquiry,
    parse_payment,
    response,
    verify_request,
)
from fees.cases import bill_mark_paid, bill_view, interest_account_of
from fees.models import Bill, Payment
from fees.selectors import region_local_date
from ptsp.errors import DomainError

logger = logging.getLogger("ptsp.fees.h2h")

DEMO_BANK_REGIONS = {"BANKKALTIMTARA": "BTG", "BANKSUMSELBABEL": "PLG"}


def bank_credentials() -> dict[str, BankCredential]:
    """The banks allowed to call, from the settings (FEES_BANK_SECRET_<ID>, FEES_BANK_REGION_<ID>);
    outside production with none set, the simulator's demo banks. A bank without a region is
    refused (fail closed)."""
    secrets = dict(settings.FEES_BANK_SECRETS)
    regions = dict(settings.FEES_BANK_REGIONS)
    if not secrets and not settings.PRODUCTION:
        from fees.simulator import DEMO_BANKS

        secrets = dict(DEMO_BANKS)
        regions = {**DEMO_BANK_REGIONS, **regions}
    found = {}
    for bank_id, value in secrets.items():
        region = regions.get(bank_id)
        if not region:
            continue
        parts = tuple(s.strip() for s in value.split(",") if s.strip())
        found[bank_id] = BankCredential(bank_id=bank_id, secrets=parts, region_code=region)
    return found


def _json(status: int, body: dict) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type="application/json"
    )


def _answer(code: Code, **fields) -> HttpResponse:
    return _json(*response(code, **fields))


def _authenticate(request) -> BankCredential:
    banks = bank_credentials()
    return verify_request(
        method=request.method,
        path=request.get_full_path(),
        headers=request.headers,
        body=request.body,
        lookup=banks.get,
        now=timezone.now(),
        window=timedelta(seconds=settings.FEES_H2H_WINDOW_SECONDS),
    )


def _bill_of(code: str, bank: BankCredential, *, lock: bool) -> Bill | None:
    bills = Bill.objects.select_related("region")
    if lock:
        bills = bills.select_for_update(no_key=True)
    bill = bills.filter(billing_code=code).first()
    if bill is None or bill.region.code != bank.region_code:
        return None  # another region's bill is unknown to this bank
    return bill


def _guarded(handler):
    @csrf_exempt
    @require_POST
    def view(request):
        try:
            bank = _authenticate(request)
        except AuthError as exc:
            logger.warning("h2h refused: reason=%s path=%s", exc.reason, request.path)
            return _answer(Code.SECURITY)
        try:
            return handler(request, bank)
        except FormatError as exc:
            logger.info("h2h malformed: bank=%s %s", bank.bank_id, exc)
            return _answer(Code.FORMAT_ERROR)
        except DatabaseError:
            logger.exception("h2h database error: bank=%s", bank.bank_id)
            return _answer(Code.SYSTEM_ERROR)
        except DomainError as exc:  # e.g. the file is no longer waiting for payment
            logger.error("h2h refused by the case: bank=%s %s", bank.bank_id, exc.message)
            return _answer(Code.SYSTEM_ERROR)

    view.__name__ = handler.__name__
    return view


@_guarded
def inquiry(request, bank):
    message = parse_inquiry(request.body)
    bill = _bill_of(message.billing_code, bank, lock=False)
    today = region_local_date(bill.region) if bill else timezone.localdate()
    decision = answer_inquiry(bill_view(bill) if bill else None, today=today)
    return _json(decision.http_status, decision.body)


@_guarded
def payment(request, bank):
    message = parse_payment(request.body)
    try:
        with transaction.atomic():
            bill = _bill_of(message.billing_code, bank, lock=True)
            prior_row = (
                Payment.objects.filter(bank_id=bank.bank_id, receipt_number=message.receipt_number)
                .select_related("bill")
                .first()
            )
            prior = (
                PriorPayment(
                    billing_code=prior_row.bill.billing_code,
                    amount=int(prior_row.amount),
                    receipt_number=prior_row.receipt_number,
                    paid_at=prior_row.paid_at,
                )
                if prior_row
                else None
            )
            today = region_local_date(bill.region) if bill else timezone.localdate()
            decision = decide_payment(
                bill_view(bill) if bill else None, message, today=today, prior=prior
            )
            if decision.record:
                row = Payment.objects.create(
                    bill=bill,
                    method=Payment.Method.H2H,
                    bank_id=bank.bank_id,
                    receipt_number=message.receipt_number,
                    amount=message.amount,
                    interest_account_code=interest_account_of(bill, message.amount),
                    paid_at=message.paid_at,
                    channel=message.channel,
                )
                bill_mark_paid(bill=bill, payment=row)
                logger.info(
                    "h2h paid: bank=%s receipt=%s bill=%s",
                    bank.bank_id,
                    message.receipt_number,
                    bill.number,
                )
    except IntegrityError:
        # The same receipt number committed by a racing request: answer as a repeat would.
        logger.warning("h2h race on receipt %s: retry answers it", message.receipt_number)
        return _answer(Code.SYSTEM_ERROR)
    return _json(decision.http_status, decision.body)
