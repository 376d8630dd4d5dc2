"""The one field-kind registry (catalog.fields) and the one business-data schema
(applications.business): each kind parses, refuses and displays in one place, and the business
checks are the model's own."""

from decimal import Decimal

import pytest
from django.http import QueryDict
from django.utils import translation

from applications.business import BUSINESS_FIELDS, BUSINESS_SCHEMA, clean_business_data
from applications.models import Application
from catalog.fields import KINDS, clean_field_value, clean_form_data, display_value, posted_value
from catalog.models import FormField


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def field(kind, **extra):
    return {"key": "x", "kind": kind, "unit": "", "choices": [], **extra}


def test_every_form_field_kind_has_one_definition():
    assert set(KINDS) == set(FormField.Kind.values)


@pytest.mark.parametrize(
    ("kind", "raw", "value"),
    [
        ("text", "  Apotek  ", "Apotek"),
        ("integer", "12", 12),
        ("decimal", "12,5", "12.50"),
        ("date", "2026-01-31", "2026-01-31"),
        ("choice", "Utama", "Utama"),
        ("boolean", "on", True),
        ("boolean", "false", False),
        ("boolean", True, True),
        ("integer", "", ""),
    ],
)
def test_each_kind_parses_its_values(kind, raw, value):
    assert clean_field_value(field(kind, choices=["Pratama", "Utama"]), raw) == (value, None)


@pytest.mark.parametrize(
    ("kind", "raw", "message"),
    [
        ("text", "x" * 501, "At most 500 characters."),
        ("integer", "1.5", "Enter a whole number."),
        ("integer", "-1", "Enter a number of zero or more."),
        ("decimal", "banyak", "Enter a number."),
        ("decimal", "-1", "Enter a number of zero or more."),
        ("date", "31/01/2026", "Enter a date (YYYY-MM-DD)."),
        ("choice", "Lain", "Choose one of the listed options."),
        ("boolean", "maybe", "Choose yes or no."),
        ("nonsense", "1", "Unknown field kind."),
    ],
)
def test_each_kind_refuses_what_it_cannot_store(kind, raw, message):
    assert clean_field_value(field(kind, choices=["Utama"]), raw) == ("", message)


def test_undeclared_keys_are_ignored_and_errors_are_by_key():
    fields = [field("integer", key="lantai"), field("text", key="nama")]
    assert clean_form_data(fields, {"lantai": "x", "nama": "A", "status": "issued"}) == (
        {"nama": "A"},
        {"lantai": "Enter a whole number."},
    )


def test_an_unticked_checkbox_means_no_and_other_kinds_read_the_post():
    post = QueryDict("nama=A")
    assert posted_value(field("boolean", key="rawat_inap"), post) == "false"
    assert posted_value(field("text", key="nama"), post) == "A"
    assert posted_value(field("text", key="other"), post) == ""


def test_display_in_the_readers_language_with_the_unit():
    assert display_value(field("boolean"), True, "id") == "Ya"
    assert display_value(field("boolean"), False, "en") == "No"
    assert display_value(field("decimal", unit="m²"), "12.50", "id") == "12.50 m²"
    assert display_value(field("text"), "", "id") == ""
    choices = [{"value": "a", "label_id": "Satu", "label_en": "One"}]
    assert display_value(field("choice", choices=choices), "a", "en") == "One"


def test_business_schema_is_the_models_fields_with_the_models_limits():
    assert BUSINESS_FIELDS == [
        "business_name",
        "nib",
        "kbli",
        "address",
        "kelurahan",
        "kecamatan",
        "latitude",
        "longitude",
    ]
    for spec in BUSINESS_SCHEMA:
        model_field = Application._meta.get_field(spec.name)
        assert spec.model_field is model_field
        if spec.is_number:
            assert spec.bound in (90, 180)
        else:
            assert spec.max_length == model_field.max_length


def test_business_data_checked_with_the_messages_the_forms_show():
    cleaned, errors = clean_business_data(
        {
            "business_name": "x" * 201,
            "nib": "123",
            "kbli": "12345",
            "address": " Jl. Merdeka 1 ",
            "latitude": "-7,25",
            "longitude": "181",
        }
    )
    assert cleaned == {"kbli": "12345", "address": "Jl. Merdeka 1", "latitude": Decimal("-7.25")}
    assert errors == {
        "business_name": "At most 200 characters.",
        "nib": "NIB must be exactly 13 digits.",
        "longitude": "Enter a number between -180 and 180.",
    }
    assert clean_business_data({"latitude": ""}) == ({"latitude": None}, {})
    assert clean_business_data({"kbli": "1234"})[1] == {
        "kbli": "KBLI code must be exactly 5 digits."
    }


def test_the_api_serializer_takes_its_limits_from_the_schema():
    from api.apis.filing import DraftDataSerializer

    fields = DraftDataSerializer().fields
    assert list(fields)[:-1] == BUSINESS_FIELDS
    assert fields["business_name"].max_length == 200
    assert (fields["latitude"].min_value, fields["latitude"].max_value) == (-90, 90)
    assert (fields["longitude"].min_value, fields["longitude"].max_value) == (-180, 180)
