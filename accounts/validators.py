from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _


def validate_nik(value: str) -> None:
    """NIK (Nomor Induk Kependudukan): a person's 16-digit national ID number from the KTP.

    Digits 1-6 are the region code of the issuing kabupaten/kota, so it never starts with 0.
    """
    if not (value.isdigit() and len(value) == 16):
        raise ValidationError(_("NIK must be exactly 16 digits."), code="nik_format")
    if value.startswith("0"):
        raise ValidationError(_("NIK cannot start with 0."), code="nik_region")


validate_phone = RegexValidator(
    r"^(\+62|62|0)8[0-9]{7,12}$",
    _("Enter an Indonesian mobile number, e.g. 081234567890 or +6281234567890."),
    code="phone_format",
)
