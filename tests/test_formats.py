"""Dates and money are written the Indonesian way: `22 November 2026`, `Rp1.500.000`."""

import datetime

from django.template import Context, Template
from django.utils import translation

from catalog.selectors import format_fee


def test_money_is_rupiah_without_space_with_dots_between_thousands():
    assert format_fee(1_500_000) == "Rp1.500.000"
    assert format_fee(25_000) == "Rp25.000"
    assert format_fee(0) == ""
    assert format_fee(None) == ""


def _render(day, lang):
    with translation.override(lang):
        return Template('{{ d|date:"j F Y" }}').render(Context({"d": day}))


def test_dates_in_templates_are_day_month_name_year_in_both_languages():
    assert _render(datetime.date(2026, 11, 22), "id") == "22 November 2026"
    assert _render(datetime.date(2026, 8, 17), "id") == "17 Agustus 2026"
    assert _render(datetime.date(2026, 8, 17), "en") == "17 August 2026"


def test_no_template_writes_short_month_or_numeric_dates_for_people():
    """Pages show `22 November 2026`; `Y-m-d` only appears in form values and URLs."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    offenders = [
        str(path.relative_to(root))
        for path in root.glob("*/templates/**/*.html")
        if ".venv" not in path.parts
        and any(bad in path.read_text() for bad in ('date:"j M', 'date:"d/m', 'date:"m/d'))
    ]
    assert offenders == []
