"""Issuance benchmark (not a test): time from "sign and issue" to a stored signed PDF.

    .venv/bin/python benchmarks/issuance.py [--n 40] [--throughput 60]

Makes its own database (BENCH_DB_NAME, default `ptsp_bench`) on the local PostgreSQL (BENCH_PG,
default postgres://postgres@127.0.0.1:5432, as benchmarks/database.py) and uses the local Redis (CELERY_BROKER_URL, default 127.0.0.1:6379/14), a
throwaway var/ directory and a fresh development certificate. Reports, for a one-page and a
three-page permit:
- issue: `permit_issue` (the request: certificate check, lock, number, permit row, outbox) plus
  `permit_complete_issuance` (the task: render, sign, store, mark valid), in one process, warm;
- bare: WeasyPrint render + pyHanko sign of the same document, in the same run;
- via worker: the same through the outbox, Redis and a real Celery worker (sequential);
and permits issued per minute by 2 worker processes (prefork, concurrency 2).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values, q):
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def fmt(label, values):
    ms = [v * 1000 for v in values]
    return f"  {label:<44} median {statistics.median(ms):7.1f} ms   p95 {percentile(ms, 95):7.1f} ms   (n={len(ms)})"


def setup_environment():
    from benchmarks.database import fresh_database

    var = tempfile.mkdtemp(prefix="ptsp-bench-")
    os.environ.update(
        {
            "DJANGO_ENV": "test",
            "DJANGO_SETTINGS_MODULE": "ptsp.settings",
            "DATABASE_URL": fresh_database(os.environ.get("BENCH_DB_NAME", "ptsp_bench")),
            "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14"),
            "PTSP_VAR_DIR": var,
            "MEDIA_ROOT": f"{var}/media",
            "SIGNING_CERT_PASSPHRASE": "bench-passphrase",
            "LOG_LEVEL": "WARNING",
            "OUTBOX_PUBLISH_ON_COMMIT": "false",
        }
    )
    return var


def three_page_overrides():
    conditions = "\n".join(
        f"Ketentuan teknis nomor {i}: pemegang izin wajib memenuhi standar pelayanan, "
        "keselamatan dan kesehatan kerja, serta melaporkan kegiatan usaha secara berkala "
        "kepada DPMPTSP dan perangkat daerah teknis terkait."
        for i in range(1, 31)
    )
    return {"conditions": conditions, "name_id": "Izin Operasional Klinik Pratama"}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=40, help="permits per latency series")
    parser.add_argument("--throughput", type=int, default=60, help="permits for the rate")
    args = parser.parse_args()

    setup_environment()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--quiet")
    call_command("make_dev_signing_cert", stdout=open(os.devnull, "w"))  # noqa: SIM115

    from io import BytesIO

    from pypdf import PdfReader

    from accounts.models import User
    from agencies.models import Region
    from applications.models import Event
    from catalog.models import PermitType
    from permits.models import Permit
    from permits.rendering import html_to_pdf, permit_html
    from permits.services.issuance import permit_complete_issuance, permit_issue
    from permits.signing import get_signer
    from tests.journeys import recommended_application

    signer_user = User.objects.get(email="kepala.btg@ptsp.local")
    region = Region.objects.get(code="BTG")
    # The seeded catalog has both types; the clinic permit gets 30 conditions (three pages).
    PermitType.objects.filter(region=region, code="IOK").update(**three_page_overrides())
    signer = get_signer(region)

    def one(code):
        application = recommended_application(permit_code=code)
        t0 = time.perf_counter()
        permit = permit_issue(application_id=application.pk, actor=signer_user)
        permit_complete_issuance(permit_id=permit.pk)
        elapsed = time.perf_counter() - t0
        permit = Permit.objects.select_related(
            "application__catalog_version", "permit_type", "region", "application__applicant"
        ).get(pk=permit.pk)
        assert permit.status == Permit.Status.VALID
        t1 = time.perf_counter()
        signer.sign(
            html_to_pdf(permit_html(permit)),
            signer_name=permit.signer_name,
            reason="bench",
            location=region.name,
        )
        bare = time.perf_counter() - t1
        with permit.file.open("rb") as f:
            pages = len(PdfReader(BytesIO(f.read())).pages)
        return elapsed, bare, pages

    results = {}
    for code in ("SIP-DU", "IOK"):
        for _ in range(5):  # warm-up: first render in a process is slower
            one(code)
        series = [one(code) for _ in range(args.n)]
        results[code] = series

    print(f"Issuance benchmark — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"  machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for code, label in (("SIP-DU", "one-page"), ("IOK", "three-page")):
        series = results[code]
        pages = {p for _, _, p in series}
        print(f"{label} permit (pages: {sorted(pages)}):")
        print(fmt("sign and issue → stored signed PDF", [e for e, _, _ in series]))
        print(fmt("bare WeasyPrint render + pyHanko sign", [b for _, b, _ in series]))

    # Through the broker and a real worker pool (2 prefork processes).
    env = dict(os.environ, OUTBOX_PUBLISH_ON_COMMIT="true")
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "ptsp",
            "worker",
            "--concurrency",
            "2",
            "--pool",
            "prefork",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        from django.conf import settings

        settings.OUTBOX_PUBLISH_ON_COMMIT = True
        time.sleep(4)  # the worker starts and imports WeasyPrint

        def wait_valid(ids, timeout=300):
            # Polls gently (every 20 ms) so that the waiting does not steal the workers' CPU;
            # the latency itself is read from the "issue" event, written in the task's commit.
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if Permit.objects.filter(pk__in=ids, status=Permit.Status.VALID).count() == len(
                    ids
                ):
                    return True
                time.sleep(0.02)
            return False

        latencies = []
        for i in range(args.n + 4):
            application = recommended_application(permit_code="SIP-DU")
            t0 = time.time()
            permit = permit_issue(application_id=application.pk, actor=signer_user)
            assert wait_valid([permit.pk], timeout=60), "worker did not issue"
            issued_at = Event.objects.get(application=application, action="issue").at
            if i >= 4:
                latencies.append(issued_at.timestamp() - t0)
        print("one-page permit through outbox → Redis → Celery worker (sequential):")
        print(fmt("sign and issue → stored signed PDF", latencies))

        applications = [
            recommended_application(permit_code="SIP-DU") for _ in range(args.throughput)
        ]
        t0 = time.perf_counter()
        ids = [permit_issue(application_id=a.pk, actor=signer_user).pk for a in applications]
        assert wait_valid(ids), "worker pool did not finish"
        elapsed = time.perf_counter() - t0
        print(
            f"throughput, 2 worker processes: {len(ids)} one-page permits in {elapsed:.1f} s "
            f"= {len(ids) / elapsed * 60:.0f} permits/minute"
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
