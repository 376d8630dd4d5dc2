"""`make bench`: the load test on this machine, with servers of its own.

Starts a throwaway PostgreSQL (pgserver, own data dir, Unix socket), a Redis on a spare port, a
Celery worker (1 process) and gunicorn (--workers x --threads, gthread; 3 x 2 by default, as the
production configuration) in the local configuration
with DEBUG off, prepares the data (benchmarks/prepare.py), runs locust headless and prints the
figures. Never touches the machine's shared servers.

    .venv/bin/python benchmarks/run_load.py --users 100 --spawn-rate 20 --time 60s
"""

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ptsp.servers import RedisServer, free_port, start_pgserver  # noqa: E402

BIN = Path(sys.executable).parent


def _tree_cpu(pid: int) -> float:
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for proc in procs:
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def cpu_by_component(processes, work: Path, redis) -> dict:
    """CPU seconds so far of each part of the stack: the processes this script started (with
    their children: gunicorn's workers, Celery's pool), the throwaway PostgreSQL (all backends,
    found from its postmaster.pid), Redis, and the finished children of this script (the setup
    commands before the run; the setup commands and locust after it)."""
    import resource

    names = ["celery worker", "celery beat", "gunicorn (web)"]
    result = {name: _tree_cpu(p.pid) for name, p in zip(names, processes, strict=False)}
    pid_file = work / "pg" / "postmaster.pid"
    if pid_file.exists():
        result["postgresql"] = _tree_cpu(int(pid_file.read_text().split()[0]))
    result["redis"] = _tree_cpu(redis.process.pid)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["locust (load generator)"] = usage.ru_utime + usage.ru_stime
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--spawn-rate", type=float, default=20)
    parser.add_argument("--time", default="60s")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ptsp-load-"))
    database_url = start_pgserver(str(work / "pg"))
    redis = RedisServer().start()
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_ENV": "local",
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": redis.url,
        "PTSP_VAR_DIR": str(work / "var"),
        "MEDIA_ROOT": str(work / "media"),
        "TOTP_ENFORCED": "false",
        "LOGIN_FAILURE_LIMIT": "100000",
        "DJANGO_SETTINGS_MODULE": "ptsp.settings",
        "PYTHONPATH": str(ROOT),
    }
    processes = []
    try:
        run = lambda *cmd: subprocess.run(cmd, cwd=ROOT, env=env, check=True)  # noqa: E731
        run(str(BIN / "python"), "manage.py", "migrate", "-v", "0")
        run(str(BIN / "python"), "manage.py", "createcachetable")
        run(str(BIN / "python"), "manage.py", "seed_demo", "--quiet")
        fixtures = work / "fixtures.json"
        run(str(BIN / "python"), "benchmarks/prepare.py", str(fixtures))
        processes.append(
            subprocess.Popen(
                [
                    str(BIN / "celery"),
                    "-A",
                    "ptsp",
                    "worker",
                    "-c",
                    "1",
                    "-l",
                    "WARNING",
                    "--without-gossip",
                    "--without-mingle",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        processes.append(
            subprocess.Popen(
                [
                    str(BIN / "celery"),
                    "-A",
                    "ptsp",
                    "beat",
                    "-l",
                    "WARNING",
                    "-s",
                    str(work / "beat-schedule"),
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        processes.append(
            subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "ptsp.wsgi",
                    "-w",
                    str(args.workers),
                    "--threads",
                    str(args.threads),
                    "-b",
                    f"127.0.0.1:{port}",
                    "--keep-alive",
                    "30",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
                # The portal's own access log (one line per request) goes to a file, as it
                # would go to the container's log, not through this script's terminal.
                stdout=open(work / "web.log", "w"),  # noqa: SIM115
                stderr=subprocess.STDOUT,
            )
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/livez", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        load_before = os.getloadavg()
        cpu_before = cpu_by_component(processes, work, redis)
        subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                "benchmarks/locustfile.py",
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(args.spawn_rate),
                "-t",
                args.time,
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(work / "locust"),
                "--only-summary",
            ],
            cwd=ROOT,
            env={**env, "LOAD_FIXTURES": str(fixtures)},
            check=False,
        )
        load_after = os.getloadavg()
        cpu_after = cpu_by_component(processes, work, redis)
        with open(work / "locust_stats.csv") as fh:
            rows = list(csv.DictReader(fh))
        total = next(r for r in rows if r["Name"] == "Aggregated")
        print("\n== Load result")
        print(
            f"machine: {os.cpu_count()} CPUs; load average before {load_before}, after {load_after}"
        )
        print(f"users {args.users}, run time {args.time}")
        print(
            f"requests {total['Request Count']}, failures {total['Failure Count']}, "
            f"{float(total['Requests/s']):.1f} req/s, median {total['50%']} ms, "
            f"p95 {total['95%']} ms, p99 {total['99%']} ms"
        )
        print("CPU seconds used during the run, by component (2 cores = 2 s per second):")
        for name in cpu_after:
            used = cpu_after[name] - cpu_before.get(name, 0.0)
            print(f"  {name:<28} {used:7.1f} s")
        print(f"CSV: {work}/locust_stats.csv; portal log: {work}/web.log")
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        redis.stop()
        subprocess.run(
            [
                str(BIN / "python"),
                "-c",
                "import pgserver,sys; pgserver.get_server(sys.argv[1]).cleanup()",
                str(work / "pg"),
            ],
            check=False,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
