"""The levy's panels on the staff pages and the applicant's page of a levied application."""

from django.utils.translation import get_language

from applications.gates import levy_of_application
from fees.cases import latest_assessment
from fees.formatting import format_rupiah
from fees.models import Bill


def staff_panel(application) -> dict | None:
    levy = levy_of_application(application)
    if levy is None:
        return None
    assessment = latest_assessment(application)
    bill = Bill.objects.filter(application=application).first()
    language = (get_language() or "id")[:2]
    return {
        "template": "fees/_staff_panel.html",
        "agency_id": levy["assessing_agency_id"],
        "assessment": assessment,
        "total_text": format_rupiah(assessment.total, language) if assessment else "",
        "bill": bill,
    }


def applicant_panel(application) -> dict | None:
    # A bill is issued only for a file whose catalog version names a levy (fees.cases.bill_issue
    # through applications.gates): an unlevied file's page asks nothing.
    if levy_of_application(application) is None:
        return None
    bill = Bill.objects.filter(application=application).first()
    if bill is None:
        return None
    language = (get_language() or "id")[:2]
    return {
        "template": "fees/_applicant_panel.html",
        "bill": bill,
        "total_text": format_rupiah(bill.total, language),
    }
