"""The demo's BSrE configuration (`seed_demo`, `make run`): Kota Bontang (BTG) signs with the BSrE
simulator that `make run` starts on 127.0.0.1:`BSRE_SIM_PORT` (8791), and the demo's BTG signer
(kepala.btg@ptsp.local) is the simulator's active demo signer, NIK 6474010101800001
(passphrase `demo-bsre-2026`, `bsre.simulator.__main__.DEMO_SIGNERS`).

The configuration is enabled only when `BSRE_SIM_PORT` is set (by `scripts/run_local.py`, which
starts the simulator): a `seed_demo` without the simulator (the test session, a bare
`manage.py seed_demo`) leaves the row disabled, so BTG signs with its local certificate. The
client account's password is named by `BSRE_BTG_PASSWORD`, set by `make run` to the simulator's
development value; nothing secret is stored. Safe to run twice: a row changed in the admin is
kept, except the demo simulator's port and the enabled flag, which follow this run.
"""

import os

from accounts.models import User
from agencies.models import Region
from bsre.models import BsreSignerAccount, RegionBsreConfig

DEMO_SIGNER = "kepala.btg@ptsp.local"
DEMO_NIK = "6474010101800001"
DEMO_USERNAME = "esign"  # the simulator's client account (bsre.simulator.server)
PASSWORD_ENV = "BSRE_BTG_PASSWORD"  # noqa: S105 - the name of a variable


def seed() -> None:
    region = Region.objects.filter(code="BTG").first()
    if region is None:
        return
    port = os.environ.get("BSRE_SIM_PORT", "")
    url = f"http://127.0.0.1:{port or 8791}"
    config, created = RegionBsreConfig.objects.get_or_create(
        region=region,
        defaults={
            "enabled": bool(port),
            "mode": RegionBsreConfig.Mode.V2,
            "base_url": url,
            "username": DEMO_USERNAME,
            "password_env": PASSWORD_ENV,
            "connect_timeout": 2.0,
            "read_timeout": 20.0,
        },
    )
    if not created and config.base_url.startswith("http://127.0.0.1:"):
        config.base_url = url
        config.enabled = bool(port)
        config.save(update_fields=["base_url", "enabled", "updated_at"])
    signer = User.objects.filter(email=DEMO_SIGNER).first()
    if signer is not None:
        BsreSignerAccount.objects.get_or_create(
            user=signer, defaults={"region": region, "nik": DEMO_NIK}
        )
