"""Billing codes: layout, the Damm check digit, and that it catches the typos people make."""

import pytest

from fees.billing import (
    LENGTH,
    billing_code_display,
    billing_code_is_valid,
    billing_code_make,
    billing_code_normalise,
    billing_code_random,
    damm_check_digit,
    damm_is_valid,
)


def test_damm_check_digit_of_the_published_example():
    # H. M. Damm's own example, as in every description of the algorithm: 572 → 4.
    assert damm_check_digit("572") == "4"
    assert damm_is_valid("5724")
    assert not damm_is_valid("5723")


def test_billing_code_layout_prefix_year_serial_check():
    code = billing_code_make(region_prefix="6474", year=2026, serial=12345)
    assert len(code) == LENGTH == 16
    assert code[:4] == "6474" and code[4:6] == "26" and code[6:15] == "000012345"
    assert code[15] == damm_check_digit(code[:15])
    assert billing_code_is_valid(code)


@pytest.mark.parametrize("serial", [0, 1, 999_999_999, 123_456_789])
def test_every_serial_gives_a_valid_code(serial):
    assert billing_code_is_valid(billing_code_make(region_prefix="1671", year=2031, serial=serial))


def test_every_single_digit_typo_is_caught():
    code = billing_code_make(region_prefix="6474", year=2026, serial=987_654_321)
    for position in range(LENGTH):
        for digit in "0123456789":
            if digit == code[position]:
                continue
            typo = code[:position] + digit + code[position + 1 :]
            assert not billing_code_is_valid(typo), (position, digit)


def test_every_swap_of_two_adjacent_digits_is_caught():
    for serial in (0, 90_909_090, 123_456_789, 556_677_889):
        code = billing_code_make(region_prefix="6474", year=2026, serial=serial)
        for i in range(LENGTH - 1):
            if code[i] == code[i + 1]:
                continue
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            assert not billing_code_is_valid(swapped), (code, i)


def test_random_codes_are_valid_and_differ():
    codes = {billing_code_random(region_prefix="6474", year=2026) for _ in range(200)}
    assert len(codes) > 190
    assert all(billing_code_is_valid(c) and c.startswith("647426") for c in codes)


def test_what_people_type_is_normalised_and_displayed_in_fours():
    code = billing_code_make(region_prefix="6474", year=2026, serial=12345)
    shown = billing_code_display(code)
    assert shown == f"{code[:4]} {code[4:8]} {code[8:12]} {code[12:]}"
    assert billing_code_normalise(shown) == code
    assert billing_code_is_valid(shown.replace(" ", "-"))


@pytest.mark.parametrize(
    "bad", ["", "647426000012345", "64742600001234567", "6474260000123a5", "٦٤٧٤٢٦٠٠٠٠١٢٣٤٥٧"]
)
def test_malformed_codes_are_not_valid(bad):
    assert not billing_code_is_valid(bad)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"region_prefix": "647", "year": 2026, "serial": 1},
        {"region_prefix": "64A4", "year": 2026, "serial": 1},
        {"region_prefix": "6474", "year": 2026, "serial": -1},
        {"region_prefix": "6474", "year": 2026, "serial": 10**9},
    ],
)
def test_bad_parts_are_refused(kwargs):
    with pytest.raises(ValueError):
        billing_code_make(**kwargs)
