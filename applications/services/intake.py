"""The front office (DPMPTSP verifier): check a submitted file, accept it (it is routed to the
OPDs) or return it with per-document notes; the applicant replaces what was rejected and
resubmits."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from agencies.models import Role
from applications.models import Application, Document
from applications.services.notifications import notify
from applications.sla.corrections import correction_answer, correction_open, local_due
from applications.workflow import Action, application_check, application_transition
from outbox.services import enqueue
from ptsp.errors import DomainError
from ptsp.workdays import Calendar

ACCEPTED = Document.Verdict.ACCEPTED
REJECTED = Document.Verdict.REJECTED


def _apply_verdicts(application: Application, verdicts: dict) -> list[dict]:
    """Record the verifier's verdict on every current document. `verdicts` maps a document id
    to {"verdict": "accepted"|"rejected", "note": str}. Returns the verdicts as recorded."""
    documents = {d.pk: d for d in application.documents.filter(is_current=True)}
    unknown = {int(k) for k in verdicts} - set(documents)
    if unknown:
        raise DomainError(_("A verdict names a document that is not part of this file."))
    missing = [d for pk, d in documents.items() if pk not in {int(k) for k in verdicts}]
    if missing:
        raise DomainError(_("Give a verdict on every document."), code="verdict_missing")
    recorded = []
    for key, value in verdicts.items():
        document = documents[int(key)]
        verdict = value.get("verdict")
        note = (value.get("note") or "").strip()
        if verdict not in (ACCEPTED, REJECTED):
            raise DomainError(_("Each document is accepted or rejected."), code="verdict_invalid")
        if verdict == REJECTED and not note:
            raise DomainError(
                _("Say what is wrong with “%(name)s”.") % {"name": document.original_name},
                code="verdict_note",
            )
        document.verdict = verdict
        document.verdict_note = note if verdict == REJECTED else ""
        document.save(update_fields=["verdict", "verdict_note"])
        recorded.append(
            {
                "document": document.pk,
                "requirement": document.requirement_code,
                "verdict": verdict,
                "note": note,
            }
        )
    return recorded


def application_accept(*, application_id: int, actor, verdicts: dict) -> Application:
    """Accept a complete file: every document accepted. The application goes to review and the
    routing task is enqueued (after commit, through the outbox: a dead broker delays routing,
    never the verifier). Raises NotAllowed/Conflict from the workflow, DomainError for verdicts."""
    with transaction.atomic():
        application = Application.objects.select_for_update(no_key=True).get(pk=application_id)
        application_check(application, Action.ACCEPT, actor)
        recorded = _apply_verdicts(application, verdicts)
        if any(v["verdict"] == REJECTED for v in recorded):
            raise DomainError(
                _("A file with a rejected document cannot be accepted: return it instead.")
            )
        application, event = application_transition(
            application_id=application.pk,
            action=Action.ACCEPT,
            actor=actor,
            data={"verdicts": recorded},
        )
        application.due_at = None  # the OPD stage clocks live on the reviews
        application.save(update_fields=["due_at", "updated_at"])
        enqueue(
            "agencies.tasks.route_application",
            args=[application.pk],
            dedupe_key=f"route:{application.pk}",
        )
        notify(
            recipients=[application.applicant],
            kind="accepted",
            application=application,
            url=reverse("applications:detail", args=[application.pk]),
            dedupe=f"event:{event.pk}",
        )
    return application


def application_return(
    *, application_id: int, actor, verdicts: dict, note: str = ""
) -> Application:
    """Return an incomplete file: at least one document rejected with a note. The applicant is
    told what to replace; accepted documents stay accepted. The intake clock pauses and the
    applicant's correction period starts (applications.sla.corrections): its deadline is in the
    notice. Raises DomainError for a correction period configured under one day."""
    with transaction.atomic():
        application = Application.objects.select_for_update(no_key=True).get(pk=application_id)
        application_check(application, Action.RETURN, actor)
        recorded = _apply_verdicts(application, verdicts)
        rejected = [v for v in recorded if v["verdict"] == REJECTED]
        if not rejected:
            raise DomainError(_("To return a file, reject at least one document and say why."))
        application, event = application_transition(
            application_id=application.pk,
            action=Action.RETURN,
            actor=actor,
            note=note.strip(),
            data={
                "verdicts": recorded,
                "due_at": application.due_at.isoformat() if application.due_at else None,
            },
        )
        period = correction_open(application=application, stage="intake")
        names = {
            d.pk: d.original_name
            for d in application.documents.filter(pk__in=[v["document"] for v in rejected])
        }
        notify(
            recipients=[application.applicant],
            kind="returned",
            application=application,
            context={
                "documents": [{"name": names[v["document"]], "note": v["note"]} for v in rejected],
                "note": note,
                "correction_due": local_due(period.due_at, application.region),
            },
            url=reverse("applications:detail", args=[application.pk]),
            dedupe=f"event:{event.pk}",
        )
    return application


def remaining_days(calendar: Calendar, paused_at, due_at, *, started_at=None) -> int:
    """Working days a stage had left when its clock paused (at least 1). `started_at` is when
    the paused segment started (its receipt): a pause before its first counted day leaves the
    whole budget (ptsp.workdays.Calendar.days_left)."""
    return calendar.days_left(start=started_at or paused_at, paused_at=paused_at, due_at=due_at)


def segment_start(events, paused_at, starts: set[str]):
    """When the clock segment that paused at `paused_at` started: the latest of `starts`
    among `events` (a queryset) at or before the pause."""
    event = events.filter(action__in=starts, at__lte=paused_at).order_by("-at", "-id").first()
    return event.at if event else paused_at


def application_resubmit(*, application_id: int, actor) -> Application:
    """The applicant resubmits a returned file after replacing every rejected document. The
    intake clock runs again with the working days it had left, and the verifier who returned
    it is told (issue 21 item 14)."""
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(no_key=True)
            .select_related("region")
            .get(pk=application_id)
        )
        still_rejected = list(
            application.documents.filter(is_current=True, verdict=REJECTED).values_list(
                "original_name", flat=True
            )
        )
        if (
            still_rejected
            and application.status == "returned"
            and application.applicant_id == actor.pk
        ):
            raise DomainError(
                _("Replace the rejected documents first: %(names)s.")
                % {"names": ", ".join(still_rejected)},
                code="documents_rejected",
            )
        application_check(application, Action.RESUBMIT, actor)
        # In time (up to the deadline itself) closes the correction period; late is refused.
        correction_answer(application=application, stage="intake")
        returned_event = (
            application.events.filter(action=Action.RETURN).order_by("-at", "-id").first()
        )
        application, _event = application_transition(
            application_id=application.pk, action=Action.RESUBMIT, actor=actor
        )
        calendar = Calendar(application.region)
        if returned_event is not None:
            old_due = returned_event.data.get("due_at")
            from django.utils.dateparse import parse_datetime

            left = remaining_days(
                calendar,
                returned_event.at,
                parse_datetime(old_due) if old_due else None,
                started_at=segment_start(
                    application.events, returned_event.at, {Action.SUBMIT, Action.RESUBMIT}
                ),
            )
            application.due_at = calendar.add_working_days(timezone.now(), left)
            application.save(update_fields=["due_at", "updated_at"])
        notify(
            recipients=_resubmission_recipients(application, returned_event),
            kind="resubmitted",
            application=application,
            context={"due": _local_due(application)},
            url=reverse("applications:intake_check", args=[application.pk]),
            dedupe=f"event:{_event.pk}",
        )
    return application


def _local_due(application: Application) -> str:
    if application.due_at is None:
        return ""
    region = application.region
    local = timezone.localtime(application.due_at, Calendar(region).tz)
    return f"{local:%d-%m-%Y %H:%M} {region.timezone_abbreviation}"


def _resubmission_recipients(application: Application, returned_event) -> list:
    """The verifier who returned the file; every verifier of the region when that person no
    longer works there."""
    verifiers = User.objects.filter(
        is_active=True,
        memberships__agency__region=application.region_id,
        memberships__role=Role.VERIFIER,
        memberships__is_active=True,
    ).distinct()
    if returned_event is not None and returned_event.actor_id:
        who = list(verifiers.filter(pk=returned_event.actor_id))
        if who:
            return who
    return list(verifiers)
