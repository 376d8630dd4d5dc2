"""The OSS simulator (docs/oss.md, "The simulator"): a real HTTP server with OSS's shape.

    from oss.simulator import OssSimulator
    with OssSimulator() as sim:            # 127.0.0.1, a free port
        sim.fail("500", count=2)           # the next two calls fail
        ...
        sim.accepted("receiveLicenseStatus")

``python -m oss.simulator serve --port 8089`` runs it on its own; ``push-nib`` and ``push-file-ds``
push to a regional system.
"""

from oss.simulator.push import PushResult, push_receive_file_ds, push_receive_nib
from oss.simulator.samples import (
    DEMO_KD_IZIN,
    KD_DAERAH_BONTANG,
    KD_DAERAH_PALEMBANG,
    sample_data_nib,
    sample_pdf,
)
from oss.simulator.server import (
    DEFAULT_PREFIX,
    DEFAULT_USER_KEY,
    FAIL_MODES,
    IzinRecord,
    OssSimulator,
    RecordedRequest,
)

__all__ = [
    "DEFAULT_PREFIX",
    "DEFAULT_USER_KEY",
    "DEMO_KD_IZIN",
    "FAIL_MODES",
    "KD_DAERAH_BONTANG",
    "KD_DAERAH_PALEMBANG",
    "IzinRecord",
    "OssSimulator",
    "PushResult",
    "RecordedRequest",
    "push_receive_file_ds",
    "push_receive_nib",
    "sample_data_nib",
    "sample_pdf",
]
