"""The same receiveNIB pushed twice at the same moment (OSS retrying while the first is still
being stored): one business, one draft per checklist item, one applicant account."""

import threading

import pytest
from django.db import connection
from django.test import Client

from accounts.models import User
from applications.models import Application
from oss.models import Business, ChecklistItem, InboundPush
from oss.simulator import OssSimulator, sample_data_nib
from tests.oss.inbound import connect_btg, push


@pytest.mark.django_db(transaction=True)
def test_the_same_push_twice_at_once_creates_one_of_everything(demo, monkeypatch):
    with OssSimulator(seed=False) as sim:
        connect_btg(sim, monkeypatch)
        data = sample_data_nib(
            files_base_url=sim.base_url,
            kd_izin=("024000000201", "033000000101"),
            email="serentak@apoteksehat.example",
        )
        users = User.objects.count()
        barrier = threading.Barrier(3)
        answers = []

        def send():
            try:
                barrier.wait(timeout=10)
                answers.append(push(Client(), data))
            finally:
                connection.close()

        threads = [threading.Thread(target=send) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert sorted(status for status, _answer in answers) == [200, 200, 200], answers
    assert Business.objects.filter(nib=data["nib"]).count() == 1
    assert ChecklistItem.objects.filter(nib=data["nib"]).count() == 2
    assert Application.objects.filter(nib=data["nib"]).count() == 2
    assert User.objects.count() == users + 1
    assert InboundPush.objects.filter(nib=data["nib"], outcome="stored").count() == 3
