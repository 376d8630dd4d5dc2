"""The rate limit of OSS's two push endpoints (issue 16): per source address and per region,
refused in the guide's shape (HTTP 429, status "2", `Retry-After`) before the body is read; a
flood of junk over the limit writes no `InboundPush` row and stores nothing."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from oss.models import Business, InboundPush
from oss.simulator import OssSimulator, sample_data_nib
from tests.oss.inbound import connect_btg, file_ds_url, nib_url, push

pytestmark = pytest.mark.django_db

JUNK = b"{not json"
LIMITED = {
    "responreceiveNIB": {"status": "2", "keterangan": "Terlalu banyak permintaan, coba lagi nanti"}
}


@pytest.fixture
def sim():
    with OssSimulator(seed=False) as simulator:
        yield simulator


@pytest.fixture
def btg(demo, sim, monkeypatch, settings):
    cache.clear()
    settings.OSS_INBOUND_RATE_WINDOW_SECONDS = 60
    settings.OSS_INBOUND_RATE_PER_ADDRESS = 3
    settings.OSS_INBOUND_RATE_PER_REGION = 5
    yield connect_btg(sim, monkeypatch)
    cache.clear()


def junk(client, address="192.0.2.10", url=None):
    response = client.post(
        url or nib_url(),
        data=JUNK,
        content_type="application/json",
        REMOTE_ADDR=address,
        HTTP_TOKEN="0" * 40,  # a token-shaped header: the junk is refused as malformed
    )
    return response.status_code, response.json(), response


def test_an_address_over_its_limit_is_refused_and_nothing_is_recorded(btg, sim, client):
    for _ in range(3):
        status, answer, _r = junk(client)
        assert status == 400 and answer["responreceiveNIB"]["status"] == "2"
    assert InboundPush.objects.count() == 3

    for _ in range(5):
        status, answer, response = junk(client)
        assert (status, answer) == (429, LIMITED)
        assert 1 <= int(response["Retry-After"]) <= 60
    assert InboundPush.objects.count() == 3  # the junk over the limit left no row

    # a real push from that address waits too, and stores nothing
    data = sample_data_nib(files_base_url=sim.base_url, kd_izin=("024000000201",))
    status, answer = push(Client(REMOTE_ADDR="192.0.2.10"), data)
    assert (status, answer) == (429, LIMITED)
    assert Business.objects.count() == 0 and InboundPush.objects.count() == 3
    # from another address it is taken
    status, answer = push(Client(REMOTE_ADDR="192.0.2.20"), data)
    assert status == 200 and Business.objects.count() == 1


def test_the_limit_is_per_address_and_the_window_ends(btg, sim, client):
    for _ in range(3):
        junk(client, "192.0.2.10")
    assert junk(client, "192.0.2.10")[0] == 429
    assert junk(client, "192.0.2.11")[0] == 400  # another source address
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert junk(client, "192.0.2.10")[0] == 400  # a new window
    assert InboundPush.objects.count() == 5


def test_a_region_over_its_limit_is_refused_whatever_the_address(btg, sim, client):
    for index in range(5):
        assert junk(client, f"198.51.100.{index}")[0] == 400
    status, answer, _r = junk(client, "198.51.100.99")
    assert (status, answer) == (429, LIMITED)
    # a real push to the region waits as well: nothing stored
    data = sample_data_nib(files_base_url=sim.base_url, kd_izin=("024000000201",))
    status, answer = push(client, data)
    assert status == 429 and answer["responreceiveNIB"]["status"] == "2"
    assert Business.objects.count() == 0
    assert InboundPush.objects.count() == 5
    # another region's address is counted on its own
    assert junk(client, "198.51.100.99", url=nib_url("1671000000"))[0] == 404


def test_receive_file_ds_shares_the_limit_and_answers_its_own_root(btg, sim, client):
    for _ in range(3):
        junk(client, url=file_ds_url())
    status, answer, _r = junk(client, url=file_ds_url())
    assert status == 429
    assert answer == {"responreceiveFileDS": LIMITED["responreceiveNIB"]}
    assert junk(client)[0] == 429  # receiveNIB from the same address
    assert InboundPush.objects.count() == 3
