"""The demo's OSS connection (`seed_demo`, `make run`): Kota Bontang (BTG) talks to the OSS
simulator that `make run` starts on 127.0.0.1:`OSS_SIM_PORT` (8089), and maps two of the
simulator's demo permit codes to its permit types (SIA and PBG).

The secrets are development values: the row names the environment variables
(`OSS_BTG_USER_KEY`, `OSS_BTG_PUSH_PASSWORD`) that `scripts/run_local.py` sets for the
simulator and the portal alike; nothing secret is stored or committed. Safe to run twice: an
existing connection or mapping (changed in the admin) is kept.
"""

import os

from agencies.models import Region
from catalog.models import PermitType
from oss.models import PermitMapping, RegionConnection
from oss.simulator.samples import KD_DAERAH_BONTANG

DEMO_SIM_PORT = int(os.environ.get("OSS_SIM_PORT", "8089"))
#: The demo applicant whose OSS business is pushed at demo time (agencies.demo).
DEMO_APPLICANT = "budi.santoso@example.id"
DEMO_PUSH_USERNAME = "ptsp-bontang-demo"
USER_KEY_ENV = "OSS_BTG_USER_KEY"
PUSH_PASSWORD_ENV = "OSS_BTG_PUSH_PASSWORD"  # noqa: S105 - the name of a variable

#: OSS permit code → (our permit type code, OSS requirement id → our requirement code).
DEMO_MAPPINGS = {
    "024000000201": ("SIA", {"S-01-002": "surat_permohonan"}),
    "033000000101": ("PBG", {"S-02-001": "rencana_teknis", "S-02-002": "data_pemohon"}),
}


def seed() -> None:
    region = Region.objects.filter(code="BTG").first()
    if region is None:
        return
    connection, created = RegionConnection.objects.get_or_create(
        region=region,
        defaults={
            "enabled": True,
            "kd_daerah": KD_DAERAH_BONTANG,
            "base_url": f"http://127.0.0.1:{DEMO_SIM_PORT}",
            "path_template": "/v1/kl/rba/{method}",
            "user_key_env": USER_KEY_ENV,
            "inbound_username": DEMO_PUSH_USERNAME,
            "inbound_password_env": PUSH_PASSWORD_ENV,
            "connect_timeout": 2.0,
            "read_timeout": 5.0,
        },
    )
    own = f"http://127.0.0.1:{DEMO_SIM_PORT}"
    if (
        not created
        and connection.base_url.startswith("http://127.0.0.1:")
        and (connection.base_url != own)
    ):
        # The demo's own simulator, started by `make run` on another port this time.
        connection.base_url = own
        connection.save(update_fields=["base_url", "updated_at"])
    for kd_izin, (type_code, requirement_codes) in DEMO_MAPPINGS.items():
        permit_type = PermitType.objects.filter(region=region, code=type_code).first()
        if permit_type is None:
            continue
        PermitMapping.objects.get_or_create(
            region=region,
            kd_izin=kd_izin,
            defaults={"permit_type": permit_type, "requirement_codes": requirement_codes},
        )
