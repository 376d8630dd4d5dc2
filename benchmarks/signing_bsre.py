"""Signing benchmark (not a test): permit-sized PDFs signed locally and through the BSrE
simulator, B-B and B-LT, next to the bare render + sign of the same documents in the same run.

    flock /tmp/ptsp-heavy.lock .venv/bin/python benchmarks/signing_bsre.py [--n 50]

Everything runs on this machine in one process: WeasyPrint renders `--n` one-page A4 permits
(PDF/A-3b, a 15-row table, like tests/bsre), a development CA with its OCSP responder and a
timestamp authority serve on local ports (tests/bsre/conftest.py `make_dev_pki`), the BSrE
simulator (`bsre.simulator`) signs with RSA-2048 keys. Per series: median and p95 per
document, and the series' total. The simulator shares the two cores with the portal's side;
real BSrE adds its network and its own time (≈ 0.9 s per `sign/pdf` in a public contract
report), which these figures do not contain.

Series (per document, the render excluded unless named):
- render: `html_to_pdf` alone;
- render + local B-B: the bare render + sign (what issuance does today);
- local B-B, local B-LT: `LocalPkcs12Signer` (B-LT: OCSP fetched for the signer and the TSA,
  DSS, document timestamp);
- BSrE v2 B-T: `BsreSigner` at B-B level (BSrE's answer as is), v2 B-LT: plus our LT step;
- BSrE hash B-LT: `BsreHashSigner` (interrupted signing, CMS from the simulator, LT step);
- local B-LT batch: `LocalPkcs12Signer.sign_many` of all documents (revocation answers fetched
  once for the batch); BSrE v2 B-LT batch: `BsreSigner.sign_many` under one one-time code (one
  `sign/pdf` request for all documents, then the LT step per file with one validation context).
  A batch's figure is its total divided by the documents.
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


def percentile(values, q):
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def setup():
    os.environ.update(
        {
            "DJANGO_ENV": "test",
            "DJANGO_SETTINGS_MODULE": "ptsp.settings",
            "PTSP_VAR_DIR": tempfile.mkdtemp(prefix="ptsp-bench-signing-"),
            "LOG_LEVEL": "WARNING",
        }
    )
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50, help="documents per series")
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    setup()

    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization

    from bsre.client import SignerIdentity
    from bsre.signers import BsreHashSigner, BsreSigner
    from bsre.simulator import BsreSimulator
    from permits.pades import validate_signed_pdf
    from permits.rendering import html_to_pdf
    from permits.signing import LocalPkcs12Signer, SigningCredential
    from tests.bsre.conftest import (
        _PERMIT_HTML,
        SIGNER_PASSPHRASE,
        client_for,
        make_dev_pki,
    )

    def html(n):
        rows = "".join(
            f"<tr><td>Data teknis {i}</td><td>Nilai {i * n}</td></tr>" for i in range(1, 16)
        )
        return _PERMIT_HTML.format(n=n, rows=rows)

    pki = make_dev_pki(Path(tempfile.mkdtemp(prefix="ptsp-bench-pki-")))
    nik, passphrase = "6474010101990001", "bench-bsre-passphrase"
    simulator = BsreSimulator().start()
    simulator.register(nik, passphrase=passphrase, name="Kepala DPMPTSP Kota Bontang")
    sim_root = asn1_x509.Certificate.load(
        simulator.ca_cert.public_bytes(serialization.Encoding.DER)
    )
    roots = [sim_root, *pki.roots]
    client = client_for(simulator, read_timeout=60)
    identity = SignerIdentity(nik=nik)
    credential = SigningCredential.passphrase(passphrase)
    meta = {"signer_name": "Dra. Siti Rahma, M.Si.", "reason": "Izin usaha", "location": "Bontang"}

    def local(level):
        return LocalPkcs12Signer(
            cert_path=str(pki.signer_p12),
            passphrase=SIGNER_PASSPHRASE,
            tsa_url=pki.tsa.url if level != "B-B" else "",
            level=level,
            trust_roots=pki.roots,
        )

    def bsre(cls, level="B-LT"):
        return cls(client, identity=identity, tsa_url=pki.tsa.url, trust_roots=roots, level=level)

    total = args.n + args.warmup
    documents = [html(n) for n in range(1, total + 1)]
    pdfs = [html_to_pdf(doc) for doc in documents]  # also warms WeasyPrint up
    local_bb, local_lt = local("B-B"), local("B-LT")
    series = {
        "render": lambda i: html_to_pdf(documents[i]),
        "render + local B-B (bare)": lambda i: local_bb.sign(html_to_pdf(documents[i]), **meta),
        "local B-B": lambda i: local_bb.sign(pdfs[i], **meta),
        "local B-LT": lambda i: local_lt.sign(pdfs[i], **meta),
        "render + local B-LT": lambda i: local_lt.sign(html_to_pdf(documents[i]), **meta),
        "BSrE v2 B-T (as BSrE answers)": lambda i: bsre(BsreSigner, "B-B").sign(
            pdfs[i], credential=credential, **meta
        ),
        "BSrE v2 B-LT": lambda i: bsre(BsreSigner).sign(pdfs[i], credential=credential, **meta),
        "BSrE hash B-LT": lambda i: bsre(BsreHashSigner).sign(
            pdfs[i], credential=credential, **meta
        ),
    }
    results = {}
    outputs = {}
    for name, run in series.items():
        times = []
        for i in range(total):
            started = time.perf_counter()
            out = run(i)
            if i >= args.warmup:
                times.append(time.perf_counter() - started)
        outputs[name] = out
        results[name] = times
        print(f"  {name}: done", flush=True)

    # A batch: the local signer's sign_many (one validation context: OCSP fetched once).
    started = time.perf_counter()
    batch = local_lt.sign_many(pdfs[args.warmup :], **meta)
    batch_total = time.perf_counter() - started
    results["local B-LT batch (sign_many)"] = [batch_total / len(batch)] * len(batch)
    outputs["local B-LT batch (sign_many)"] = batch[-1]

    # One request for the whole batch, under one one-time code.
    signer = bsre(BsreSigner)
    client.request_totp(identity)
    code = SigningCredential.totp(simulator.totp_for(nik))
    started = time.perf_counter()
    batch = signer.sign_many(pdfs[args.warmup :], credential=code, **meta)
    batch_total = time.perf_counter() - started
    results["BSrE v2 B-LT batch (1 request)"] = [batch_total / len(batch)] * len(batch)
    outputs["BSrE v2 B-LT batch (1 request)"] = batch[-1]

    for name, out in outputs.items():
        if name == "render":
            continue
        report = validate_signed_pdf(out, trust_roots=roots)
        assert report.ok, (name, report.problems)
        results[name + "|level"] = report.level

    print()
    print(f"{'series (per document)':<34} {'median ms':>10} {'p95 ms':>8} {'total s':>8}  level")
    for name in [*series, "local B-LT batch (sign_many)", "BSrE v2 B-LT batch (1 request)"]:
        ms = [t * 1000 for t in results[name]]
        level = results.get(name + "|level", "")
        print(
            f"{name:<34} {statistics.median(ms):>10.1f} {percentile(ms, 95):>8.1f} "
            f"{sum(results[name]):>8.2f}  {level}"
        )
    print(
        f"\nn = {args.n} documents per series after {args.warmup} warm-up; "
        f"OCSP answers served: dev CA {pki.authority.requests['ocsp']}, "
        f"simulator {simulator.revocation.requests['ocsp']}"
    )
    simulator.stop()
    pki.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
