"""Applications at known instants (time-machine), built through the workflow services."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from accounts.models import User
from applications.services.intake import application_accept
from ptsp.workdays import add_working_days
from tests.workflow_builders import all_accepted, submitted_application

WITA = ZoneInfo("Asia/Makassar")
VERIFIER = "verifikator.btg@ptsp.local"


def wita(m, d, hh=9, mm=0, y=2026):
    return datetime(y, m, d, hh, mm, tzinfo=WITA)


def routed_at(when, run_outbox, submitted=None, **kwargs):
    """Submitted at `submitted` (default: `when`), accepted and routed at `when`."""
    with time_machine.travel(submitted or when, tick=False):
        application = submitted_application(**kwargs)
        # As the filing service does at submission: the time and the intake clock.
        application.submitted_at = submitted or when
        application.due_at = add_working_days(application.region, submitted or when, 2)
        application.save(update_fields=["submitted_at", "due_at"])
    with time_machine.travel(when, tick=False):
        application_accept(
            application_id=application.pk,
            actor=User.objects.get(email=VERIFIER),
            verdicts=all_accepted(application),
        )
        run_outbox()
    application.refresh_from_db()
    return application
