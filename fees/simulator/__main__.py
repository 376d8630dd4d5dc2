"""The bank simulator from the command line.

    python -m fees.simulator serve --port 8765 --target http://127.0.0.1:8000/api/h2h/v1 \\
        [--bank BANKKALTIMTARA:<secret> …] [--tz Asia/Makassar] [--fault wrong_amount]
    python -m fees.simulator inquiry --target URL [--bank ID:SECRET] BILLING_CODE
    python -m fees.simulator pay --target URL [--bank ID:SECRET] BILLING_CODE [--amount N]
    python -m fees.simulator settlement --simulator http://127.0.0.1:8765 [--date YYYY-MM-DD]

Without --bank the published demo banks are used (fees.simulator.DEMO_BANKS): local only.
"""

import argparse
import json
import sys
import time
import urllib.request
from urllib.parse import urlencode

from fees.simulator.server import DEMO_BANKS, FAULTS, BankSimulator


def _banks(values: list[str] | None) -> dict[str, str]:
    if not values:
        return dict(DEMO_BANKS)
    banks = {}
    for value in values:
        bank_id, sep, secret = value.partition(":")
        if not sep or not bank_id or not secret:
            raise SystemExit(f"--bank takes ID:SECRET, not {value!r}")
        banks[bank_id] = secret
    return banks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m fees.simulator", description=__doc__.split("\n\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the bank: teller page, settlement, faults")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--target", required=True, help="base URL of the H2H API")
    serve.add_argument("--bank", action="append", help="ID:SECRET, repeatable")
    serve.add_argument("--tz", default="Asia/Jakarta", help="the bank's time zone")
    serve.add_argument("--fault", choices=sorted(FAULTS), help="misbehave on every payment")

    for name in ("inquiry", "pay"):
        command = commands.add_parser(name, help=f"one signed {name} call")
        command.add_argument("--target", required=True)
        command.add_argument("--bank", help="ID:SECRET (default: the first demo bank)")
        command.add_argument("--tz", default="Asia/Jakarta")
        command.add_argument("billing_code")
        if name == "pay":
            command.add_argument("--amount", type=int, help="default: the inquiry's amount")
            command.add_argument("--fault", choices=sorted(FAULTS))

    settlement = commands.add_parser("settlement", help="fetch a running simulator's CSV")
    settlement.add_argument("--simulator", required=True, help="e.g. http://127.0.0.1:8765")
    settlement.add_argument("--date", help="YYYY-MM-DD (default: the bank's today)")

    args = parser.parse_args(argv)
    if args.command == "serve":
        sim = BankSimulator(
            target=args.target,
            banks=_banks(args.bank),
            timezone=args.tz,
            host=args.host,
            port=args.port,
        )
        if args.fault:
            sim.set_fault(args.fault, times=None)
        sim.start()
        print(
            f"Bank simulator on {sim.url} → {args.target} (banks: {', '.join(sim.banks)})",
            flush=True,
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            sim.stop()
        return 0
    if args.command in {"inquiry", "pay"}:
        sim = BankSimulator(
            target=args.target, banks=_banks([args.bank] if args.bank else None), timezone=args.tz
        )
        if args.command == "inquiry":
            reply = sim.inquiry(args.billing_code)
            print(json.dumps({"status": reply.status, **reply.body}, ensure_ascii=False, indent=2))
            return 0 if reply.code == "00" else 1
        if args.fault:
            sim.set_fault(args.fault)
        t = sim.pay(args.billing_code, amount=args.amount)
        print(json.dumps(t.as_dict(), ensure_ascii=False, indent=2))
        return 0 if t.status == "PAID" else 1
    query = f"?{urlencode({'date': args.date})}" if args.date else ""
    url = f"{args.simulator.rstrip('/')}/settlement.csv{query}"
    if not url.startswith(("http://", "https://")):
        raise SystemExit("--simulator must be an http(s) URL")
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - checked scheme above
        sys.stdout.write(answer.read().decode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
