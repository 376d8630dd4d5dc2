from decimal import Decimal

import pytest

from fees.formatting import format_number, format_percent, format_rupiah


@pytest.mark.parametrize(
    ("value", "id_text", "en_text"),
    [
        (Decimal("1166720.625"), "1.166.720,625", "1,166,720.625"),
        (Decimal("0.21165"), "0,21165", "0.21165"),
        (1766721, "1.766.721", "1,766,721"),
        (0, "0", "0"),
        (Decimal("-1500"), "-1.500", "-1,500"),
        (Decimal("999"), "999", "999"),
    ],
)
def test_numbers_per_language(value, id_text, en_text):
    assert format_number(value, "id") == id_text
    assert format_number(value, "en") == en_text


def test_rupiah_and_percent():
    assert format_rupiah(1_766_721) == "Rp 1.766.721"
    assert format_rupiah(1_766_721, "en") == "Rp 1,766,721"
    assert format_percent(Decimal("0.005")) == "0,5 %"
    assert format_percent(Decimal("0.004"), "en") == "0.4 %"
    assert format_percent(Decimal("0.01")) == "1 %"
