"""A local CA posing as BSrE, for the tests and the demo (see `bsre.simulator.server`)."""

from bsre.simulator.server import (
    ACTIVE,
    EXPIRED,
    NO_CERTIFICATE,
    REVOKED,
    BsreSimulator,
    RegisteredSigner,
)

__all__ = ["ACTIVE", "EXPIRED", "NO_CERTIFICATE", "REVOKED", "BsreSimulator", "RegisteredSigner"]
