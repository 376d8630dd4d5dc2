"""The demo's OSS push end to end over real HTTP: the simulator (a real server) pushes
`receiveNIB` to a live portal (`manage.py oss_demo_push`, as `make run` does), the worker's
job fetches the requirement files from the simulator, and the demo applicant finds the two
pre-filled drafts with OSS's files. A second run pushes nothing."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from oss.models import Business, InboundPush, RequirementFile
from oss.simulator import OssSimulator
from tests.oss.inbound import connect_btg


@pytest.mark.django_db(transaction=True)
def test_the_simulator_pushes_to_the_live_portal_and_the_applicant_sees_the_drafts(
    demo, live_server, monkeypatch, run_outbox, login, capsys
):
    with OssSimulator(seed=False) as sim:
        connect_btg(sim, monkeypatch)
        call_command("oss_demo_push", site_url=live_server.url)
        assert "pushed NIB" in capsys.readouterr().out
        assert InboundPush.objects.get().outcome == "stored"
        assert len(sim.pushes()) == 0  # pushed by the command's helper, not sim.push_nib
        run_outbox()
        files = RequirementFile.objects.all()
        assert files.count() == 4
        assert {f.state for f in files} <= {"attached", "unmapped"}
        assert files.filter(state="attached").count() >= 3
        assert len(sim.requests("file")) == files.filter(state="attached").count()

        call_command("oss_demo_push", site_url=live_server.url)
        assert "nothing pushed" in capsys.readouterr().out
        assert Business.objects.count() == 1

    business = Business.objects.get()
    client = login("budi.santoso@example.id")
    page = client.get(reverse("applications:my_applications")).content.decode()
    drafts = business.applicant.applications.filter(nib=business.nib)
    assert drafts.count() == 2
    for draft in drafts:
        assert reverse("applications:detail", args=[draft.pk]) in page or (
            reverse("applications:edit", args=[draft.pk]) in page
        )
        edit = client.get(reverse("applications:edit", args=[draft.pk])).content.decode()
        assert business.nib in edit and "PT Apotek Sehat Bontang" in edit
