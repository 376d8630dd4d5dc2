"""H2H payment benchmark (not a test): the bank simulator posts payments of real SKRDs to a
live receiver (gunicorn, the production config `ptsp/gunicorn_conf.py`, over real HTTP), one
bank at a time and several tellers at once.

    flock /tmp/ptsp-heavy.lock .venv/bin/python benchmarks/fees_h2h.py [--n 200] [--concurrency 4]

The database is `ptsp_bench_fees` on the PostgreSQL server of BENCH_PG (default the local
one), made fresh with the demo data; `--n` PBG files are filed, routed, assessed and
recommended through the services (tests.journeys; not timed), each with its SKRD. Then, timed:
the first half of the bills paid one after the other (one teller), the second half by
`--concurrency` tellers at once; each post is `fees.simulator.BankSimulator.pay` with the
amount given (no inquiry first): the signed request, the receiver's signature check, the
bill's row lock, `decide_payment`, the Payment, the bill paid and the file's
`payment_confirmed` with its notices written to the outbox — one transaction. Printed per
series: posts per minute, median and p95 per post; then a check that every bill is paid once.

The simulator runs in this process and shares the machine with the receiver and PostgreSQL;
the figures are this machine's, with whatever else runs on it at the time.
"""

import argparse
import logging
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_NAME = "ptsp_bench_fees"
BANK = "BANKKALTIMTARA"


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def setup_environment() -> None:
    from benchmarks.database import fresh_database

    var = tempfile.mkdtemp(prefix="ptsp-bench-fees-")
    os.environ.update(
        {
            "DJANGO_ENV": "test",
            "DJANGO_SETTINGS_MODULE": "ptsp.settings",
            "DATABASE_URL": fresh_database(DB_NAME),
            "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14"),
            "PTSP_VAR_DIR": var,
            "MEDIA_ROOT": f"{var}/media",
            "LOG_LEVEL": "WARNING",
            "OUTBOX_PUBLISH_ON_COMMIT": "false",
        }
    )


def bills(n: int) -> list[tuple[str, int]]:
    """`n` PBG files billed (not timed): their billing codes and amounts."""
    from tests.journeys import applicant, demo_type, draft, recommend, route, submit

    made = []
    owner = applicant()
    pbg = demo_type("BTG", "PBG")
    for _ in range(n):
        application = recommend(route(submit(draft(pbg, owner))))
        made.append((application.bill.billing_code, int(application.bill.total)))
    return made


def receiver(port: int) -> subprocess.Popen:
    """gunicorn with the production config, on `port`; waits until it answers."""
    from ptsp.servers import port_open

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "ptsp.wsgi:application",
            "--config",
            "ptsp/gunicorn_conf.py",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not port_open("127.0.0.1", port):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the receiver (gunicorn) did not start")
        time.sleep(0.2)
    return process


def series(bank, work: list[tuple[str, int]], concurrency: int) -> tuple[float, list[float], list]:
    """Pay every bill of `work` with `concurrency` tellers; (seconds, latencies, transactions)."""
    latencies, transactions, lock = [], [], threading.Lock()
    queue = list(work)

    def teller():
        while True:
            with lock:
                if not queue:
                    return
                code, amount = queue.pop()
            t0 = time.perf_counter()
            t = bank.pay(code, amount=amount, bank_id=BANK)
            elapsed = time.perf_counter() - t0
            with lock:
                latencies.append(elapsed)
                transactions.append(t)

    started = time.perf_counter()
    threads = [threading.Thread(target=teller) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, transactions


def line(label: str, seconds: float, latencies: list[float]) -> str:
    ms = [v * 1000 for v in latencies]
    return (
        f"  {label:<24} {len(ms) / seconds * 60:8.0f} posts/min   median {statistics.median(ms):6.1f} ms"
        f"   p95 {percentile(ms, 95):6.1f} ms   (n={len(ms)}, {seconds:.1f} s)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200, help="bills (half per series)")
    parser.add_argument("--concurrency", type=int, default=4, help="tellers in the 2nd series")
    args = parser.parse_args()

    setup_environment()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--quiet")

    from fees.models import Bill, Payment
    from fees.simulator import BankSimulator
    from ptsp.servers import free_port

    t0 = time.perf_counter()
    logging.disable(logging.CRITICAL)  # the SKRDs' PDFs are not signed here (no certificate)
    work = bills(args.n + 10)
    logging.disable(logging.NOTSET)
    prepared = time.perf_counter() - t0
    warm, work = work[:10], work[10:]
    half = len(work) // 2

    port = free_port()
    process = receiver(port)
    try:
        with BankSimulator(
            target=f"http://127.0.0.1:{port}/api/h2h/v1", timezone="Asia/Makassar"
        ) as bank:
            series(bank, warm, 1)  # warm-up: the workers' first requests load the code
            one = series(bank, work[:half], 1)
            many = series(bank, work[half:], args.concurrency)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)

    refused = [t for s in (one, many) for t in s[2] if t.status != "PAID"]
    paid = Bill.objects.filter(status=Bill.Status.PAID).count()
    payments = Payment.objects.count()
    workers = (
        f"{os.environ.get('WEB_CONCURRENCY', '3')} workers × "
        f"{os.environ.get('GUNICORN_THREADS', '2')} threads"
    )
    print(f"H2H payment benchmark — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(
        f"  machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; receiver: gunicorn "
        f"ptsp/gunicorn_conf.py, {workers}; {len(work) + len(warm)} bills prepared in "
        f"{prepared:.0f} s (not timed)"
    )
    print(line("one teller", one[0], one[1]))
    print(line(f"{args.concurrency} tellers at once", many[0], many[1]))
    print(
        f"  every post answered 00: {not refused} ({len(refused)} not); bills paid {paid}, "
        f"payments recorded {payments} (expected {len(work) + len(warm)} each)"
    )
    return 0 if not refused and paid == payments == len(work) + len(warm) else 1


if __name__ == "__main__":
    sys.exit(main())
