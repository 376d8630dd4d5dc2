"""The satisfaction survey (Survei Kepuasan Masyarakat, PermenPANRB 14/2017)."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from applications.models import Application, Status
from applications.services.notifications import notify
from monitoring.models import SKM_ELEMENTS, SurveyResponse
from ptsp.errors import Conflict, DomainError, NotAllowed


def survey_invite(*, application_id: int) -> bool:
    """Invite the applicant of an issued application to the survey (in-app and e-mail).

    Who may call: the issuance service, in its transaction, right after the application became
    `issued` (or any retry of it). Idempotent: a second call sends nothing. Returns whether an
    invitation was sent now. Does nothing for an application that is not issued."""
    application = Application.objects.select_related("applicant").get(pk=application_id)
    if application.status != Status.ISSUED:
        return False
    sent = notify(
        recipients=[application.applicant],
        kind="survey_invitation",
        application=application,
        url=reverse("monitoring:survey", args=[application.pk]),
        dedupe=f"survey:{application.pk}",
    )
    return bool(sent)


def survey_check(*, application: Application, actor) -> None:
    """Raise the reason why `actor` may not answer the survey of `application` now."""
    if application.applicant_id != getattr(actor, "pk", None):
        raise NotAllowed(_("Only the applicant of this file can answer its survey."))
    if application.status != Status.ISSUED:
        raise DomainError(
            _("The survey opens when the permit has been issued."), code="survey_not_open"
        )
    if SurveyResponse.objects.filter(application=application).exists():
        raise Conflict(
            _("You have already answered the survey for this file. Thank you!"),
            code="survey_answered",
        )


def survey_submit(
    *, application_id: int, actor, scores: dict[str, int], comment: str = ""
) -> SurveyResponse:
    """The applicant rates the nine service elements (1 = not good ... 4 = very good) with an
    optional comment. One answer per application, only by its applicant, only after issuance.

    Raises NotAllowed (not the applicant), DomainError (not issued yet, a missing or out of
    range score), Conflict (already answered, also when two answers race)."""
    with transaction.atomic():
        application = Application.objects.select_for_update(no_key=True).get(pk=application_id)
        survey_check(application=application, actor=actor)
        values = {}
        for name, label in SKM_ELEMENTS:
            try:
                value = int(scores.get(name))
            except (TypeError, ValueError):
                value = 0
            if value not in (1, 2, 3, 4):
                raise DomainError(
                    _("Rate “%(element)s” from 1 to 4.") % {"element": label}, field=name
                )
            values[name] = value
        comment = (comment or "").strip()
        if len(comment) > 2000:
            raise DomainError(_("The comment is too long (2000 characters at most)."))
        try:
            with transaction.atomic():
                return SurveyResponse.objects.create(
                    application=application, respondent=actor, comment=comment, **values
                )
        except IntegrityError:
            raise Conflict(
                _("You have already answered the survey for this file. Thank you!"),
                code="survey_answered",
            ) from None
