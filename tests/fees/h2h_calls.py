"""Signed calls to our own H2H receiver through Django's test client, as the demo bank."""

import json

from django.utils import timezone

from fees.bank_protocol import signed_headers
from fees.simulator import DEMO_BANKS

BANK = "BANKKALTIMTARA"
INQUIRY = "/api/h2h/v1/inquiry"
PAYMENT = "/api/h2h/v1/payment"


def call(client, path, payload, *, bank=BANK, secret=None, moment=None, raw=None):
    body = raw if raw is not None else json.dumps(payload).encode()
    headers = signed_headers(
        bank_id=bank,
        secret=secret or DEMO_BANKS.get(bank, "x" * 40),
        method="POST",
        path=path,
        body=body,
        moment=moment or timezone.now(),
    )
    response = client.generic(
        "POST",
        path,
        body,
        content_type="application/json",
        headers=headers,
    )
    return {"http": response.status_code, **json.loads(response.content)}


def pay(client, code, amount, receipt="BANKKA0000000001", **kwargs):
    return call(
        client,
        PAYMENT,
        {
            "billing_code": code,
            "amount": amount,
            "receipt_number": receipt,
            "paid_at": timezone.now().isoformat(),
            "channel": "TELLER",
        },
        **kwargs,
    )
