from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _


def validate_nik(value: str) -> None:
    """NIK (Nomor Induk Kependudukan): a person's 16-digit national ID number from the KTP.

    Its parts (Permendagri on the NIK): digits 1-6 the place of registration (province 11-99,
    kabupaten/kota 01-99, kecamatan 01-99, so never 0 first and never a 00 part), digits 7-12
    the date of birth as DDMMYY with 40 added to the day for women (01-31 or 41-71), digits
    13-16 a serial number from 0001. Each part is checked; the message says which is wrong.
    """
    if not (value.isdigit() and len(value) == 16):
        raise ValidationError(_("NIK must be exactly 16 digits."), code="nik_format")
    if value.startswith("0"):
        raise ValidationError(_("NIK cannot start with 0."), code="nik_region")
    province, regency, district = value[0:2], value[2:4], value[4:6]
    if int(province) < 11 or regency == "00" or district == "00":
        raise ValidationError(
            _(
                "The first six digits of the NIK are not a region code (province, "
                "kabupaten/kota and kecamatan, none of them 00)."
            ),
            code="nik_region",
        )
    day, month, year = int(value[6:8]), int(value[8:10]), int(value[10:12])
    if day > 40:
        day -= 40  # women
    if not 1 <= month <= 12:
        raise ValidationError(
            _("Digits 9-10 of the NIK are the month of birth: 01 to 12."), code="nik_birth_date"
        )
    # The year has two digits: a date valid in either century is accepted (29 February).
    if not any(_is_date(century + year, month, day) for century in (1900, 2000)):
        raise ValidationError(
            _(
                "Digits 7-8 of the NIK are the day of birth (01-31, or 41-71 for women) and "
                "must make a real date with the month."
            ),
            code="nik_birth_date",
        )
    if value[12:] == "0000":
        raise ValidationError(
            _("The last four digits of the NIK are a serial number from 0001."),
            code="nik_serial",
        )


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


validate_phone = RegexValidator(
    r"^(\+62|62|0)8[0-9]{7,12}$",
    _("Enter an Indonesian mobile number, e.g. 081234567890 or +6281234567890."),
    code="phone_format",
)
