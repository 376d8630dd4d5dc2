"""Every test here is a fault test (`-m faults`): real servers, production timeouts, slow. They
run in their own step after the main suite (scripts/run_tests.py, `make test-faults`)."""

import pytest


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/tests/faults/" in str(item.fspath):
            item.add_marker(pytest.mark.faults)
