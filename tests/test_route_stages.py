"""Routes in stages and the agency head's approval (issue 18 part C).

The demo's clinic permit (IOK) routes to DLH first (stage 1) and then to the Health Office
(stage 2), whose head approves the officer's recommendation. The one-stage types keep routing
to every agency at once.
"""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from accounts.models import User
from agencies.models import Agency
from applications.models import Event, Notification, Review
from applications.services.reviews import review_decide, review_head_decide
from applications.sla.clock import stage_clock_context
from applications.timeline import event_label
from catalog.models import PermitType, RouteStep
from catalog.services import permit_type_publish, route_problems, route_stages
from ptsp.errors import Conflict, DomainError, NotAllowed
from ptsp.workdays import Calendar
from tests.journeys import applicant, demo_type, draft, route, submit, submitted_application

pytestmark = pytest.mark.django_db

HEAD_DINKES = "kepala.dinkes.btg@ptsp.local"
REASONS = "Persyaratan teknis terpenuhi."


@pytest.fixture
def clinic(demo, run_outbox):
    """An IOK file accepted at intake and routed (stage 1 open)."""
    application = submit(draft(demo_type("BTG", "IOK"), applicant()))
    return route(application, run_outbox)


def _recommend(review: Review) -> Review:
    return review_decide(
        review_id=review.pk, actor=review.assignee, decision="recommend", reasons=REASONS
    )


def test_the_demo_clinic_permit_has_two_stages_and_the_health_office_head_approves(demo):
    snapshot = demo_type("BTG", "IOK").versions.order_by("-number").first().snapshot
    stages = route_stages(snapshot)
    assert [[s["agency_code"] for s in stage] for stage in stages] == [["DLH"], ["DINKES"]]
    assert stages[1][0]["head_approval"] is True
    assert stages[1][0]["head_approval_days"] == 2


def test_two_stage_route_end_to_end(clinic):
    # Routing at acceptance opens stage 1 only.
    reviews = list(clinic.reviews.select_related("agency", "assignee"))
    assert [(r.agency.code, r.stage) for r in reviews] == [("DLH", 1)]
    [dlh] = reviews
    assert [s.state for s in stage_clock_context(clinic)["route_stages"]] == ["current", "waiting"]

    # DLH recommends: stage 2 opens in the same transaction, with its own budget and due time.
    before = timezone.now()
    _recommend(dlh)
    clinic.refresh_from_db()
    assert clinic.status == "in_review"
    dinkes = clinic.reviews.select_related("agency", "assignee").get(agency__code="DINKES")
    assert dinkes.stage == 2
    assert dinkes.budget_days == 7
    assert dinkes.needs_head_approval and dinkes.head_budget_days == 2
    calendar = Calendar(clinic.region)
    assert calendar.add_working_days(before, 7) <= dinkes.due_at
    assert dinkes.due_at <= calendar.add_working_days(timezone.now(), 7)
    routed = Event.objects.get(review=dinkes, action="routed")
    assert routed.data["stage"] == 2
    assert Notification.objects.filter(recipient=dinkes.assignee, kind="review_assigned").exists()
    assert [s.state for s in stage_clock_context(clinic)["route_stages"]] == ["done", "current"]
    with translation.override("en"):
        labels = [event_label(e) for e in clinic.events.select_related("review__agency")]
    assert f"Stage 2: Sent for technical review — {dinkes.agency.name}" in labels

    # The DINKES officer recommends: it waits for the head; the head's clock runs.
    dinkes = _recommend(dinkes)
    assert dinkes.status == "awaiting_head_approval"
    assert dinkes.head_due_at is not None
    assert dinkes.head_due_at <= calendar.add_working_days(timezone.now(), 2)
    clinic.refresh_from_db()
    assert clinic.status == "in_review"
    head = User.objects.get(email=HEAD_DINKES)
    assert Notification.objects.filter(recipient=head, kind="head_approval_requested").exists()
    context = stage_clock_context(clinic)
    assert [c.kind for c in context["current_stages"]] == ["head_approval"]

    # The head approves: the recommendation counts, every OPD has recommended.
    review_head_decide(review_id=dinkes.pk, actor=head, decision="approve")
    clinic.refresh_from_db()
    dinkes.refresh_from_db()
    assert dinkes.status == "recommended"
    assert clinic.status == "recommended"
    assert clinic.due_at is not None  # the issuance clock started
    assert [s.state for s in stage_clock_context(clinic)["route_stages"]] == ["done", "done"]
    actions = list(clinic.events.order_by("at", "id").values_list("action", flat=True))
    assert actions.index("review_submit_for_approval") < actions.index("review_head_approve")
    assert actions[-1] == "recommend"


def test_the_head_sends_a_recommendation_back_with_a_note(clinic):
    _recommend(clinic.reviews.get())
    dinkes = clinic.reviews.select_related("assignee").get(agency__code="DINKES")
    dinkes = _recommend(dinkes)
    head = User.objects.get(email=HEAD_DINKES)
    events = Event.objects.count()

    # Bad input: no note, an unknown decision, the officer trying to approve their own.
    with pytest.raises(DomainError) as no_note:
        review_head_decide(review_id=dinkes.pk, actor=head, decision="send_back", note="  ")
    assert no_note.value.field == "note"
    with pytest.raises(DomainError):
        review_head_decide(review_id=dinkes.pk, actor=head, decision="maybe")
    with pytest.raises(NotAllowed):
        review_head_decide(review_id=dinkes.pk, actor=dinkes.assignee, decision="approve")
    dinkes.refresh_from_db()
    assert dinkes.status == "awaiting_head_approval"
    assert Event.objects.count() == events

    note = "Lengkapi kajian limbah medis sebelum direkomendasikan."
    review_head_decide(review_id=dinkes.pk, actor=head, decision="send_back", note=note)
    dinkes.refresh_from_db()
    assert dinkes.status == "in_review"
    assert dinkes.head_note == note
    assert dinkes.decided_at is None and dinkes.head_due_at is None
    notice = Notification.objects.get(recipient=dinkes.assignee, kind="head_approval_sent_back")
    assert note in notice.body
    clinic.refresh_from_db()
    assert clinic.status == "in_review"

    # A second click on the old decision changes nothing.
    with pytest.raises(Conflict):
        review_head_decide(review_id=dinkes.pk, actor=head, decision="approve")

    # The officer decides again; the head approves this time.
    dinkes = _recommend(dinkes)
    assert dinkes.status == "awaiting_head_approval"
    review_head_decide(review_id=dinkes.pk, actor=head, decision="approve")
    clinic.refresh_from_db()
    assert clinic.status == "recommended"


def test_the_heads_own_recommendation_counts_at_once(clinic):
    _recommend(clinic.reviews.get())
    dinkes = clinic.reviews.get(agency__code="DINKES")
    head = User.objects.get(email=HEAD_DINKES)
    review_decide(review_id=dinkes.pk, actor=head, decision="recommend", reasons=REASONS)
    dinkes.refresh_from_db()
    clinic.refresh_from_db()
    assert dinkes.status == "recommended"
    assert clinic.status == "recommended"


def test_a_rejection_in_stage_one_stops_the_route_as_today(clinic):
    dlh = clinic.reviews.select_related("assignee").get()
    review_decide(review_id=dlh.pk, actor=dlh.assignee, decision="reject", reasons="AMDAL ditolak.")
    clinic.refresh_from_db()
    assert clinic.status == "rejection_proposed"
    assert not clinic.reviews.filter(agency__code="DINKES").exists()
    assert [s.state for s in stage_clock_context(clinic)["route_stages"]] == ["current", "waiting"]


def test_routing_twice_opens_each_stage_once(clinic, run_outbox):
    from applications.services.reviews import application_route

    assert application_route(application_id=clinic.pk) == []
    _recommend(clinic.reviews.get())
    assert application_route(application_id=clinic.pk) == []
    assert clinic.reviews.count() == 2


def test_one_stage_types_are_unchanged(submitted, run_outbox):
    """The clinic-like test type's two agencies (no stage numbers given: stage 1) review in
    parallel from the start, as before issue 18; no head's approval."""
    route(submitted, run_outbox)
    reviews = list(submitted.reviews.select_related("agency", "assignee"))
    assert sorted(r.agency.code for r in reviews) == ["DINKES", "DLH"]
    assert all(r.stage == 1 and not r.needs_head_approval for r in reviews)
    for review in reviews:
        _recommend(review)
    submitted.refresh_from_db()
    assert submitted.status == "recommended"
    assert len(stage_clock_context(submitted)["route_stages"]) == 1


def test_a_version_filed_before_stages_existed_is_one_stage():
    snapshot = {"route": [{"agency_id": 1, "review_days": 3}, {"agency_id": 2, "review_days": 5}]}
    assert [len(stage) for stage in route_stages(snapshot)] == [2]


def test_the_catalog_refuses_stages_with_a_gap(demo):
    assert route_problems([1, 1, 2]) == []
    assert route_problems([]) == []
    with translation.override("en"):
        [problem] = route_problems([1, 3])
    assert "Stage 2 has no agency" in problem
    assert route_problems([0, 1])

    permit_type = submitted_application().permit_type
    versions = permit_type.versions.count()
    RouteStep.objects.filter(permit_type=permit_type, agency__code="DLH").update(stage=3)
    with translation.override("id"), pytest.raises(DomainError) as refused:
        permit_type_publish(permit_type=permit_type)
    assert "Tahap 2 tidak memiliki dinas" in refused.value.message
    assert permit_type.versions.count() == versions
    RouteStep.objects.filter(permit_type=permit_type, agency__code="DLH").update(stage=2)
    version = permit_type_publish(permit_type=permit_type)
    assert [len(s) for s in route_stages(version.snapshot)] == [1, 1]


def test_a_stage_numbered_zero_is_refused_by_the_field(demo):
    step = RouteStep(
        permit_type=PermitType.objects.get(region__code="BTG", code="IOK"),
        agency=Agency.objects.get(region__code="BTG", code="PUPR"),
        review_days=3,
        stage=0,
    )
    with pytest.raises(ValidationError) as refused:
        step.full_clean()
    assert "stage" in refused.value.message_dict


def test_the_admin_refuses_a_route_with_a_gap(demo, client):
    admin = User.objects.get(email="admin@ptsp.local")
    client.force_login(admin)
    permit_type = PermitType.objects.get(region__code="BTG", code="IOK")
    url = f"/admin/catalog/permittype/{permit_type.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    data = _admin_post_data(page)
    steps = list(permit_type.route.order_by("stage"))
    data["route-1-stage"] = "3"
    assert data["route-0-id"] == str(steps[0].pk) and data["route-1-id"] == str(steps[1].pk)
    versions = permit_type.versions.count()
    response = client.post(url, data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Stage 2 has no agency" in content or "Tahap 2 tidak memiliki dinas" in content
    assert list(permit_type.route.order_by("stage").values_list("stage", flat=True)) == [1, 2]
    assert permit_type.versions.count() == versions


def _admin_post_data(page) -> dict:
    """The admin change form as the browser would post it unchanged."""
    import html as htmllib
    import re

    html = page.content.decode()
    data = {}
    for match in re.finditer(r"<input[^>]*>", html):
        tag = match.group(0)
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if kind and kind.group(1) == "checkbox":
            if "checked" in tag:
                data[name.group(1)] = "on"
            continue
        if kind and kind.group(1) in ("submit", "file"):
            continue
        data[name.group(1)] = value.group(1) if value else ""
    for match in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', match.group(2))
        data[match.group(1)] = selected.group(1) if selected else ""
    for match in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[match.group(1)] = htmllib.unescape(match.group(2)).lstrip("\n")
    return data


def test_the_head_approves_on_the_web_pages(clinic, login):
    _recommend(clinic.reviews.get())
    dinkes = clinic.reviews.select_related("assignee").get(agency__code="DINKES")
    _recommend(dinkes)

    officer = login(dinkes.assignee.email)
    page = officer.get(f"/reviews/{dinkes.pk}/").content.decode()
    assert 'id="route-stages"' in page
    assert "head-approval" not in page  # the officer sees the wait, not the head's form
    assert officer.post(
        f"/reviews/{dinkes.pk}/head-decision/", {"decision": "approve"}
    ).status_code in (403, 404)

    head = login(HEAD_DINKES)
    queue = head.get("/reviews/approvals/")
    assert queue.status_code == 200
    assert clinic.tracking_number in queue.content.decode()
    page = head.get(f"/reviews/{dinkes.pk}/").content.decode()
    assert 'id="head-approval"' in page
    # A send-back without a note: a clear message, nothing changed.
    response = head.post(
        f"/reviews/{dinkes.pk}/head-decision/", {"decision": "send_back", "note": ""}, follow=True
    )
    assert "Say why the recommendation is sent back." in response.content.decode() or (
        "Sebutkan alasan rekomendasi dikembalikan." in response.content.decode()
    )
    dinkes.refresh_from_db()
    assert dinkes.status == "awaiting_head_approval"
    response = head.post(
        f"/reviews/{dinkes.pk}/head-decision/",
        {"decision": "send_back", "note": "Lengkapi kajian limbah."},
    )
    assert response.status_code == 302
    dinkes.refresh_from_db()
    assert dinkes.status == "in_review"

    officer = login(dinkes.assignee.email)
    page = officer.get(f"/reviews/{dinkes.pk}/").content.decode()
    assert 'id="head-note"' in page and "Lengkapi kajian limbah." in page
