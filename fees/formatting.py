"""Numbers and rupiah as people read them, per language: Indonesian writes 1.166.720,625 and
"Rp 1.766.721"; English 1,166,720.625 and "Rp 1,766,721". Pure functions; the stored
computation keeps canonical Decimal strings ("1166720.625") and is formatted only for display.
"""

from decimal import Decimal

SEPARATORS = {"id": (".", ","), "en": (",", ".")}


def format_number(value: Decimal | int, language: str = "id") -> str:
    """`value` with thousands grouped and the decimal mark of `language` (id or en); trailing
    zeros after the decimal mark are kept as stored (0.500 stays 0,500)."""
    thousands, decimal_mark = SEPARATORS.get(language[:2], SEPARATORS["id"])
    text = format(Decimal(value), "f")
    sign = ""
    if text.startswith("-"):
        sign, text = "-", text[1:]
    whole, _, fraction = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    result = sign + thousands.join(groups)
    return f"{result}{decimal_mark}{fraction}" if fraction else result


def format_rupiah(amount: Decimal | int, language: str = "id") -> str:
    """A whole-rupiah amount as "Rp 1.500.000" (id) or "Rp 1,500,000" (en)."""
    return f"Rp {format_number(Decimal(amount), language)}"


def format_percent(fraction: Decimal, language: str = "id") -> str:
    """A fraction as a percentage without losing digits: 0.005 → "0,5 %" (id), "0.5 %" (en)."""
    percent = (Decimal(fraction) * 100).normalize()
    if percent == percent.to_integral_value():
        percent = percent.quantize(Decimal(1))
    return f"{format_number(percent, language)} %"
