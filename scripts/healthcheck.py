#!/usr/bin/env python3
"""Container health checks, standard library only (fast: no Django start-up).

    healthcheck.py http PATH       GET http://127.0.0.1:8000PATH must answer 200 (web)
    healthcheck.py file PATH AGE   PATH must have been touched within AGE seconds
                                   (worker heartbeat, scheduler heartbeat)

The HTTP check sends the first of ALLOWED_HOSTS as Host and X-Forwarded-Proto: https, as the
TLS proxy does, so that production settings neither refuse nor redirect it.
"""

import os
import sys
import time
import urllib.error
import urllib.request


def check_http(path: str) -> int:
    hosts = [h.strip().lstrip(".") for h in os.environ.get("ALLOWED_HOSTS", "").split(",")]
    host = next((h for h in hosts if h and h != "*"), "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        headers={"Host": host, "X-Forwarded-Proto": "https", "User-Agent": "healthcheck"},
    )
    try:
        with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 1


def check_file(path: str, max_age: float) -> int:
    try:
        age = time.time() - os.path.getmtime(path)
    except OSError:
        print(f"{path}: missing", file=sys.stderr)
        return 1
    if age > max_age:
        print(f"{path}: last touched {age:.0f}s ago", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "http":
        return check_http(argv[1])
    if len(argv) >= 3 and argv[0] == "file":
        return check_file(argv[1], float(argv[2]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
