"""Invariant checks: what the data says must have happened, repaired when it has not.

The outbox reconciler (outbox.services.reconcile_handed_over) hands over again work that was
handed over and never completed. These checks are the second net, from the other side: they
look at the effects (docs/adr/0003-celery-and-the-outbox.md). Each finding re-enqueues the
missing work through the outbox (`outbox.services.reopen`, tasks are idempotent) and is logged
on `ptsp.invariants` at WARNING. Run by the periodic `operations.tasks.check_invariants`.

- an application accepted (in review) for more than GRACE without any review → routing again;
- a permit issuing for more than GRACE → its issuance task again;
- signed files stored by attempts that never committed → removed (permits.permit_files_sweep).
Fees have no bills yet (issue 17 phase 1): "a paid bill without its status" joins when they do.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from applications.models import Application, Event, Review, Status
from outbox.services import reopen
from permits.models import Permit
from permits.services.issuance import ISSUE_TASK, permit_files_sweep

logger = logging.getLogger("ptsp.invariants")

GRACE = timedelta(minutes=1)
ROUTE_TASK = "agencies.tasks.route_application"


@dataclass
class InvariantReport:
    unrouted: list[int] = field(default_factory=list)
    stuck_issuing: list[int] = field(default_factory=list)
    orphan_files: int = 0

    @property
    def repaired(self) -> int:
        return len(self.unrouted) + len(self.stuck_issuing) + self.orphan_files


def invariants_check(*, grace: timedelta = GRACE) -> InvariantReport:
    """Find and repair what is missing. Who: the periodic task (system), an operator's shell.
    Changes: outbox messages reopened or created; orphan files removed. Safe to run twice and
    concurrently (the outbox's dedupe keys and leases)."""
    report = InvariantReport()
    cutoff = timezone.now() - grace
    accepted_long_ago = Event.objects.filter(
        application=OuterRef("pk"), action="accept", at__lt=cutoff
    )
    for pk in (
        Application.objects.filter(status=Status.IN_REVIEW)
        .filter(Exists(accepted_long_ago))
        .exclude(Exists(Review.objects.filter(application=OuterRef("pk"))))
        .values_list("pk", flat=True)
    ):
        outcome = reopen(dedupe_key=f"route:{pk}", task_name=ROUTE_TASK, args=[pk])
        if outcome != "waiting":
            report.unrouted.append(pk)
    for pk, attempts in Permit.objects.filter(
        status=Permit.Status.ISSUING,
        application__status=Status.ISSUING,
        issued_at__lt=cutoff,
    ).values_list("pk", "attempts"):
        outcome = reopen(
            dedupe_key=f"permit-issue:{pk}:{attempts}", task_name=ISSUE_TASK, args=[pk]
        )
        if outcome != "waiting":
            report.stuck_issuing.append(pk)
    report.orphan_files = permit_files_sweep()
    if report.repaired:
        logger.warning(
            "invariants: routing again for applications %s; issuance again for permits %s; "
            "%s orphan file(s) removed",
            report.unrouted,
            report.stuck_issuing,
            report.orphan_files,
        )
    return report
