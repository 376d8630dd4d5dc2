"""Billing codes (*kode bayar*): the number an applicant reads out at the bank's counter or types
into mobile banking, and the key of the bank's inquiry.

Layout, 16 digits, no letters (a teller's keypad, an ATM, a USSD menu):

    RRRR YY SSSSSSSSS C
    │    │  │         └ check digit (Damm algorithm, over the 15 digits before it)
    │    │  └ serial, 9 digits
    │    └ year of issue, 2 digits, in the region's own time zone
    └ the region's 4-digit Kemendagri code (kabupaten/kota), e.g. 6474 Kota Bontang,
      1671 Kota Palembang (`LevyPolicy.billing_prefix`)

The check digit is computed with the Damm algorithm (H. Michael Damm, 2004): a running
"interim digit" starts at 0 and, for each digit d, becomes TABLE[interim][d]; the check digit
is the final interim digit, and a code is valid when running the table over all 16 digits ends
at 0. The table is a weakly totally anti-symmetric quasigroup of order 10, so the single check
digit catches every single-digit typo and every swap of two adjacent digits — the two mistakes
people make when they copy a number — which the more common Luhn digit does not (Luhn misses
09↔90). Example: the check digit of 572 is 4; 5724 is valid.

The serial is either given (phase 2 may take it from a per-region counter) or random
(`billing_code_random`): a bill's code is not a secret, but a random serial keeps one payer's
code from telling the next one's. Uniqueness is the caller's job (a unique column, retried on
a collision); with 10⁹ serials per region and year a collision is rare.
"""

import re
import secrets

DAMM_TABLE = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

PREFIX_DIGITS = 4
YEAR_DIGITS = 2
SERIAL_DIGITS = 9
LENGTH = PREFIX_DIGITS + YEAR_DIGITS + SERIAL_DIGITS + 1
PREFIX_PATTERN = re.compile(r"^\d{4}$")


def damm_check_digit(digits: str) -> str:
    """The Damm check digit of a string of decimal digits."""
    if not digits.isdigit() or not digits.isascii():
        raise ValueError(f"digits only, not {digits!r}")
    interim = 0
    for char in digits:
        interim = DAMM_TABLE[interim][int(char)]
    return str(interim)


def damm_is_valid(digits: str) -> bool:
    """True when the last digit of `digits` is the Damm check digit of the ones before it."""
    if len(digits) < 2 or not digits.isdigit() or not digits.isascii():
        return False
    return damm_check_digit(digits) == "0"


def billing_code_make(*, region_prefix: str, year: int, serial: int) -> str:
    """The 16-digit billing code for a region's 4-digit prefix, a year and a serial."""
    if not PREFIX_PATTERN.match(region_prefix or ""):
        raise ValueError(
            f"the region prefix is 4 digits (a Kemendagri code), not {region_prefix!r}"
        )
    if not 0 <= serial < 10**SERIAL_DIGITS:
        raise ValueError(f"the serial has at most {SERIAL_DIGITS} digits, not {serial}")
    body = f"{region_prefix}{year % 100:02d}{serial:0{SERIAL_DIGITS}d}"
    return body + damm_check_digit(body)


def billing_code_random(*, region_prefix: str, year: int) -> str:
    """A billing code with a random serial (from `secrets`, not guessable from the last one)."""
    return billing_code_make(
        region_prefix=region_prefix, year=year, serial=secrets.randbelow(10**SERIAL_DIGITS)
    )


def billing_code_normalise(text: str) -> str:
    """What a person typed, without the spaces, dots and dashes people put in long numbers."""
    return re.sub(r"[\s.\-]", "", text or "")


def billing_code_is_valid(code: str) -> bool:
    """True for 16 ASCII digits whose last is the right check digit (after normalising)."""
    code = billing_code_normalise(code)
    return len(code) == LENGTH and damm_is_valid(code)


def billing_code_display(code: str) -> str:
    """The code in groups of four, as printed on the SKRD: "6474 2612 3456 7893"."""
    code = billing_code_normalise(code)
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))
