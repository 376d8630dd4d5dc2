"""A regional bank, simulated, for the tests and the demo: `BankSimulator` (an HTTP server
with a teller page, a settlement file and fault modes), `BankClient` (signed H2H calls).
Standard library only. `python -m fees.simulator --help` for the command line."""

from fees.simulator.client import BankClient, Reply
from fees.simulator.server import DEMO_BANKS, FAULTS, BankSimulator, Transaction
from fees.simulator.settlement import COLUMNS, SettlementRow, read_settlement, write_settlement

__all__ = [
    "COLUMNS",
    "DEMO_BANKS",
    "FAULTS",
    "BankClient",
    "BankSimulator",
    "Reply",
    "SettlementRow",
    "Transaction",
    "read_settlement",
    "write_settlement",
]
