"""``python -m oss.simulator``: run the OSS simulator, or push as OSS does.

    python -m oss.simulator serve --port 8089 [--host 127.0.0.1] [--user-key KEY] [--prefix P]
    python -m oss.simulator push-nib --url http://127.0.0.1:8000/oss/receiveNIB \\
        --username U [--password P | env OSS_PUSH_PASSWORD] [--kd-daerah 6474000000] \\
        [--kd-izin 024000000201 ...] [--tipe-dokumen 9] [--file data_nib.json] \\
        [--simulator http://127.0.0.1:8089]   # register the business there, serve its files
    python -m oss.simulator push-file-ds --url … --username U --nib N --id-izin I --file-izin URL

`serve` prints one JSON line (its URL, prefix, seeded NIBs) and runs until interrupted. The push
commands print OSS's view of the answer as JSON and exit 0 when the receiver stored it
(status "1"), 1 when it refused, 2 when no answer came. The password is read from the
environment (`OSS_PUSH_PASSWORD`) when not given, to keep it out of shell history.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import urllib.parse

from oss.simulator.push import PushResult, post_json, push_receive_file_ds, push_receive_nib
from oss.simulator.samples import KD_DAERAH_BONTANG, sample_data_nib
from oss.simulator.server import DEFAULT_PREFIX, DEFAULT_USER_KEY, OssSimulator


def _serve(args) -> int:
    keys = args.user_key or [os.environ.get("OSS_SIM_USER_KEY", DEFAULT_USER_KEY)]
    sim = OssSimulator(
        host=args.host,
        port=args.port,
        user_keys=keys,
        prefix=args.prefix,
        strict_izin=not args.lenient,
        seed=not args.no_seed,
    ).start()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    print(
        json.dumps(
            {
                "url": sim.base_url,
                "prefix": sim.prefix,
                "nibs": sim.seeded_nibs,
                "page": sim.base_url + "/_sim/",
            }
        ),
        flush=True,
    )
    stop.wait()
    sim.stop()
    return 0


def _password(args) -> str:
    password = args.password or os.environ.get("OSS_PUSH_PASSWORD", "")
    if not password:
        print("give --password or set OSS_PUSH_PASSWORD", file=sys.stderr)
        raise SystemExit(2)
    return password


def _report(result: PushResult) -> int:
    print(
        json.dumps(
            {
                "url": result.url,
                "method": result.method,
                "http_status": result.http_status,
                "accepted": result.accepted,
                "answer": result.answer,
                "error": result.error,
            },
            ensure_ascii=False,
        ),
        flush=True,
    )
    if result.http_status is None:
        return 2
    return 0 if result.accepted else 1


def _push_nib(args) -> int:
    password = _password(args)
    if args.file:
        with open(args.file, encoding="utf-8") as handle:
            loaded = json.load(handle)
        data_nib = loaded.get("dataNIB", loaded) if isinstance(loaded, dict) else loaded
    else:
        data_nib = sample_data_nib(
            nib=args.nib,
            kd_daerah=args.kd_daerah,
            kd_izin=tuple(args.kd_izin) if args.kd_izin else ("024000000201", "033000000101"),
            files_base_url=args.simulator or "",
            tipe_dokumen=args.tipe_dokumen,
        )
    if args.simulator:
        status, body, error = post_json(
            urllib.parse.urljoin(args.simulator, "/_sim/nib"),
            json.dumps({"dataNIB": data_nib}).encode(),
            {"Content-Type": "application/json"},
        )
        if status != 200:
            print(
                f"the simulator did not register the NIB: {status} {error} {body[:200]!r}",
                file=sys.stderr,
            )
    result = push_receive_nib(
        args.url, data_nib, username=args.username, password=password, timeout=args.timeout
    )
    return _report(result)


def _push_file_ds(args) -> int:
    result = push_receive_file_ds(
        args.url,
        id_izin=args.id_izin,
        nib=args.nib,
        file_izin=args.file_izin,
        username=args.username,
        password=_password(args),
        timeout=args.timeout,
    )
    return _report(result)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m oss.simulator", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the simulated OSS")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8089)
    serve.add_argument("--user-key", action="append", help="an accepted user_key (repeatable)")
    serve.add_argument("--prefix", default=DEFAULT_PREFIX, help="path of the methods")
    serve.add_argument("--lenient", action="store_true", help="take statuses for unknown id_izin")
    serve.add_argument("--no-seed", action="store_true", help="start with an empty NIB registry")
    serve.set_defaults(run=_serve)

    for name, run in (("push-nib", _push_nib), ("push-file-ds", _push_file_ds)):
        push = commands.add_parser(
            name, help=f"push {'receiveNIB' if name == 'push-nib' else 'receiveFileDS'}"
        )
        push.add_argument("--url", required=True, help="the regional system's endpoint")
        push.add_argument("--username", required=True)
        push.add_argument("--password", help="default: $OSS_PUSH_PASSWORD")
        push.add_argument("--nib")
        push.add_argument("--timeout", type=float, default=10.0)
        push.set_defaults(run=run)
        if name == "push-nib":
            push.add_argument("--kd-daerah", default=KD_DAERAH_BONTANG)
            push.add_argument("--kd-izin", action="append", help="a checklist kd_izin (repeatable)")
            push.add_argument("--tipe-dokumen", default="9", choices=("9", "5", "3", "4"))
            push.add_argument("--file", help="a JSON file holding the dataNIB to push")
            push.add_argument("--simulator", help="a running simulator's URL (registry and files)")
        else:
            push.add_argument("--id-izin", required=True)
            push.add_argument("--file-izin", required=True, help="URL of the signed permit file")

    args = parser.parse_args(argv)
    if args.command == "push-file-ds" and not args.nib:
        parser.error("push-file-ds needs --nib")
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
