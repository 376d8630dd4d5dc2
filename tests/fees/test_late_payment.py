"""Issue 17, late payment: after the due date the bank and the bill page ask for the levy with
its monthly interest; the sweep issues an STRD each time the months of interest grow, and
applies the region's rule to a bill past its last payable day (back to the assessing agency,
or the file closed), once however often it runs. Every date is computed from now, in the
region's own calendar."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.test import Client
from django.urls import reverse

from applications.models import Event, Notification, Status
from fees.cases import bill_amount_due, levy_sweep
from fees.interest import add_months
from fees.models import Bill, InterestNotice, LevyPolicy, Payment
from fees.selectors import region_local_date
from ptsp.errors import Conflict
from tests.fees.h2h_calls import INQUIRY, call, pay
from tests.journeys import applicant, assess, demo_type, draft, recommend, route, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def billed(demo):
    application = recommend(route(submit(draft(demo_type("BTG", "PBG"), applicant()))))
    assert application.status == Status.AWAITING_PAYMENT
    # The demo policy starts on 1 January of this year: let it cover the past we move into.
    today = region_local_date(application.region)
    LevyPolicy.objects.filter(region=application.region).update(valid_from=add_months(today, -60))
    return application


def _due(application, due_date, *, payable_days=90):
    """Move the application's bill so that it was due on `due_date` (issued 30 days before)."""
    Bill.objects.filter(application=application).update(
        issued_on=due_date - timedelta(days=30),
        due_date=due_date,
        expires_on=due_date + timedelta(days=payable_days),
    )
    return Bill.objects.filter(application=application).select_related("region").get()


def _percent(total, months):
    return int((Decimal(total) * months / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _today(application):
    return region_local_date(application.region)


def test_the_bill_is_issued_with_its_last_payable_day(billed):
    bill = billed.bills.get()
    assert bill.expires_on == bill.due_date + timedelta(days=90)  # the demo policy's 90 days


def test_on_the_due_date_no_interest_the_day_after_one_started_month(billed):
    client = Client()
    today = _today(billed)
    bill = _due(billed, today)
    total = int(bill.total)
    reply = call(client, INQUIRY, {"billing_code": bill.billing_code})
    assert reply["response_code"] == "00" and reply["amount"] == total
    assert bill_amount_due(bill, today) == total
    bill = _due(billed, today - timedelta(days=1))
    reply = call(client, INQUIRY, {"billing_code": bill.billing_code})
    assert reply["amount"] == total + _percent(total, 1)


def test_two_months_and_three_days_late_costs_three_months_and_the_bank_must_pay_it(billed):
    client = Client()
    today = _today(billed)
    due = add_months(today - timedelta(days=3), -2)
    bill = _due(billed, due)
    total = int(bill.total)
    due_now = total + _percent(total, 3)
    assert call(client, INQUIRY, {"billing_code": bill.billing_code})["amount"] == due_now
    short = pay(client, bill.billing_code, total)  # the principal only
    assert short["response_code"] == "13" and short["amount_due"] == due_now
    assert not Payment.objects.exists()
    assert pay(client, bill.billing_code, due_now)["response_code"] == "00"
    payment = Payment.objects.get()
    assert payment.amount == due_now
    billed.refresh_from_db()
    assert billed.status == Status.RECOMMENDED


def test_without_the_partial_month_rule_only_whole_months_count(billed):
    LevyPolicy.objects.filter(region=billed.region).update(partial_month_counts_as_full=False)
    today = _today(billed)
    bill = _due(billed, add_months(today - timedelta(days=3), -2))
    assert bill_amount_due(bill, today) == int(bill.total) + _percent(bill.total, 2)


def test_the_bill_page_shows_the_amount_due_with_interest(billed, login):
    today = _today(billed)
    bill = _due(billed, today - timedelta(days=5))
    page = login("budi.santoso@example.id").get(reverse("fees:bill", args=[billed.pk]))
    html = page.content.decode()
    assert 'id="amount-due"' in html
    due_now = int(bill.total) + _percent(bill.total, 1)
    assert f"{due_now:,}".replace(",", ".") in html


def test_the_sweep_issues_one_strd_per_month_count_however_often_it_runs(billed):
    today = _today(billed)
    bill = _due(billed, today - timedelta(days=2))
    assert levy_sweep() == {"strd": 1, "expired": 0}
    assert levy_sweep() == {"strd": 0, "expired": 0}
    notice = InterestNotice.objects.get()
    assert notice.number.startswith("973/0001/STRD/BTG/")
    assert notice.months_charged == 1
    assert notice.interest == _percent(bill.total, 1)
    assert notice.total == bill.total + notice.interest
    assert notice.total_in_words.endswith("rupiah")
    assert Event.objects.filter(application=billed, action="strd_issued").count() == 1
    assert Notification.objects.filter(application=billed, kind="strd_issued").count() == 1
    # A month later (the sweep ran late, or the month grew): one more, the next number.
    _due(billed, add_months(today, -1) - timedelta(days=2))
    assert levy_sweep()["strd"] == 1
    second = InterestNotice.objects.order_by("-sequence").first()
    assert second.months_charged == 2 and second.number.startswith("973/0002/STRD/")
    assert levy_sweep()["strd"] == 0


def test_nothing_before_the_due_date(billed):
    _due(billed, _today(billed))
    assert levy_sweep() == {"strd": 0, "expired": 0}
    assert not InterestNotice.objects.exists()


def test_the_strd_pdf_is_rendered_and_signed(billed, signing_cert):
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    from fees.cases import strd_render_and_sign
    from fees.documents import strd_html

    _due(billed, _today(billed) - timedelta(days=2))
    levy_sweep()
    notice = strd_render_and_sign(notice_id=InterestNotice.objects.get().pk)
    assert notice.pdf and len(notice.pdf_sha256) == 64
    assert PdfFileReader(io.BytesIO(notice.pdf.open("rb").read())).embedded_signatures
    html = strd_html(notice)
    assert "SURAT TAGIHAN RETRIBUSI DAERAH" in html and notice.number in html
    # The interest line names the policy's account for late interest, the principal the SKRD's.
    from fees.demo import DEMO_INTEREST_ACCOUNT

    assert notice.computation["interest_account_code"] == DEMO_INTEREST_ACCOUNT
    assert f"<td>{DEMO_INTEREST_ACCOUNT}</td>" in html
    assert all(line["account_code"] in html for line in notice.bill.lines)


def test_an_expired_bill_is_refused_by_the_bank_with_54_before_and_after_the_sweep(billed):
    client = Client()
    today = _today(billed)
    bill = _due(billed, today - timedelta(days=31), payable_days=30)  # last day: yesterday
    amount = bill_amount_due(bill, today - timedelta(days=1))
    assert call(client, INQUIRY, {"billing_code": bill.billing_code})["response_code"] == "54"
    assert pay(client, bill.billing_code, amount)["response_code"] == "54"
    levy_sweep()
    assert call(client, INQUIRY, {"billing_code": bill.billing_code})["response_code"] == "54"
    assert pay(client, bill.billing_code, amount)["response_code"] == "54"
    assert not Payment.objects.exists()


def test_on_its_last_payable_day_the_bill_can_still_be_paid(billed):
    today = _today(billed)
    bill = _due(billed, today - timedelta(days=30), payable_days=30)  # last day: today
    assert levy_sweep()["expired"] == 0
    amount = bill_amount_due(bill, today)
    assert pay(Client(), bill.billing_code, amount)["response_code"] == "00"


def test_expired_in_bontang_back_to_pupr_once_then_a_new_skrd(billed):
    today = _today(billed)
    old = _due(billed, today - timedelta(days=31), payable_days=30)
    assert levy_sweep() == {"strd": 0, "expired": 1}
    assert levy_sweep() == {"strd": 0, "expired": 0}
    old.refresh_from_db()
    billed.refresh_from_db()
    assert old.status == Bill.Status.EXPIRED and old.expired_at is not None
    assert billed.status == Status.IN_REVIEW
    pupr = billed.reviews.get(agency__code="PUPR")
    assert pupr.status == "in_review" and pupr.due_at is not None
    assert billed.reviews.exclude(pk=pupr.pk).exclude(status="recommended").count() == 0
    assert Event.objects.filter(application=billed, action="bill_expired_reassess").count() == 1
    assert Event.objects.filter(application=billed, action="review_reopen").count() == 1
    notice = Notification.objects.get(application=billed, kind="skrd_expired")
    assert "assessing agency" in notice.body or "dinas" in notice.body.lower()
    # PUPR assesses again and recommends: a new SKRD, the next number, the old one kept.
    from applications.services.reviews import review_decide

    assess(billed)
    review_decide(review_id=pupr.pk, actor=pupr.assignee, decision="recommend", reasons="Ulang")
    billed.refresh_from_db()
    assert billed.status == Status.AWAITING_PAYMENT
    new = billed.bills.exclude(pk=old.pk).get()
    assert new.status == Bill.Status.UNPAID and new.sequence == old.sequence + 1
    assert new.billing_code != old.billing_code


def test_expired_where_the_rule_closes_the_file(billed):
    LevyPolicy.objects.filter(region=billed.region).update(
        expired_bill_rule=LevyPolicy.ExpiredRule.CLOSE
    )
    _due(billed, _today(billed) - timedelta(days=31), payable_days=30)
    assert levy_sweep()["expired"] == 1
    assert levy_sweep()["expired"] == 0
    billed.refresh_from_db()
    assert billed.status == Status.REJECTED and billed.closed_at is not None
    assert Event.objects.filter(application=billed, action="bill_expired_close").count() == 1
    assert Notification.objects.filter(application=billed, kind="skrd_expired").count() == 1


def test_a_proof_for_an_expired_bill_is_refused(billed):
    from fees.cases import proof_upload
    from tests.journeys import pdf_upload

    today = _today(billed)
    _due(billed, today - timedelta(days=31), payable_days=30)
    with pytest.raises(Conflict) as caught:
        proof_upload(
            application_id=billed.pk,
            actor=billed.applicant,
            upload=pdf_upload("bukti"),
            paid_on=today,
        )
    assert caught.value.code == "bill_expired"
    assert not billed.bills.get().proofs.exists()


def test_a_paid_bill_is_neither_billed_interest_nor_expired(billed):
    today = _today(billed)
    bill = _due(billed, today - timedelta(days=5))
    pay(Client(), bill.billing_code, bill_amount_due(bill, today))
    _due(billed, today - timedelta(days=200), payable_days=30)
    assert levy_sweep() == {"strd": 0, "expired": 0}
    billed.refresh_from_db()
    assert billed.status == Status.RECOMMENDED


def test_a_proof_waiting_for_the_treasurer_holds_the_expiry_until_it_is_decided(billed):
    from accounts.models import User
    from fees.cases import proof_confirm, proof_upload
    from tests.journeys import pdf_upload

    today = _today(billed)
    bill = _due(billed, today - timedelta(days=20), payable_days=30)
    paid_on = today - timedelta(days=1)
    proof = proof_upload(
        application_id=billed.pk, actor=billed.applicant, upload=pdf_upload("bukti"),
        paid_on=paid_on,
    )  # fmt: skip
    _due(billed, today - timedelta(days=31), payable_days=30)  # now past its last day
    assert levy_sweep()["expired"] == 0
    proof_confirm(proof_id=proof.pk, actor=User.objects.get(email="bendahara.btg@ptsp.local"))
    bill.refresh_from_db()
    billed.refresh_from_db()
    assert bill.status == Bill.Status.PAID and billed.status == Status.RECOMMENDED
    assert Payment.objects.get().amount == bill_amount_due(bill, paid_on)
