"""`manage.py serve_dev_revocation [--port 8790]`: the development CA's OCSP responder and CRL.

Serves `permits.revocation` for SIGNING_CA_PATH (its key beside it) on 127.0.0.1, at the port of
SIGNING_DEV_REVOCATION_URL by default — where `make_dev_signing_cert` tells the certificates
their responder is — until Ctrl-C. PAdES B-LT signing (SIGNING_PADES_LEVEL=B-LT) fetches from
it; `--revoke SERIAL` marks a certificate revoked first (kept in `<ca>.revoked.json`).
`--tsa` serves the development CA's timestamp authority at `/tsa` on the same port
(`permits.devtsa.DevTimestampAuthority`: TSA_URL for B-T/B-LT; `make run` uses it); `--ca`
names the CA (default SIGNING_CA_PATH, which may be a bundle of roots in `make run`).
Development only: it refuses to run in production.
"""

import time
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from permits.devtsa import TSA_PATH, DevTimestampAuthority
from permits.revocation import CertificateAuthorityRevocation, RevocationResponder


class Command(BaseCommand):
    help = "Serve the development CA's OCSP responder and CRL (development only)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=None)
        parser.add_argument("--revoke", action="append", default=[], metavar="SERIAL")
        parser.add_argument("--once", action="store_true", help="start, print, stop (checks)")
        parser.add_argument("--tsa", action="store_true", help="serve the development TSA at /tsa")
        parser.add_argument(
            "--ca", default=None, help="the development CA (default SIGNING_CA_PATH)"
        )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("The development CA's responder has no place in production.")
        ca_path = Path(options["ca"] or settings.SIGNING_CA_PATH)
        if not ca_path.is_file() or not ca_path.with_suffix(".key").is_file():
            raise CommandError(f"No development CA at {ca_path}: run make_dev_signing_cert first.")
        port = options["port"]
        if port is None:
            port = urlsplit(settings.SIGNING_DEV_REVOCATION_URL).port or 8790
        authority = CertificateAuthorityRevocation(
            ca_path=ca_path, state_path=ca_path.with_suffix(".revoked.json")
        )
        for serial in options["revoke"]:
            authority.revoke(int(serial, 0))
            self.stdout.write(f"Revoked serial {serial}.")
        tsa = None
        if options["tsa"]:
            base = settings.SIGNING_DEV_REVOCATION_URL.rstrip("/")
            if urlsplit(base).port != port:
                base = f"http://127.0.0.1:{port}"
            tsa = DevTimestampAuthority(ca_path, revocation_url=base)
        responder = RevocationResponder(authority, port=port, tsa=tsa).start()
        self.stdout.write(f"OCSP {responder.url}/ocsp and CRL {responder.url}/crl for {ca_path}")
        if tsa is not None:
            self.stdout.write(f"TSA {responder.url}{TSA_PATH}")
        self.stdout.flush()
        try:
            while not options["once"]:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            responder.stop()
