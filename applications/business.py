"""The applicant's business data on an Application (name, NIB, KBLI, address, coordinates): the
one schema of those fields and their checks, used by the draft form, the filing service, the
API's serializer and the officers' revision requests.

Each check comes from the model field itself: its `max_length`, its validators (`nib_validator`,
`kbli_validator`, the coordinates' bounds). The schema adds only what the model cannot say: the
label on the form, when the field is required for submission, and the browser's pattern hint.

NIB (Nomor Induk Berusaha) is the business identification number from OSS, 13 digits; KBLI
(Klasifikasi Baku Lapangan Usaha Indonesia) the 5-digit business classification code.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.models import Application

ALWAYS, IF_NIB_REQUIRED, NEVER = "always", "if_nib_required", "never"


@dataclass(frozen=True)
class BusinessField:
    """One business field of the Application. `form_label` is the draft form's label,
    `missing_label` the item's name in "still missing" lists, `required` when the field must be
    filled before submission (ALWAYS, IF_NIB_REQUIRED by the permit type, NEVER), `pattern` the
    HTML pattern hint (the server checks with the model's validators), `hint` the format in
    words for the API's description."""

    name: str
    form_label: Promise
    missing_label: Promise
    required: str = ALWAYS
    pattern: str = ""
    hint: str = ""

    @property
    def model_field(self) -> models.Field:
        return Application._meta.get_field(self.name)

    @property
    def is_number(self) -> bool:
        return isinstance(self.model_field, models.DecimalField)

    @property
    def max_length(self) -> int | None:
        return getattr(self.model_field, "max_length", None)

    @property
    def bound(self) -> Decimal | None:
        """The largest absolute value of a coordinate (its MaxValueValidator)."""
        for validator in self.model_field.validators:
            if isinstance(validator, MaxValueValidator):
                return Decimal(validator.limit_value)
        return None

    def is_required(self, *, requires_nib: bool) -> bool:
        return self.required == ALWAYS or (self.required == IF_NIB_REQUIRED and requires_nib)

    def clean(self, raw) -> tuple[object, str | None]:
        """(value for the model, error in the active language) for one raw answer."""
        value = str(raw if raw is not None else "").strip()
        if self.is_number:
            return self._clean_number(value)
        if self.max_length and len(value) > self.max_length:
            return None, _("At most %(n)d characters.") % {"n": self.max_length}
        if value:
            for validator in self.model_field.validators:
                if isinstance(validator, MaxLengthValidator):
                    continue  # checked above, with the form's own message
                try:
                    validator(value)
                except ValidationError as error:
                    return None, str(error.messages[0])
        return value, None

    def _clean_number(self, value: str) -> tuple[object, str | None]:
        if not value:
            return None, None
        places = self.model_field.decimal_places
        try:
            number = Decimal(value.replace(",", "."))
            if not number.is_finite():
                raise InvalidOperation
            number = number.quantize(Decimal(1).scaleb(-places))
            for validator in self.model_field.validators:
                validator(number)
        except (InvalidOperation, ValidationError):
            return None, _("Enter a number between -%(b)d and %(b)d.") % {"b": self.bound}
        return number, None


BUSINESS_SCHEMA: tuple[BusinessField, ...] = (
    BusinessField("business_name", gettext_lazy("Business name"), gettext_lazy("Business name")),
    BusinessField(
        "nib",
        gettext_lazy("NIB (13 digits)"),
        gettext_lazy("NIB"),
        required=IF_NIB_REQUIRED,
        pattern="\\d{13}",
        hint="13 digits.",
    ),
    BusinessField(
        "kbli",
        gettext_lazy("KBLI code (5 digits)"),
        gettext_lazy("KBLI code"),
        required=IF_NIB_REQUIRED,
        pattern="\\d{5}",
        hint="5 digits.",
    ),
    BusinessField("address", gettext_lazy("Address"), gettext_lazy("Address")),
    BusinessField("kelurahan", gettext_lazy("Kelurahan"), gettext_lazy("Kelurahan")),
    BusinessField("kecamatan", gettext_lazy("Kecamatan"), gettext_lazy("Kecamatan")),
    BusinessField(
        "latitude", gettext_lazy("Latitude (optional)"), gettext_lazy("latitude"), required=NEVER
    ),
    BusinessField(
        "longitude", gettext_lazy("Longitude (optional)"), gettext_lazy("longitude"), required=NEVER
    ),
)
BUSINESS_FIELDS: list[str] = [f.name for f in BUSINESS_SCHEMA]


def clean_business_data(raw: dict) -> tuple[dict, dict]:
    """(cleaned values, errors by field) for the business data keys present in `raw`."""
    cleaned, errors = {}, {}
    for field in BUSINESS_SCHEMA:
        if field.name not in raw:
            continue
        value, error = field.clean(raw.get(field.name))
        if error:
            errors[field.name] = error
        else:
            cleaned[field.name] = value
    return cleaned, errors


def business_missing(application: Application) -> list[str]:
    """The required business fields the application has not filled, as their names."""
    requires_nib = bool(application.catalog_version.snapshot.get("requires_nib"))
    return [
        str(field.missing_label)
        for field in BUSINESS_SCHEMA
        if field.is_required(requires_nib=requires_nib) and not getattr(application, field.name)
    ]
