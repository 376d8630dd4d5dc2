"""BSrE's words to ours: the provider's status strings and numeric codes → our error types.

Observed on regional Esign Client Services (INTEGRATION-FACTS.md, public contract reports):
`user/check/status` answers HTTP 200 `{"status_code", "message", "status"}` with status `ISSUE`
(a usable certificate), `NOT_REGISTERED` (code 2011), `NO_CERTIFICATE` (2021), `EXPIRED`,
`REVOKE`; a wrong passphrase on `sign/pdf` is HTTP 4xx `{"status_code": 2031, "error":
"Passphrase anda salah"}`; a wrong Basic Auth is HTTP 401 `{timestamp, status, error, path}`.
The codes for a wrong TOTP and for an expired/revoked certificate at signing time were not
found in public material: the simulator uses 2032, 2051 and 2052 and the message fallbacks
below catch the usual Indonesian wording. Change a code here, not in the client.
"""

from bsre import errors

STATUS_ACTIVE = "ISSUE"
STATUS_ERRORS = {
    "NOT_REGISTERED": errors.BsreSignerNotRegistered,
    "NO_CERTIFICATE": errors.BsreSignerNotRegistered,
    "EXPIRED": errors.BsreCertificateExpired,
    "REVOKE": errors.BsreCertificateRevoked,
    "REVOKED": errors.BsreCertificateRevoked,
}

CODE_ERRORS = {
    2011: errors.BsreSignerNotRegistered,
    2021: errors.BsreSignerNotRegistered,
    2031: errors.BsreWrongCredential,  # passphrase
    2032: errors.BsreWrongCredential,  # one-time code (simulator's code)
    2051: errors.BsreCertificateExpired,  # simulator's code
    2052: errors.BsreCertificateRevoked,  # simulator's code
}

# Lower-case fragments of provider messages, for codes we do not know yet.
MESSAGE_ERRORS = (
    ("passphrase", errors.BsreWrongCredential),
    ("otp", errors.BsreWrongCredential),
    ("kadaluarsa", errors.BsreCertificateExpired),
    ("kedaluwarsa", errors.BsreCertificateExpired),
    ("expired", errors.BsreCertificateExpired),
    ("revoke", errors.BsreCertificateRevoked),
    ("dicabut", errors.BsreCertificateRevoked),
    ("tidak terdaftar", errors.BsreSignerNotRegistered),
    ("not registered", errors.BsreSignerNotRegistered),
)


def error_for(http_status: int, body) -> errors.BsreError:
    """The error for a non-2xx answer (or a 2xx one that says it failed). Fail closed: what is
    not recognised is `BsreBadAnswer`, never success."""
    code = None
    text = ""
    if isinstance(body, dict):
        raw_code = body.get("status_code")
        try:
            code = int(raw_code) if raw_code is not None else None
        except (TypeError, ValueError):
            code = None
        text = str(body.get("error") or body.get("message") or "").lower()
    details = {"http_status": http_status, "bsre_code": code}
    if http_status in (401, 403):
        return errors.BsreMisconfigured(details=details)
    if code in CODE_ERRORS:
        return CODE_ERRORS[code](details=details)
    for fragment, error_type in MESSAGE_ERRORS:
        if fragment in text:
            return error_type(details=details)
    if http_status in (502, 503, 504) or http_status == 429:
        return errors.BsreUnavailable(details=details)
    return errors.BsreBadAnswer(details=details)
