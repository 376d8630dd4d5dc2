"""OSS outbound for a levied PBG (issues 16 and 17): the payment codes 30, 31 and 33 with
`data_pnbp` from the levy (fees), 45 when every OPD recommended and the file waits for payment,
and the permit's `IZINFINAL.data_teknis` from the approved figures — against the simulator (a
real HTTP server that checks every message against the guide's fields and lengths)."""

from decimal import Decimal

import pytest

from agencies.models import Region
from applications.models import Application
from applications.services.reviews import review_decide
from fees.cases import assessment_inputs_from
from oss.mapping import data_teknis_fields, pnbp_fields
from oss.models import ChecklistItem, OssDelivery, RegionConnection
from oss.simulator import OssSimulator
from outbox.testing import run_pending
from tests.journeys import (
    applicant,
    assess,
    demo_type,
    draft,
    pay_levy,
    route,
    submit,
)
from tests.oss.test_deliveries import KEY_ENV, _issue

pytestmark = pytest.mark.django_db
PBG_KD_IZIN = "033000000101"  # the simulator's demo code for a PBG (oss/simulator/samples.py)


@pytest.fixture
def sim():
    with OssSimulator() as simulator:
        yield simulator


@pytest.fixture
def connected(demo, sim, monkeypatch):
    """Kota Bontang connected to the simulator (as tests/oss/test_deliveries.py)."""
    monkeypatch.setenv(KEY_ENV, sim.user_key)
    RegionConnection.objects.update_or_create(
        region=Region.objects.get(code="BTG"),
        defaults={
            "enabled": True,
            "kd_daerah": "6474000000",
            "base_url": sim.base_url,
            "path_template": sim.prefix + "/{method}",
            "user_key_env": KEY_ENV,
            "connect_timeout": 1.0,
            "read_timeout": 2.0,
        },
    )


def _pbg_from_oss(sim, **form):
    """A PBG draft that came from OSS (the simulator's first business, its PBG checklist item),
    with the building figures `form`."""
    nib = sim.seeded_nibs[0]
    business = sim.state.nibs[nib]
    entry = next(e for e in business["data_checklist"] if e["kd_izin"] == PBG_KD_IZIN)
    application = draft(demo_type("BTG", "PBG"), applicant(), business={"nib": nib})
    # the building figures the applicant declares (the demo's sample values replaced)
    Application.objects.filter(pk=application.pk).update(
        form_data={**application.form_data, **form}
    )
    application.refresh_from_db()
    item = ChecklistItem.objects.create(
        region=application.region,
        id_izin=entry["id_izin"],
        kd_izin=entry["kd_izin"],
        nib=nib,
        oss_id=business["oss_id"],
        id_proyek=entry.get("id_proyek") or "",
        application=application,
    )
    return application, item


def _recommend_all(application):
    for review in application.reviews.select_related("assignee"):
        review_decide(
            review_id=review.pk,
            actor=review.assignee,
            decision="recommend",
            reasons="Persyaratan teknis terpenuhi; hasil peninjauan lapangan sesuai.",
        )
    run_pending()
    application.refresh_from_db()
    return application


def _statuses(sim, item):
    return sim.izin(item.id_izin).statuses


def test_a_levied_pbg_reports_30_45_31_33_with_data_pnbp_and_its_data_teknis(
    connected, sim, signing_cert
):
    application, item = _pbg_from_oss(sim, luas_bangunan="312.50", jumlah_lantai="3")
    submit(application)
    run_pending()
    route(application, run_pending)
    assessment = assess(application)
    application = _recommend_all(application)
    assert application.status == "awaiting_payment"
    bill = application.bills.first()
    application = pay_levy(application)
    assert application.status == "recommended"
    permit = _issue(application)

    assert sim.statuses(item.id_izin) == ["09", "10", "12", "30", "45", "31", "33", "50"]
    by_code = {s["kd_status"]: s for s in _statuses(sim, item)}
    # 30: the levy being set — the assessed amount and the account code, no bill yet
    assessed = by_code["30"]["data_pnbp"]
    assert assessed["nominal"] == int(assessment.total) and assessed["kd_billing"] == ""
    assert assessed["kd_akun"] == bill.lines[0]["account_code"] != ""
    # 31: the SKRD put to the business; 33: paid — billing code, dates, amount of the bill
    for code in ("31", "33"):
        pnbp = by_code[code]["data_pnbp"]
        assert pnbp["kd_billing"] == bill.billing_code
        assert pnbp["tgl_billing"] == bill.issued_on.isoformat()
        assert pnbp["tgl_expire"] == bill.due_date.isoformat()
        assert pnbp["nominal"] == int(bill.total)
        assert pnbp["kd_akun"] == bill.lines[0]["account_code"]
    # the bank's post is the system's: the office is named, not a person
    assert by_code["33"]["nama_status"].startswith("PTSP Online")
    # other statuses carry no data_pnbp
    assert "data_pnbp" not in by_code["45"] and "data_pnbp" not in by_code["50"]

    final = sim.accepted("receiveLicense")[-1].inner
    assert final["nomor_izin"] == permit.number
    assert final["data_teknis"]["luas_bangunan_disetujui"] == "312.5"
    assert final["data_teknis"]["jumlah_lantai_disetujui"] == "3"
    assert final["data_teknis"]["tinggi_bangunan_disetujui"] == ""
    assert set(
        OssDelivery.objects.filter(application=application).values_list("status", flat=True)
    ) == {OssDelivery.Status.SENT}


def test_a_corrected_assessment_is_one_30_and_its_figures_are_the_approved_ones(
    connected, sim, signing_cert
):
    """The assessing officer corrects the declared area and floors: OSS hears 30 once, and the
    permit's data_teknis carries the corrected (approved) figures, not the applicant's."""
    application, item = _pbg_from_oss(sim, luas_bangunan="150", jumlah_lantai="2")
    submit(application)
    run_pending()
    route(application, run_pending)
    assess(application)
    corrected = {**assessment_inputs_from(application), "floor_area_m2": "180.25", "floors": "3"}
    assess(application, inputs=corrected, reason="Hasil ukur lapangan: luas 180,25 m², 3 lantai.")
    application = pay_levy(_recommend_all(application))
    _issue(application)

    codes = sim.statuses(item.id_izin)
    assert codes.count("30") == 1
    assert codes == ["09", "10", "12", "30", "45", "31", "33", "50"]
    final = sim.accepted("receiveLicense")[-1].inner
    assert final["data_teknis"]["luas_bangunan_disetujui"] == "180.25"
    assert final["data_teknis"]["jumlah_lantai_disetujui"] == "3"
    # the amount OSS is told at 31 is the corrected bill's
    pnbp = {s["kd_status"]: s for s in _statuses(sim, item)}["31"]["data_pnbp"]
    assert pnbp["nominal"] == int(application.bills.first().total)


def test_a_figure_that_breaks_the_guide_is_shown_to_the_operator_and_nothing_is_sent(
    connected, sim, signing_cert
):
    """`jumlah_lantai_disetujui` is String(2) in the guide: a 100-floor building cannot be told
    as it is. The permit is issued as always; its receiveLicense is refused before sending,
    with the reason for an operator."""
    application, _item = _pbg_from_oss(sim, luas_bangunan="9000", jumlah_lantai="3")
    submit(application)
    run_pending()
    route(application, run_pending)
    corrected = {**assessment_inputs_from(application), "floors": "100"}
    assess(application, inputs=corrected, reason="Koreksi jumlah lantai.")
    application = pay_levy(_recommend_all(application))
    permit = _issue(application)
    assert permit.status == "valid"
    licence = OssDelivery.objects.get(application=application, method="receiveLicense")
    assert licence.status == OssDelivery.Status.FAILED_PERMANENT
    assert "jumlah_lantai_disetujui" in licence.last_keterangan
    assert not sim.accepted("receiveLicense")


def test_the_mapping_functions_on_their_own():
    # Not a building: no data_teknis.
    assert data_teknis_fields({"jenis_usaha": "Toko"}, None) is None
    assert data_teknis_fields({}, {"kind": "fixed", "inputs": {}}) is None
    # The form's figures as OSS's text (a dot, no trailing zeros; a decimal comma read).
    assert data_teknis_fields({"luas_bangunan": "120,50", "jumlah_lantai": 2}, None) == {
        "luas_bangunan_disetujui": "120.5",
        "jumlah_lantai_disetujui": "2",
    }
    # A PBG levy's inputs win over the form.
    levy = {"kind": "pbg", "inputs": {"floor_area_m2": "99.000", "floors": 1}}
    assert data_teknis_fields({"luas_bangunan": "120"}, levy)["luas_bangunan_disetujui"] == "99"
    # data_pnbp only for the payment events and only when a levy is known.
    assert pnbp_fields("recommend", {"kind": "pbg"}) is None
    assert pnbp_fields("skrd_issued", None) is None
    assert pnbp_fields("levy_assessed", {"total": Decimal("150000"), "account_code": "4.1"}) == {
        "kd_akun": "4.1",
        "nominal": Decimal("150000"),
    }
