"""Batch-signing benchmark (not a test): permits issued in batches through the service
(`permits.services.batch_signing.permits_sign` and the worker's task, run in-process from the
outbox), with the local signer and with the BSrE simulator, next to the bare render + sign of
the same documents in the same run.

    flock /tmp/ptsp-heavy.lock .venv/bin/python benchmarks/issuance_batch.py [--n 50] [--level B-LT]

Makes its own database (BENCH_DB_NAME, default `ptsp_bench_batch`) on the local PostgreSQL
(BENCH_PG, as benchmarks/database.py), a throwaway var/ directory, the demo data, a fresh
development CA whose certificates name its OCSP responder and CRL (served in this process,
`permits.revocation`, with the development TSA `permits.devtsa` at `/tsa`), and the BSrE
simulator (`bsre.simulator`, RSA-2048) on another local port. BTG's signer signs:

- local: the region's PKCS#12 (`permits_sign` → `permit_issue` per file → the issuance task);
- BSrE v2 with a passphrase (one `sign/pdf` request per file, `BSRE_FILES_PER_REQUEST=1`);
- BSrE v2 with a one-time code (one request for the whole batch);
- BSrE hash signing with a passphrase (one `sign/hash` request per file).

Per series: `--n` recommended files (made beforehand, not timed) signed in one batch; the time
from `permits_sign` to every file issued (numbers, permit rows, render, BSrE, LT step, files
stored, states), divided by the files. "Bare" is the same permits' HTML rendered again with
WeasyPrint and signed by the same signer outside the service: one at a time (`sign`), and as a
batch (render all, then `sign_many`). Every issued file is validated (pyHanko) and its level
reported. `--level` B-LT (default, what `make run` signs) or B-B (B-T for BSrE, its answer).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NIK = "6474010101990001"
PASSPHRASE = "bench-bsre-passphrase"
SIGNER_EMAIL = "kepala.btg@ptsp.local"


def setup_environment():
    from benchmarks.database import fresh_database

    var = tempfile.mkdtemp(prefix="ptsp-bench-batch-")
    os.environ.update(
        {
            "DJANGO_ENV": "test",
            "DJANGO_SETTINGS_MODULE": "ptsp.settings",
            "DATABASE_URL": fresh_database(os.environ.get("BENCH_DB_NAME", "ptsp_bench_batch")),
            "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14"),
            "PTSP_VAR_DIR": var,
            "MEDIA_ROOT": f"{var}/media",
            "SIGNING_CERT_PASSPHRASE": "bench-passphrase",
            "LOG_LEVEL": "WARNING",
            "OUTBOX_PUBLISH_ON_COMMIT": "false",
            "BSRE_BENCH_PASSWORD": "",
            "BSRE_BENCH_SECRET": "",
        }
    )
    return Path(var)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50, help="permits per batch (at most 50)")
    parser.add_argument("--level", choices=["B-LT", "B-B"], default="B-LT")
    args = parser.parse_args()
    var = setup_environment()

    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)
    from django.conf import settings
    from django.core.management import call_command

    from permits.devtsa import DevTimestampAuthority
    from permits.revocation import CertificateAuthorityRevocation, RevocationResponder

    load_before = os.getloadavg()
    started_at = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--quiet")
    ca_path = Path(settings.SIGNING_CA_PATH)
    responder = RevocationResponder(CertificateAuthorityRevocation(ca_path=ca_path)).start()
    settings.SIGNING_DEV_REVOCATION_URL = responder.url
    call_command("make_dev_signing_cert", stdout=open(os.devnull, "w"))  # noqa: SIM115
    responder.tsa = DevTimestampAuthority(ca_path, revocation_url=responder.url)
    if args.level == "B-LT":
        settings.SIGNING_PADES_LEVEL = "B-LT"
        settings.TSA_URL = f"{responder.url}/tsa"

    from accounts.models import User
    from agencies.models import Region
    from applications.models import Application, Status
    from bsre.models import BsreSignerAccount, RegionBsreConfig
    from bsre.simulator import BsreSimulator
    from outbox.testing import run_pending
    from permits.models import Permit
    from permits.pades import load_trust_roots, validate_signed_pdf
    from permits.rendering import html_to_pdf, permit_html
    from permits.services.batch_signing import MAX_FILES, permits_sign
    from permits.signing import SigningCredential, get_signer
    from tests.journeys import recommended_application

    n = min(args.n, MAX_FILES)
    simulator = BsreSimulator().start()
    simulator.register(NIK, passphrase=PASSPHRASE, name="Kepala DPMPTSP Kota Bontang")
    bundle = var / "signing" / "trust-bundle.pem"
    bundle.write_bytes(ca_path.read_bytes() + simulator.ca_pem())
    settings.SIGNING_CA_PATH = str(bundle)
    roots = load_trust_roots(bundle)
    os.environ["BSRE_BENCH_PASSWORD"] = simulator.password
    os.environ["BSRE_BENCH_SECRET"] = simulator.client_secret

    region = Region.objects.get(code="BTG")
    user = User.objects.get(email=SIGNER_EMAIL)
    config, _ = RegionBsreConfig.objects.update_or_create(
        region=region,
        defaults={
            "enabled": False,
            "mode": "v2",
            "base_url": simulator.url,
            "username": simulator.username,
            "password_env": "BSRE_BENCH_PASSWORD",
            "client_id": simulator.client_id,
            "client_secret_env": "BSRE_BENCH_SECRET",
            "token_url": f"{simulator.url}/oauth/token",
            "connect_timeout": 5.0,
            "read_timeout": 60.0,
            "files_per_request": 1,
        },
    )
    BsreSignerAccount.objects.update_or_create(user=user, defaults={"region": region, "nik": NIK})

    def use(mode):
        config.enabled = mode != "local"
        config.mode = "hash" if mode == "hash" else "v2"
        config.save()

    def credential(kind):
        if kind == "totp":
            get_signer(region, user=user).request_totp()
            return SigningCredential.totp(simulator.totp_for(NIK))
        if kind == "passphrase":
            return SigningCredential.passphrase(PASSPHRASE)
        return None

    def files(count):
        return [recommended_application().pk for _ in range(count)]

    # Warm-up: WeasyPrint's first render, the simulator's first keys, each path once.
    for mode, kind in (("local", None), ("v2", "passphrase"), ("hash", "passphrase")):
        use(mode)
        permits_sign(application_ids=files(2), actor=user, credential=credential(kind))
        run_pending(max_rounds=200)

    series = [
        ("local PKCS#12", "local", None),
        ("BSrE v2, passphrase (1 file/request)", "v2", "passphrase"),
        ("BSrE v2, one-time code (1 request)", "v2", "totp"),
        ("BSrE hash, passphrase (1 file/request)", "hash", "passphrase"),
    ]
    rows = []
    for label, mode, kind in series:
        use(mode)
        ids = files(n)
        cred = credential(kind)
        t0 = time.perf_counter()
        permits_sign(application_ids=ids, actor=user, credential=cred)
        run_pending(max_rounds=200)
        service = time.perf_counter() - t0
        issued = Application.objects.filter(pk__in=ids, status=Status.ISSUED).count()
        assert issued == n, f"{label}: {issued} of {n} issued"
        permits = list(
            Permit.objects.filter(application_id__in=ids)
            .select_related(
                "application__catalog_version", "permit_type", "region", "application__applicant"
            )
            .order_by("sequence")
        )
        levels = set()
        for permit in permits:
            with permit.file.open("rb") as handle:
                report = validate_signed_pdf(handle.read(), trust_roots=roots)
            assert report.ok and report.trusted, (label, report.problems)
            levels.add(report.level)
        htmls = [permit_html(p) for p in permits]
        signer = get_signer(region, user=user)
        meta = {"signer_name": permits[0].signer_name, "reason": "bench", "location": region.name}
        # Bare, one at a time: render + sign (one request per file for BSrE).
        one_cred = credential("passphrase") if kind else None
        per_doc = []
        for html in htmls:
            t1 = time.perf_counter()
            signer.sign(html_to_pdf(html), credential=one_cred, **meta)
            per_doc.append(time.perf_counter() - t1)
        # Bare batch: render all, then sign_many under the series' own credential.
        t2 = time.perf_counter()
        pdfs = [html_to_pdf(html) for html in htmls]
        signer.sign_many(pdfs, credential=credential(kind), **meta)
        bare_batch = time.perf_counter() - t2
        rows.append((label, service / n, per_doc, bare_batch / n, sorted(levels)))
        print(f"  {label}: done", flush=True)

    load_after = os.getloadavg()
    print(f"\nBatch-signing benchmark — {started_at}, {n} permits per batch, level {args.level}")
    print(
        f"  machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; load average "
        f"{load_before[0]:.1f} → {load_after[0]:.1f} (1 min), shared with other work"
    )
    header = (
        f"{'series':<40} {'service ms/permit':>18} {'bare median':>12} {'bare p95':>9} "
        f"{'bare batch':>11}  level"
    )
    print(header)
    for label, service, per_doc, bare_batch, levels in rows:
        ms = sorted(t * 1000 for t in per_doc)
        p95 = ms[max(0, min(len(ms) - 1, round(0.95 * (len(ms) - 1))))]
        print(
            f"{label:<40} {service * 1000:>18.0f} {statistics.median(ms):>12.0f} {p95:>9.0f} "
            f"{bare_batch * 1000:>11.0f}  {'/'.join(levels)}"
        )
    print(
        "\n(ms per permit; service: permits_sign → all issued, through the outbox in-process; "
        "bare: WeasyPrint render + the same signer's sign, per document; bare batch: render all "
        "+ sign_many, per document)"
    )
    simulator.stop()
    responder.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
