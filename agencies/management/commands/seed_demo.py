from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agencies.demo import DEMO_PASSWORD, seed_regions

# Each app seeds its own demo rows, in dependency order; a module without `seed` is skipped.
APP_SEEDERS = [
    "catalog.demo",
    "fees.demo",
    "applications.demo",
    "security.demo",
    "oss.demo",
    "bsre.demo",
]


class Command(BaseCommand):
    help = "Load demo regions, agencies, staff of every role, applicants and catalog. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins table.")

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "seed_demo makes accounts with a published password: not in production."
            )
        with transaction.atomic():
            logins = seed_regions()
            for module_name in APP_SEEDERS:
                try:
                    module = import_module(module_name)
                except ModuleNotFoundError as exc:
                    if exc.name != module_name:
                        raise
                    continue
                seed = getattr(module, "seed", None)
                if seed:
                    seed()
        if options["quiet"]:
            return
        self.stdout.write(self.style.SUCCESS("Demo data ready. Every demo account's password:"))
        self.stdout.write(f"    {DEMO_PASSWORD}\n")
        width = max(len(r[0]) for r in logins)
        for role, email, region in logins:
            self.stdout.write(f"  {role.ljust(width)}  {region:4}  {email}")
