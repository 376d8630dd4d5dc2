"""`inqueryNIB` for a draft whose applicant typed an NIB (docs/oss.md, "inqueryNIB").

`nib_inquiry_request` runs in the saving transaction (the `applications.signals.draft_nib_entered`
receiver, oss.apps): for a region with an enabled connection it records a pending
`NibInquiry` and enqueues `oss.tasks.inquire_nib` through the outbox — never a network call
inside the applicant's request. `nib_inquire` (the task) asks OSS with the region's connection
and its time-outs, and fills the draft's business name, KBLI and address from OSS's answer where
the applicant left them empty; an unknown NIB, OSS down or slow, or a missing `user_key` is
recorded so the draft page tells the applicant, who goes on by hand. A region without a
connection asks nothing and records nothing.

From the draft page (`oss.views.inquiry`), the applicant may also ask by NPWP
(`npwp_inquiry_request`: OSS's answer fills the NIB too, where it was empty) and ask again an
inquiry OSS did not answer (`nib_inquiry_retry`); both only record and enqueue, like the first.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.business import clean_business_data
from applications.models import Application, Status
from oss.client import OssClient
from oss.models import NibInquiry, checklist_of
from oss.services.deliveries import connection_for, endpoint_of
from outbox.services import enqueue
from ptsp.errors import Conflict, DomainError, NotAllowed

logger = logging.getLogger("oss.inquiry")

#: The draft's fields OSS fills (ours ← BusinessProfile); an inquiry by NPWP also fills `nib`.
FILLED_FIELDS = ("business_name", "kbli", "address")
TASK = "oss.tasks.inquire_nib"


_suppressed: ContextVar[bool] = ContextVar("oss_no_nib_inquiry", default=False)


@contextmanager
def no_nib_inquiry() -> Iterator[None]:
    """Within: saving a draft's NIB asks OSS nothing (a draft made from OSS's own push)."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def nib_inquiry_request(*, application: Application, nib: str) -> NibInquiry | None:
    """Record a pending inquiry of `nib` for the draft and enqueue it (None: no connection, or
    a draft made from OSS's push)."""
    if _suppressed.get() or connection_for(application.region_id) is None:
        return None
    return _pending(application, nib=nib, npwp="")


def _pending(application: Application, *, nib: str, npwp: str) -> NibInquiry:
    inquiry, _created = NibInquiry.objects.update_or_create(
        application=application,
        defaults={
            "nib": nib,
            "npwp": npwp,
            "state": NibInquiry.State.PENDING,
            "filled": [],
            "detail": "",
            "asked_at": timezone.now(),
            "answered_at": None,
        },
    )
    _enqueue(inquiry)
    return inquiry


def _enqueue(inquiry: NibInquiry) -> None:
    enqueue(
        TASK,
        args=[inquiry.application_id],
        dedupe_key=(
            f"inqueryNIB:{inquiry.pk}:{inquiry.nib or inquiry.npwp}:{inquiry.asked_at.timestamp()}"
        ),
    )


def _own_draft(actor, application_id: int) -> Application:
    """The actor's own draft in a region connected to OSS, locked; else a DomainError."""
    application = (
        Application.objects.select_for_update(no_key=True).filter(pk=application_id).first()
    )
    if application is None or application.applicant_id != getattr(actor, "pk", None):
        raise NotAllowed(_("You may not do this."), code="oss")
    if application.status != Status.DRAFT:
        raise Conflict(_("This application is not a draft any more."), code="not_draft")
    if connection_for(application.region_id) is None or checklist_of(application.pk):
        raise Conflict(_("This draft is not looked up at OSS."), code="oss_no_inquiry")
    return application


def normalise_npwp(value: str) -> str:
    """The NPWP's digits (people type `01.234.567.8-912.000`): 15 digits, or 16 since 2024."""
    digits = "".join(ch for ch in (value or "") if ch not in ".- ")
    if not (digits.isascii() and digits.isdigit() and len(digits) in (15, 16)):
        raise DomainError(
            _("An NPWP has 15 or 16 digits (dots and dashes may be typed)."),
            code="invalid_npwp",
            field="npwp",
        )
    return digits


def npwp_inquiry_request(*, actor, application_id: int, npwp: str) -> NibInquiry:
    """Ask OSS about the business of `npwp` for the actor's draft (`inqueryNIB` by `npwp`), in
    the background: the answer fills the draft's empty NIB, name, KBLI and address.

    Who may call: the draft's applicant (the draft page). Changes: the draft's `NibInquiry`
    (replaced, pending) and an outbox message. Raises DomainError (an NPWP that is not 15 or 16
    digits), NotAllowed (another person's application) or Conflict (not a draft, a region
    without a connection, a draft OSS pushed). Changes nothing when it raises."""
    with transaction.atomic():
        application = _own_draft(actor, application_id)  # access first: another's is a 404
        return _pending(application, nib="", npwp=normalise_npwp(npwp))


def nib_inquiry_retry(*, actor, application_id: int) -> NibInquiry:
    """Ask again an inquiry OSS did not answer (down, slow, the `user_key` unset), in the
    background through the outbox; never inside the request.

    Who may call: the draft's applicant. Changes: the inquiry (pending again) and an outbox
    message. Raises NotAllowed (another person's application) or Conflict (not a draft, no
    connection, or no inquiry that OSS left unanswered: asking, found, not known)."""
    with transaction.atomic():
        application = _own_draft(actor, application_id)
        inquiry = (
            NibInquiry.objects.select_for_update(no_key=True)
            .filter(application=application)
            .first()
        )
        if inquiry is None or inquiry.state != NibInquiry.State.UNAVAILABLE:
            raise Conflict(
                _("There is no unanswered inquiry to ask OSS again."), code="oss_not_unanswered"
            )
        inquiry.state = NibInquiry.State.PENDING
        inquiry.detail = ""
        inquiry.asked_at = timezone.now()
        inquiry.answered_at = None
        inquiry.save(update_fields=["state", "detail", "asked_at", "answered_at"])
        _enqueue(inquiry)
    logger.info("oss inqueryNIB: application=%s asked again", application.pk)
    return inquiry


def _profile_values(profile, *, with_nib: bool = False) -> dict:
    raw = {
        "nib": profile.nib if with_nib else "",
        "business_name": profile.nama_perseroan,
        "kbli": profile.kbli[0] if profile.kbli else "",
        "address": profile.alamat_perseroan,
    }
    cleaned, _errors = clean_business_data({k: v for k, v in raw.items() if v})
    return cleaned  # a value our checks refuse is left for the applicant


def nib_inquire(*, application_id: int) -> str:
    """Ask OSS about the draft's NIB (or the NPWP the applicant gave) and fill its empty fields
    (by NPWP, the NIB too). Returns the inquiry's state
    (or "skipped": no pending inquiry, not a draft any more, the NIB changed, a file from OSS)."""
    inquiry = (
        NibInquiry.objects.select_related("application")
        .filter(application_id=application_id, state=NibInquiry.State.PENDING)
        .first()
    )
    if inquiry is None:
        return "skipped"
    application = inquiry.application
    by_npwp = bool(inquiry.npwp)
    if (
        application.status != Status.DRAFT
        or (not by_npwp and application.nib != inquiry.nib)
        or checklist_of(application.pk) is not None  # pushed by OSS: its data is OSS's already
    ):
        inquiry.delete()
        return "skipped"
    conn = connection_for(application.region_id)
    if conn is None:
        inquiry.delete()
        return "skipped"
    asked = {"npwp": inquiry.npwp} if by_npwp else {"nib": inquiry.nib}
    try:
        result = OssClient(endpoint_of(conn)).inquery_nib(**asked)
    except ImproperlyConfigured as error:  # the user_key's variable is not set
        return _answered(inquiry, NibInquiry.State.UNAVAILABLE, str(error), [])
    if result.ok and result.value is not None:
        values = _profile_values(result.value, with_nib=by_npwp)
        with transaction.atomic():
            draft = Application.objects.select_for_update().get(pk=application.pk)
            if draft.status != Status.DRAFT or (not by_npwp and draft.nib != inquiry.nib):
                inquiry.delete()
                return "skipped"
            filled = [key for key, value in values.items() if not getattr(draft, key)]
            for key in filled:
                setattr(draft, key, values[key])
            if filled:
                draft.save(update_fields=[*filled, "updated_at"])
            if by_npwp:
                inquiry.nib = result.value.nib[:13]
            return _answered(inquiry, NibInquiry.State.FOUND, "", filled)
    if result.ok or (result.permanent and result.kode == 400):
        detail = f"{result.kode or ''} {result.keterangan}".strip()
        return _answered(inquiry, NibInquiry.State.UNKNOWN, detail, [])
    detail = f"{result.http_status or ''} {result.keterangan}".strip()
    return _answered(inquiry, NibInquiry.State.UNAVAILABLE, detail, [])


def _answered(inquiry: NibInquiry, state: str, detail: str, filled: list) -> str:
    inquiry.state = state
    inquiry.detail = detail[:255]
    inquiry.filled = filled
    inquiry.answered_at = timezone.now()
    inquiry.save(update_fields=["nib", "state", "detail", "filled", "answered_at"])
    logger.info(
        "oss inqueryNIB: application=%s state=%s detail=%s",
        inquiry.application_id,
        state,
        detail[:255],
    )
    return state
