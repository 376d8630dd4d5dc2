"""Open the applicant's correction period, counted from now, for every file that was already
waiting for the applicant when issue 18's correction periods were deployed."""

from django.core.management.base import BaseCommand

from applications.sla.corrections import corrections_backfill


class Command(BaseCommand):
    help = (
        "Give files already returned or waiting for a revision their correction period, "
        "counted from now (once; safe to run again)."
    )

    def handle(self, *args, **options):
        opened = corrections_backfill()
        self.stdout.write(f"correction periods opened: {opened}")
