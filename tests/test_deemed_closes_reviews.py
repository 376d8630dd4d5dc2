"""A deemed approval closes the file's open reviews (issue 18 leftovers, item 1).

At the legal deadline the sweep deems the file approved (`applications.sla.legal._deem`); every
review still with its agency (in review, awaiting the head's approval, waiting for a revision)
ends as `closed_deemed` at the legal moment, with one event each; a stage not yet opened never
opens. The reviews leave the inboxes and the dashboard's open and overdue counts; a late
decision is refused with a clear message and changes nothing.
"""

from datetime import timedelta

import pytest
import time_machine
from django.utils import translation

from accounts.models import User
from agencies.models import Agency, Region
from applications.models import Event, LegalState, Review, ReviewStatus
from applications.selectors import reviews_filtered
from applications.services.reviews import review_decide, review_head_decide
from applications.sla.clock import stage_clock_context, stage_clocks
from applications.sla.sweep import sla_sweep
from applications.workflow import Action
from catalog.models import FormField, PermitType, Requirement, RouteStep
from catalog.services import permit_type_publish
from monitoring.selectors import agency_figures, monitoring_scope
from ptsp.errors import Conflict
from tests.test_legal_deadlines import MONITOR, accepted_file, at, calendar, quiet_monday

pytestmark = pytest.mark.django_db

HEAD_DINKES = "kepala.dinkes.btg@ptsp.local"
BASIS = "Perda uji 1/2026 (nilai demo)"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def staged_type() -> PermitType:
    """Stage 1: DLH and DINKES in parallel (DINKES's head approves); stage 2: PUPR. Sectoral
    legal deadlines (review 6, issuance 1 working days)."""
    region = Region.objects.get(code="BTG")
    ptype = PermitType.objects.create(
        region=region,
        code="FP-S",
        name_id="Izin uji bertahap",
        name_en="Staged test permit",
        intake_days=1,
        issuance_days=1,
        legal_review_days=6,
        legal_issuance_days=1,
        legal_deadline_basis=BASIS,
    )
    agency = {a.code: a for a in Agency.objects.filter(region=region)}
    RouteStep.objects.create(permit_type=ptype, agency=agency["DLH"], review_days=3, stage=1)
    RouteStep.objects.create(
        permit_type=ptype,
        agency=agency["DINKES"],
        review_days=2,
        stage=1,
        head_approval=True,
        head_approval_days=1,
    )
    RouteStep.objects.create(permit_type=ptype, agency=agency["PUPR"], review_days=3, stage=2)
    Requirement.objects.create(
        permit_type=ptype, code="ktp", name_id="KTP", name_en="ID", accepted_kinds=["pdf"]
    )
    FormField.objects.create(
        permit_type=ptype, key="jumlah_ruang", label_id="Ruang", label_en="Rooms", kind="integer"
    )
    permit_type_publish(permit_type=ptype)
    return ptype


@pytest.fixture
def deemed_file(demo, run_outbox):
    """A staged file: DLH still in review, DINKES's recommendation awaiting its head, PUPR's
    stage not opened; then the sweep runs a day after the legal deadline (twice)."""
    monday = quiet_monday(calendar())
    app = accepted_file(staged_type(), at(monday, 10), run_outbox)
    dinkes = app.reviews.select_related("assignee").get(agency__code="DINKES")
    with time_machine.travel(at(monday, 11), tick=False):
        review_decide(review_id=dinkes.pk, actor=dinkes.assignee, decision="recommend")
    dinkes.refresh_from_db()
    assert dinkes.status == ReviewStatus.AWAITING_HEAD_APPROVAL
    app.refresh_from_db()
    officers = {r.agency.code: r.assignee for r in app.reviews.select_related("agency", "assignee")}
    scope = monitoring_scope(User.objects.get(email=MONITOR))
    late = app.legal_due_at + timedelta(days=1)
    before = {
        f.agency.code: (f.open, f.overdue)
        for f in agency_figures(scope, start=monday, end=monday + timedelta(days=14), now=late)
    }
    assert before["DLH"] == (1, 1) and before["DINKES"][0] == 1
    assert reviews_filtered(officers["DLH"], mine=True, status="open").count() == 1
    with time_machine.travel(late, tick=False):
        assert sla_sweep(now=late).deemed == 1
        assert sla_sweep(now=late + timedelta(minutes=10)).deemed == 0
    app.refresh_from_db()
    return app, officers, scope, monday, late


def test_the_deemed_approval_closes_every_open_review_at_the_legal_moment(deemed_file):
    app, _officers, _scope, _monday, _late = deemed_file
    assert app.status == "recommended" and app.legal_state == LegalState.DEEMED
    reviews = {r.agency.code: r for r in app.reviews.select_related("agency")}
    assert set(reviews) == {"DLH", "DINKES"}  # PUPR's stage never opened
    for review in reviews.values():
        assert review.status == ReviewStatus.CLOSED_DEEMED
        assert review.decided_at == app.deemed_at == app.legal_due_at
        assert review.decided_by is None and review.head_due_at is None
    closed = Event.objects.filter(application=app, action=Action.REVIEW_CLOSE_DEEMED)
    assert sorted(e.review.agency.code for e in closed) == ["DINKES", "DLH"]
    assert all(e.note == BASIS and e.actor is None for e in closed)
    deem = Event.objects.get(application=app, action=Action.DEEM_APPROVE)
    assert deem.data["undecided_agencies"] == ["DLH", "DINKES"]
    assert deem.data["stages_not_opened"] == [{"stage": 2, "agencies": ["PUPR"]}]
    # The issuance stage starts at the deemed approval: the signer's budget (1 working day).
    assert app.due_at == calendar().add_working_days(deem.at, 1)
    # Every stage shows as closed by the deemed approval; the review clocks stopped at it.
    stages = stage_clock_context(app)["route_stages"]
    assert [s.state for s in stages] == ["deemed", "deemed"]
    clocks = [c for c in stage_clocks(app) if c.kind in ("review", "head_approval")]
    assert clocks and not any(c.is_current for c in clocks)
    by_key = {(c.kind, c.review_id): c.end for c in clocks}
    assert by_key[("review", reviews["DLH"].pk)] == app.legal_due_at
    # DINKES's officer had recommended (their clock ended then); the head's stopped at the law.
    assert by_key[("review", reviews["DINKES"].pk)] < app.legal_due_at
    assert by_key[("head_approval", reviews["DINKES"].pk)] == app.legal_due_at


def test_the_closed_reviews_leave_the_inboxes_and_the_open_counts(deemed_file):
    _app, officers, scope, monday, late = deemed_file
    head = User.objects.get(email=HEAD_DINKES)
    assert reviews_filtered(officers["DLH"], mine=True, status="open").count() == 0
    assert reviews_filtered(head, headed=True, status="pending").count() == 0
    assert reviews_filtered(head, headed=True, status="approval").count() == 0
    assert reviews_filtered(officers["DLH"], mine=True, status="done").count() == 1
    after = {
        f.agency.code: f
        for f in agency_figures(scope, start=monday, end=monday + timedelta(days=14), now=late)
    }
    assert (after["DLH"].open, after["DLH"].overdue) == (0, 0)
    assert after["DINKES"].open == 0
    # Not "finished by the OPD" either: no decision of theirs counts as within the budget.
    assert after["DLH"].finished == 0 and after["DINKES"].finished == 0


def test_a_late_decision_is_refused_with_the_reason_and_changes_nothing(deemed_file):
    app, officers, _scope, _monday, _late = deemed_file
    dlh = app.reviews.get(agency__code="DLH")
    dinkes = app.reviews.get(agency__code="DINKES")
    events = Event.objects.count()
    with pytest.raises(Conflict) as refused:
        review_decide(review_id=dlh.pk, actor=officers["DLH"], decision="recommend", reasons="ok")
    assert "deemed approved by law" in str(refused.value.message)
    assert BASIS in str(refused.value.message)
    with pytest.raises(Conflict) as refused:
        review_head_decide(
            review_id=dinkes.pk, actor=User.objects.get(email=HEAD_DINKES), decision="approve"
        )
    assert "deemed approved by law" in str(refused.value.message)
    assert Event.objects.count() == events
    app.refresh_from_db()
    assert app.status == "recommended" and app.legal_state == LegalState.DEEMED
    assert set(app.reviews.values_list("status", flat=True)) == {ReviewStatus.CLOSED_DEEMED}
    assert not Review.objects.filter(application=app, agency__code="PUPR").exists()


def test_the_review_page_and_history_say_closed_by_the_deemed_approval(deemed_file, client, login):
    app, officers, _scope, _monday, _late = deemed_file
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    dlh = app.reviews.get(agency__code="DLH")
    login(officers["DLH"].email)
    page = client.get(f"/reviews/{dlh.pk}/").content.decode()
    assert 'id="closed-deemed"' in page
    assert "Closed: deemed approved by law" in page and BASIS in page
    assert 'name="decision"' not in page  # no decision form
