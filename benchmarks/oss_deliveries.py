"""OSS delivery benchmark (not a test): deliveries per second of one worker process.

    .venv/bin/python benchmarks/oss_deliveries.py [--files 50] [--per-file 20]

Makes its own database `ptsp_bench_oss` on the local PostgreSQL (benchmarks/database.py),
seeds the demo, starts the OSS simulator (a real HTTP server on 127.0.0.1, lenient about
`id_izin`), links the demo's submitted files to checklist items, records `--per-file`
`receiveLicenseStatus` deliveries for each (as the event receivers do, payload built and checked
against the guide), then sends them all with `oss.services.deliveries.deliveries_send`, file by
file, in one process — what one worker does. Reports deliveries per second, the per-delivery
median / p95 (the round trip plus our bookkeeping: the advisory lock, the in-flight mark and
the outcome, each committed) and the bare client round trip for comparison.
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--per-file", type=int, default=20)
    args = parser.parse_args()

    from benchmarks.database import fresh_database

    var = tempfile.mkdtemp(prefix="ptsp-bench-oss-")
    os.environ.update(
        {
            "DJANGO_ENV": "test",
            "DJANGO_SETTINGS_MODULE": "ptsp.settings",
            "DATABASE_URL": fresh_database("ptsp_bench_oss"),
            "PTSP_VAR_DIR": var,
            "MEDIA_ROOT": f"{var}/media",
            "LOG_LEVEL": "WARNING",
            "OUTBOX_PUBLISH_ON_COMMIT": "false",
            "OSS_BENCH_USER_KEY": "sim-user-key",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--quiet")

    from applications.models import Application
    from oss.models import ChecklistItem, OssDelivery, RegionConnection
    from oss.protocol.outbound import LicenseStatus
    from oss.services.deliveries import deliveries_send
    from oss.simulator import OssSimulator

    files = list(Application.objects.exclude(status="draft").order_by("id"))
    if not files:
        print("the demo has no submitted file")
        return 1
    with OssSimulator(strict_izin=False) as sim:
        for region_id in {f.region_id for f in files}:
            RegionConnection.objects.create(
                region_id=region_id,
                enabled=True,
                kd_daerah=f"{6474000000 + region_id:010d}",
                base_url=sim.base_url,
                path_template=sim.prefix + "/{method}",
                user_key_env="OSS_BENCH_USER_KEY",
            )
        chosen = [files[i % len(files)] for i in range(min(args.files, len(files)))]
        now = timezone.now()
        rows = []
        for n, application in enumerate(chosen):
            item = ChecklistItem.objects.create(
                region_id=application.region_id,
                id_izin=f"I-BENCH-{n:06d}",
                kd_izin="024000000201",
                nib="9120108233467",
                oss_id="P02-BENCH",
                application=application,
            )
            for k in range(args.per_file):
                payload = LicenseStatus(
                    nib=item.nib,
                    oss_id=item.oss_id,
                    id_izin=item.id_izin,
                    kd_izin=item.kd_izin,
                    kd_status=("09", "10", "12", "45")[k % 4],
                    status_at=now,
                    nama_status="Benchmark",
                ).to_payload()
                rows.append(
                    OssDelivery(
                        region_id=application.region_id,
                        application=application,
                        checklist_item=item,
                        method="receiveLicenseStatus",
                        kd_status=payload["IZINSTATUS"]["kd_status"],
                        idempotency_key=f"bench:{n}:{k}",
                        payload=payload,
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
        OssDelivery.objects.bulk_create(rows)
        # The bare round trip, for comparison: the client and the simulator alone.
        from oss.client import OssClient

        client = OssClient(sim.endpoint())
        bare = []
        for _ in range(50):
            t0 = time.perf_counter()
            client.call("receiveLicenseStatus", rows[0].payload, lambda wrapper: None)
            bare.append((time.perf_counter() - t0) * 1000)
        sim.clear()
        total = len(rows)
        per_file = []
        started = time.perf_counter()
        for application in chosen:
            t0 = time.perf_counter()
            result = deliveries_send(application_id=application.pk)
            per_file.append((time.perf_counter() - t0) / args.per_file)
            assert result == "done", result
        elapsed = time.perf_counter() - started
        sent = OssDelivery.objects.filter(status="sent").count()
        taken = len(sim.accepted("receiveLicenseStatus"))
    ms = sorted(v * 1000 for v in per_file)
    p95 = ms[max(0, round(0.95 * (len(ms) - 1)))]
    print(f"OSS deliveries: {sent}/{total} sent, {taken} taken by the simulator")
    print(f"  one worker: {total / elapsed:,.0f} deliveries/s ({elapsed:.1f} s)")
    print(f"  per delivery: median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms (per file)")
    print(f"  bare client round trip: median {statistics.median(bare):.1f} ms")
    return 0 if sent == total == taken else 1


if __name__ == "__main__":
    raise SystemExit(main())
