"""The amount in Indonesian words, checked by examples and against an independent reader of
the words over a wide range of numbers."""

import random
from decimal import Decimal

import pytest

from fees.terbilang import MAXIMUM, terbilang, terbilang_rupiah

EXAMPLES = [
    (0, "nol"),
    (1, "satu"),
    (2, "dua"),
    (9, "sembilan"),
    (10, "sepuluh"),
    (11, "sebelas"),
    (12, "dua belas"),
    (15, "lima belas"),
    (19, "sembilan belas"),
    (20, "dua puluh"),
    (21, "dua puluh satu"),
    (99, "sembilan puluh sembilan"),
    (100, "seratus"),
    (101, "seratus satu"),
    (110, "seratus sepuluh"),
    (111, "seratus sebelas"),
    (115, "seratus lima belas"),
    (200, "dua ratus"),
    (999, "sembilan ratus sembilan puluh sembilan"),
    (1_000, "seribu"),
    (1_001, "seribu satu"),
    (1_010, "seribu sepuluh"),
    (1_011, "seribu sebelas"),
    (1_100, "seribu seratus"),
    (1_999, "seribu sembilan ratus sembilan puluh sembilan"),
    (2_000, "dua ribu"),
    (10_000, "sepuluh ribu"),
    (11_000, "sebelas ribu"),
    (12_345, "dua belas ribu tiga ratus empat puluh lima"),
    (100_000, "seratus ribu"),
    (101_000, "seratus satu ribu"),
    (111_111, "seratus sebelas ribu seratus sebelas"),
    (999_999, "sembilan ratus sembilan puluh sembilan ribu sembilan ratus sembilan puluh sembilan"),
    (1_000_000, "satu juta"),
    (1_000_001, "satu juta satu"),
    (1_001_000, "satu juta seribu"),
    (1_100_000, "satu juta seratus ribu"),
    (1_500_000, "satu juta lima ratus ribu"),
    (1_766_721, "satu juta tujuh ratus enam puluh enam ribu tujuh ratus dua puluh satu"),
    (10_000_000, "sepuluh juta"),
    (11_000_000, "sebelas juta"),
    (100_000_000, "seratus juta"),
    (1_000_000_000, "satu miliar"),
    (2_000_000_000, "dua miliar"),
    (1_000_000_000_000, "satu triliun"),
    (1_001_001_001_001, "satu triliun satu miliar satu juta seribu satu"),
    (
        MAXIMUM,
        " ".join(
            [
                "sembilan ratus sembilan puluh sembilan " + s
                for s in ["triliun", "miliar", "juta", "ribu"]
            ]
        )
        + " sembilan ratus sembilan puluh sembilan",
    ),
]


@pytest.mark.parametrize(("amount", "words"), EXAMPLES)
def test_terbilang_examples(amount, words):
    assert terbilang(amount) == words
    assert terbilang(Decimal(amount)) == words


def test_terbilang_rupiah_reads_as_on_the_skrd():
    assert terbilang_rupiah(1_500_000) == "satu juta lima ratus ribu rupiah"
    assert terbilang_rupiah(0) == "nol rupiah"
    assert terbilang_rupiah(Decimal("53002")) == "lima puluh tiga ribu dua rupiah"


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (-1, ValueError),
        (Decimal("1.5"), ValueError),
        (Decimal("NaN"), ValueError),
        (MAXIMUM + 1, ValueError),
        (1.0, TypeError),
        (True, TypeError),
        ("1000", TypeError),
    ],
)
def test_terbilang_refuses_what_is_not_a_bill(bad, error):
    with pytest.raises(error):
        terbilang(bad)


def test_a_whole_decimal_with_zero_cents_is_fine():
    assert terbilang(Decimal("2500.00")) == "dua ribu lima ratus"


# An independent reader of the words: if terbilang and this agree for many numbers, both are
# right or both wrong in the same way — and the examples above pin the way.
WORD_VALUES = {
    "nol": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5,
    "enam": 6, "tujuh": 7, "delapan": 8, "sembilan": 9,
    "sepuluh": 10, "sebelas": 11, "seratus": 100, "seribu": 1000,
}  # fmt: skip
SCALES = {"ribu": 10**3, "juta": 10**6, "miliar": 10**9, "triliun": 10**12}


def read_words(text: str) -> int:
    total, group, number = 0, 0, 0
    for word in text.split():
        if word in WORD_VALUES and word not in {"seratus", "seribu"}:
            number += WORD_VALUES[word]
        elif word == "belas":
            number += 10
        elif word == "puluh":
            number *= 10
        elif word == "ratus":
            group += number * 100
            number = 0
        elif word == "seratus":
            group += 100
        elif word == "seribu":
            total += 1000
        elif word in SCALES:
            total += (group + number) * SCALES[word]
            group = number = 0
        else:
            raise AssertionError(f"unexpected word {word!r} in {text!r}")
    return total + group + number


def numbers_to_check():
    rng = random.Random(17)
    yield from range(0, 25_000)
    for digits in range(5, 16):
        for _ in range(300):
            yield rng.randrange(10 ** (digits - 1), 10**digits)


def test_terbilang_reads_back_to_the_number_and_says_se_where_it_belongs():
    for n in numbers_to_check():
        words = terbilang(n)
        assert read_words(words) == n, (n, words)
        for wrong in ("satu ratus", "satu puluh", "satu belas", "  "):
            assert wrong not in words, (n, words)
        tokens = words.split()
        for i, token in enumerate(tokens[:-1]):
            if token == "satu" and tokens[i + 1] == "ribu":
                # "… dua puluh satu ribu" is right; "satu ribu" alone or after juta is "seribu"
                assert i > 0 and tokens[i - 1] not in SCALES, (n, words)
