"""`python -m bsre.simulator serve --port 8791`: the BSrE simulator on a local port.

Registers the demo signers (`--signer NIK:PASSPHRASE:NAME`, repeatable; by default one demo
signer per state: active, expired, revoked), prints the URL, the client account, the CA's PEM
path and each one-time code it "sends", and serves until Ctrl-C. `--ca PATH` issues under an
existing CA (the development CA, SIGNING_CA_PATH with its key beside it) instead of its own.
"""

import argparse
import logging
import os
import sys
import time
from pathlib import Path

DEMO_SIGNERS = [
    ("6474010101800001", "demo-bsre-2026", "Kepala DPMPTSP Kota Bontang (simulasi BSrE)", "active"),
    ("6474010101800002", "demo-bsre-2026", "Penandatangan Kedaluwarsa (simulasi)", "expired"),
    ("6474010101800003", "demo-bsre-2026", "Penandatangan Dicabut (simulasi)", "revoked"),
]


def main(argv=None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptsp.settings")
    import django

    django.setup()
    from bsre.simulator.server import BsreSimulator, load_ca

    parser = argparse.ArgumentParser(prog="python -m bsre.simulator")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the simulator until interrupted")
    serve.add_argument("--port", type=int, default=8791)
    serve.add_argument("--ca", help="PEM of the CA to issue under (its key beside it, .key)")
    serve.add_argument("--ca-out", help="write the simulator CA's certificate (PEM) here")
    serve.add_argument(
        "--ca-keep",
        help="the simulator's own CA, kept across runs: loaded from this PEM (key beside it, "
        ".key) or, the first time, made and written there (make run: permits signed in an "
        "earlier run still chain to the same root)",
    )
    serve.add_argument(
        "--signer",
        action="append",
        default=[],
        metavar="NIK:PASSPHRASE:NAME[:STATE]",
        help="a signer to register (STATE: active, expired, revoked, no_certificate)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    ca = load_ca(args.ca) if args.ca else None
    if args.ca_keep:
        ca = _kept_ca(Path(args.ca_keep))
    simulator = BsreSimulator(ca=ca, port=args.port)
    signers = [tuple([*s.split(":"), "active"][:4]) for s in args.signer] or DEMO_SIGNERS
    for nik, passphrase, name, state in signers:
        simulator.register(nik, passphrase=passphrase, name=name, status=state)
    if args.ca_out:
        Path(args.ca_out).write_bytes(simulator.ca_pem())
    simulator.start()
    print(f"BSrE simulator on {simulator.url}  (client {simulator.username}:{simulator.password})")
    print(
        f"  OCSP {simulator.url}/ocsp, CRL {simulator.url}/crl, CA: {simulator.ca_cert.subject.rfc4514_string()}"
    )
    for nik, _passphrase, name, state in signers:
        print(f"  signer {nik} ({state}): {name}")
    sys.stdout.flush()
    seen: dict[str, str] = {}
    try:
        while True:
            time.sleep(0.5)
            for identity, (code, _expiry) in list(simulator._totps.items()):
                if seen.get(identity) != code:
                    seen[identity] = code
                    print(f"  one-time code for {identity}: {code}", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        simulator.stop()
    return 0


def _kept_ca(path: Path):
    # Inside, as in main(): these modules need Django, which main() sets up first.
    from bsre.simulator.server import CA_NAME, CA_ORGANIZATION, load_ca
    from permits.management.commands.make_dev_signing_cert import make_ca, write_ca

    if path.is_file() and path.with_suffix(".key").is_file():
        return load_ca(path)
    key, cert = make_ca(CA_NAME, organization=CA_ORGANIZATION)
    write_ca(path, key, cert)
    return key, cert


if __name__ == "__main__":
    sys.exit(main())
