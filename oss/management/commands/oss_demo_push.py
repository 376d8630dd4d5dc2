"""`manage.py oss_demo_push`: the OSS simulator pushes one `receiveNIB` to the running portal,
as OSS would: a business of the demo applicant with two checklist items of Kota Bontang (a
pharmacy permit and a building approval, mapped by `oss.demo`) and their requirement files,
served by the simulator. `make run` calls it once the portal answers; the applicant then finds
the two pre-filled drafts, and the worker fetches their files.

Runs once per database: when the demo region already holds a business from OSS, it does
nothing. Development only (refused in production)."""

import json
from urllib.parse import urljoin

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import ApplicantProfile
from oss.demo import DEMO_APPLICANT, DEMO_MAPPINGS
from oss.models import Business, RegionConnection
from oss.simulator.push import post_json, push_receive_nib
from oss.simulator.samples import sample_data_nib


class Command(BaseCommand):
    help = "Push one receiveNIB from the OSS simulator to this portal (the demo; once)."

    def add_arguments(self, parser):
        parser.add_argument("--site-url", default="", help="default: SITE_URL")
        parser.add_argument("--force", action="store_true", help="push even if done before")

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("oss_demo_push is a demo tool: not in production.")
        connection = (
            RegionConnection.objects.select_related("region")
            .filter(region__code="BTG", enabled=True)
            .first()
        )
        if connection is None:
            raise CommandError("The demo region BTG has no enabled OSS connection (seed_demo).")
        if Business.objects.filter(region=connection.region).exists() and not options["force"]:
            self.stdout.write("OSS demo: a business from OSS is already there; nothing pushed.")
            return
        profile = ApplicantProfile.objects.filter(user__email=DEMO_APPLICANT).first()
        data = sample_data_nib(
            kd_daerah=connection.kd_daerah,
            kd_izin=tuple(DEMO_MAPPINGS),
            files_base_url=connection.base_url,
            nama_perseroan="PT Apotek Sehat Bontang",
            email=DEMO_APPLICANT,
            nik=profile.nik if profile else "6474011203880001",
        )
        body = json.dumps({"dataNIB": data}).encode()
        status, _body, error = post_json(
            urljoin(connection.base_url, "/_sim/nib"), body, {"Content-Type": "application/json"}
        )
        if status != 200:
            raise CommandError(f"The OSS simulator did not take the business: {status} {error}")
        site = (options["site_url"] or settings.SITE_URL).rstrip("/")
        result = push_receive_nib(
            f"{site}/oss/{connection.kd_daerah}/receiveNIB",
            data,
            username=connection.inbound_username,
            password=connection.inbound_password(),
        )
        if not result.accepted:
            raise CommandError(
                f"The portal refused the demo push: HTTP {result.http_status} {result.keterangan}"
            )
        self.stdout.write(
            f"OSS demo: the simulator pushed NIB {data['nib']} (two permits for {DEMO_APPLICANT})."
        )
