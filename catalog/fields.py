"""The one registry of form-field kinds: how each kind of a permit type's own field (a
`FormField`, frozen in a version's snapshot as a dict) parses, validates, displays and renders.

The web form, the filing service, the API, the detail page and the permit's PDF all ask this
module; none of them branches on a kind's name. Adding a kind means adding one `FieldKind`
here (and its choice in `FormField.Kind`).
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from catalog.models import FormField
from ptsp.i18n import active_language


class FieldValueError(ValueError):
    """A value the applicant can correct; its message is in the active language."""


TEXT_MAX_LENGTH = 500
NUMBER_LIMIT = Decimal("1e12")
TRUE_WORDS = ("true", "1", "yes", "on")
FALSE_WORDS = ("false", "0", "no", "off")


def _parse_text(field: dict, value: str):
    if len(value) > TEXT_MAX_LENGTH:
        raise FieldValueError(_("At most %(n)d characters.") % {"n": TEXT_MAX_LENGTH})
    return value


def _parse_integer(field: dict, value: str):
    if not re.fullmatch(r"-?\d{1,12}", value):
        raise FieldValueError(_("Enter a whole number."))
    number = int(value)
    if number < 0:
        raise FieldValueError(_("Enter a number of zero or more."))
    return number


def _parse_decimal(field: dict, value: str):
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise FieldValueError(_("Enter a number.")) from None
    if not number.is_finite() or number < 0 or number >= NUMBER_LIMIT:
        raise FieldValueError(_("Enter a number of zero or more."))
    return str(number.quantize(Decimal("0.01")))  # JSON keeps it exact as a string


def _parse_date(field: dict, value: str):
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise FieldValueError(_("Enter a date (YYYY-MM-DD).")) from None


def _parse_choice(field: dict, value: str):
    if value not in _choice_values(field):
        raise FieldValueError(_("Choose one of the listed options."))
    return value


def _parse_boolean(field: dict, value: str):
    if value in FALSE_WORDS:
        return False
    if value in TRUE_WORDS:
        return True
    raise FieldValueError(_("Choose yes or no."))


def _choice_values(field: dict) -> list:
    return [c.get("value") if isinstance(c, dict) else c for c in field.get("choices") or []]


def _display_plain(field: dict, value, language: str) -> str:
    return str(value)


# Yes/no in the reader's language, whether or not the message catalogues are compiled (the
# permit's PDF is printed in its own language, not the request's).
BOOLEAN_WORDS = {"id": ("Ya", "Tidak"), "en": ("Yes", "No")}


def _display_boolean(field: dict, value, language: str) -> str:
    yes, no = BOOLEAN_WORDS.get(language, BOOLEAN_WORDS["id"])
    return yes if value in (True, "true") else no


def _display_choice(field: dict, value, language: str) -> str:
    for choice in field.get("choices") or []:
        if isinstance(choice, dict) and choice.get("value") == value:
            return str(choice.get(f"label_{language}") or choice.get("label_id") or value)
    return str(value)


@dataclass(frozen=True)
class FieldKind:
    """One kind of field.

    `parse(field, text)` turns the stripped, non-empty text into the value stored in
    `Application.form_data` or raises FieldValueError. `display(field, value, language)` is the
    value as a person reads it (before the unit). `widget` and `inputmode` say how the web form
    renders it. `absent_means` is what a form
    that does not post the field at all means (an unticked checkbox), None when absence means
    "not given". `json_type` names the value's type for the API's description.
    """

    name: str
    parse: Callable[[dict, str], object]
    display: Callable[[dict, object, str], str] = _display_plain
    widget: str = "text"
    inputmode: str = ""
    absent_means: str | None = None
    json_type: str = "string"


KINDS: dict[str, FieldKind] = {
    kind.name: kind
    for kind in (
        FieldKind(FormField.Kind.TEXT, _parse_text),
        FieldKind(FormField.Kind.INTEGER, _parse_integer, inputmode="decimal", json_type="integer"),
        FieldKind(FormField.Kind.DECIMAL, _parse_decimal, inputmode="decimal"),
        FieldKind(FormField.Kind.DATE, _parse_date, widget="date"),
        FieldKind(FormField.Kind.CHOICE, _parse_choice, _display_choice, widget="select"),
        FieldKind(
            FormField.Kind.BOOLEAN,
            _parse_boolean,
            _display_boolean,
            widget="checkbox",
            absent_means="false",
            json_type="boolean",
        ),
    )
}
assert set(KINDS) == set(FormField.Kind.values), "every FormField.Kind has its FieldKind"


def kind_of(field: dict) -> FieldKind | None:
    return KINDS.get(field.get("kind"))


def clean_field_value(field: dict, raw) -> tuple[object, str | None]:
    """(value to store, error) for one declared field; ("", None) for an empty value (a
    yes/no field stores False for an explicit "no")."""
    kind = kind_of(field)
    if kind is None:
        return "", _("Unknown field kind.")
    if isinstance(raw, bool):
        raw = "true" if raw else "false"
    value = str(raw if raw is not None else "").strip()
    if value == "":
        return "", None
    try:
        return kind.parse(field, value), None
    except FieldValueError as error:
        return "", str(error)


def clean_form_data(fields: list[dict], raw: dict) -> tuple[dict, dict]:
    """(cleaned values by key, errors by key) for the declared fields present in `raw`.
    Keys that are not declared are ignored (a forged form cannot add data)."""
    cleaned, errors = {}, {}
    for field in fields:
        key = field["key"]
        if key not in raw:
            continue
        value, error = clean_field_value(field, raw[key])
        if error:
            errors[key] = error
        else:
            cleaned[key] = value
    return cleaned, errors


def posted_value(field: dict, post) -> str:
    """The field's raw answer in a posted HTML form (a QueryDict): what the form's absence of
    the field means for kinds rendered as a checkbox."""
    kind = kind_of(field)
    if kind is not None and kind.absent_means is not None:
        return "true" if post.get(field["key"]) else kind.absent_means
    return post.get(field["key"], "")


def display_value(field: dict, value, language: str | None = None) -> str:
    """The stored value as read on a page or the permit, with its unit; "" when empty."""
    if value in ("", None):
        return ""
    language = active_language(language)
    kind = kind_of(field)
    text = kind.display(field, value, language) if kind else str(value)
    unit = field.get("unit")
    return f"{text} {unit}".strip() if unit else text
