"""An amount in Indonesian words (*terbilang*), as an SKRD prints it: 1.500.000 → "satu juta
lima ratus ribu rupiah".

The rules, as Indonesian is written on official documents:
- 0 is "nol"; the units are satu … sembilan.
- 10 is "sepuluh", 11 "sebelas", 12–19 "dua belas" … "sembilan belas"; 20–99 "dua puluh" …
- "se-" replaces "satu" before ratus and ribu only: 100 "seratus", 1.000 "seribu", 1.100
  "seribu seratus"; but 1.000.000 is "satu juta", 10⁹ "satu miliar", 10¹² "satu triliun", and
  101.000 is "seratus satu ribu" (the group is 101, not 1).
- Groups of three digits are named ribu (10³), juta (10⁶), miliar (10⁹), triliun (10¹²); an
  empty group is skipped: 1.000.001 is "satu juta satu".
- The largest amount is 999.999.999.999.999 (just under a thousand trillion rupiah); anything
  larger, negative or not a whole number is refused: a bill is never any of these.

Words are lower case; a template capitalises the first letter where a document wants it.
"""

from decimal import Decimal

UNITS = ["", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]
SCALES = ["", "ribu", "juta", "miliar", "triliun"]
MAXIMUM = 10**15 - 1


def _as_whole(amount: int | Decimal) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int | Decimal):
        raise TypeError(f"terbilang takes an int or a Decimal, not {type(amount).__name__}")
    if isinstance(amount, Decimal):
        if not amount.is_finite() or amount != amount.to_integral_value():
            raise ValueError(f"terbilang takes whole rupiah only, not {amount}")
        amount = int(amount)
    if amount < 0:
        raise ValueError(f"terbilang takes no negative amount ({amount})")
    if amount > MAXIMUM:
        raise ValueError(f"terbilang goes up to {MAXIMUM}, not {amount}")
    return amount


def _below_thousand(n: int) -> list[str]:
    """Words for 1..999 (0 gives no words)."""
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds == 1:
        words.append("seratus")
    elif hundreds > 1:
        words += [UNITS[hundreds], "ratus"]
    tens, units = divmod(rest, 10)
    if tens == 1:
        if units == 0:
            words.append("sepuluh")
        elif units == 1:
            words.append("sebelas")
        else:
            words += [UNITS[units], "belas"]
    else:
        if tens > 1:
            words += [UNITS[tens], "puluh"]
        if units:
            words.append(UNITS[units])
    return words


def terbilang(amount: int | Decimal) -> str:
    """The whole number `amount` in Indonesian words, e.g. 2_500 → "dua ribu lima ratus"."""
    n = _as_whole(amount)
    if n == 0:
        return "nol"
    groups: list[int] = []
    while n:
        n, group = divmod(n, 1000)
        groups.append(group)
    words: list[str] = []
    for scale in range(len(groups) - 1, -1, -1):
        group = groups[scale]
        if group == 0:
            continue
        if scale == 1 and group == 1:
            words.append("seribu")
            continue
        words += _below_thousand(group)
        if SCALES[scale]:
            words.append(SCALES[scale])
    return " ".join(words)


def terbilang_rupiah(amount: int | Decimal) -> str:
    """`terbilang` followed by "rupiah": 1_500_000 → "satu juta lima ratus ribu rupiah"."""
    return f"{terbilang(amount)} rupiah"
