"""The applicant's levy through the API (issue 17): read the SKRD of an application, download
its signed PDF, upload a proof of payment. The same selector, download and service as the bill
page (`fees.selectors.bill_of_applicant`, `fees.downloads.bill_response`,
`fees.cases.proof_upload`); the bank's own host-to-host interface is not here but under
/api/h2h/v1/ (fees.h2h; documented in this OpenAPI by `api.schema.h2h_paths`)."""

from decimal import Decimal

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from api.apis.common import BaseApi, FileApi, StrictCharField
from api.models import Scope
from fees.cases import proof_upload
from fees.downloads import bill_response
from fees.models import Bill, PaymentProof
from fees.selectors import bill_of_applicant

TAG = ["applications"]


def own_bill(request, pk: int) -> Bill:
    """The SKRD of the caller's own application `pk` (404 for a missing bill, a missing
    application and another person's alike)."""
    bill = bill_of_applicant(request.user, pk)
    if bill is None:
        raise Http404
    return bill


class ProofSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=PaymentProof.Status.choices)
    paid_on = serializers.DateField()
    note = StrictCharField()
    content_type = StrictCharField()
    size = serializers.IntegerField()
    sha256 = StrictCharField()
    uploaded_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    refusal_reason = StrictCharField(help_text="Why the treasurer refused it (blank otherwise).")


class BillLineSerializer(serializers.Serializer):
    account_code = StrictCharField(help_text="The regional revenue account (kode rekening).")
    label = serializers.DictField(
        child=serializers.CharField(), help_text='The line\'s words by language: {"id", "en"}.'
    )
    amount = serializers.IntegerField(help_text="Whole rupiah.")


class BillSerializer(serializers.Serializer):
    application_id = serializers.IntegerField()
    number = StrictCharField(help_text="The SKRD's number, e.g. 973/0001/SKRD/BTG/III/2026.")
    status = serializers.ChoiceField(choices=Bill.Status.choices)
    billing_code = StrictCharField(help_text="The 16-digit code to pay at the regional bank.")
    payer_name = StrictCharField()
    npwr = StrictCharField(source="payer.npwr", help_text="The payer's levy number (NPWR).")
    object_description = StrictCharField()
    lines = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField(help_text="Whole rupiah.")
    total_in_words = StrictCharField(help_text="The total in Indonesian words (terbilang).")
    issued_on = serializers.DateField()
    due_date = serializers.DateField()
    paid_at = serializers.DateTimeField(allow_null=True)
    pdf_ready = serializers.SerializerMethodField()
    proofs = serializers.SerializerMethodField()

    def get_pdf_ready(self, bill) -> bool:
        return bool(bill.pdf)

    @extend_schema_field(ProofSerializer(many=True))
    def get_proofs(self, bill) -> list:
        ordered = sorted(bill.proofs.all(), key=lambda p: p.uploaded_at, reverse=True)
        return ProofSerializer(ordered, many=True).data

    @extend_schema_field(BillLineSerializer(many=True))
    def get_lines(self, bill) -> list:
        return [
            {
                "account_code": line.get("account_code", ""),
                "label": line.get("label") or {},
                "amount": int(Decimal(str(line["amount"]))),
            }
            for line in bill.lines
        ]

    def get_total(self, bill) -> int:
        return int(bill.total)


class BillApi(BaseApi):
    @extend_schema(
        tags=TAG,
        summary="The levy bill (SKRD) of my application: what to pay, by when, and my proofs",
        responses={200: BillSerializer},
    )
    def get(self, request, pk: int):
        return Response(BillSerializer(own_bill(request, pk)).data)


class BillPdfApi(FileApi):
    @extend_schema(
        tags=TAG,
        summary="Download the signed SKRD of my application (404 while it is being prepared)",
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request, pk: int):
        return bill_response(own_bill(request, pk))


class ProofUploadApi(BaseApi):
    required_scope = Scope.APPLICATIONS_WRITE
    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(help_text="The proof: a PDF, JPEG or PNG of at most 5 MB.")
        paid_on = serializers.DateField(
            help_text="The day paid (YYYY-MM-DD): from the SKRD's date to today."
        )
        note = StrictCharField(required=False, allow_blank=True, default="", max_length=300)

    @extend_schema(
        tags=TAG,
        summary="Upload a proof of payment of my application's SKRD (the treasurer checks it)",
        request={"multipart/form-data": InputSerializer},
        responses={201: ProofSerializer},
    )
    def post(self, request, pk: int):
        bill = own_bill(request, pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        proof = proof_upload(
            application_id=bill.application_id,
            actor=request.user,
            upload=serializer.validated_data["file"],
            paid_on=serializer.validated_data["paid_on"],
            note=serializer.validated_data["note"],
        )
        return Response(ProofSerializer(proof).data, status=201)
