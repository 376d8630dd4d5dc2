"""The client against the simulator over real HTTP: each method's answer read into typed values,
and each way a call can go wrong classified as OSS's guide and our retry policy need it."""

import socket
import time
from datetime import UTC, datetime, timedelta

import pytest

from oss.client import OssClient, OssEndpoint, Outcome
from oss.protocol import DataTeknis, FinalLicense, LicenseStatus, ProtocolError
from oss.simulator import OssSimulator
from oss.token import OSS_TIMEZONE


def status_for(izin: dict, code: str = "09") -> LicenseStatus:
    return LicenseStatus(
        nib=izin["nib"],
        oss_id=izin["oss_id"],
        id_izin=izin["id_izin"],
        kd_izin=izin["kd_izin"],
        id_proyek=izin["id_proyek"],
        kd_status=code,
        status_at=datetime.now(tz=UTC),
        nama_status="Rudi Hartono",
        nip_status="198501012010011001",
    )


def license_for(izin: dict, sim: OssSimulator, **changes) -> FinalLicense:
    today = datetime.now(tz=OSS_TIMEZONE).date()
    values = {
        "nib": izin["nib"],
        "id_proyek": izin["id_proyek"],
        "oss_id": izin["oss_id"],
        "id_izin": izin["id_izin"],
        "kd_izin": izin["kd_izin"],
        "kd_daerah": izin["kd_daerah"],
        "nomor_izin": "503/0001/SIA/DPMPTSP",
        "tgl_terbit_izin": today,
        "tgl_berlaku_izin": today + timedelta(days=5 * 365),
        "nama_ttd": "Ir. Andi Pratama",
        "nip_ttd": "197203041998031005",
        "jabatan_ttd": "Kepala DPMPTSP Kota Bontang",
        "thn_berlaku_izin": 5,
        "file_izin": sim.file_url("denah-lokasi.pdf"),
        **changes,
    }
    return FinalLicense(**values)


# --- each method, end to end ----------------------------------------------------------------


def test_receive_license_status_is_taken_and_recorded_once(oss_client, oss_sim, known_izin):
    result = oss_client.receive_license_status(status_for(known_izin, "10"))
    assert result.ok and (result.http_status, result.kode) == (200, 200)
    assert result.keterangan == "Sukses"
    [taken] = oss_sim.accepted("receiveLicenseStatus")
    assert taken.inner["kd_status"] == "10" and taken.inner["nama_status"] == "Rudi Hartono"
    assert taken.headers["user_key"] != oss_sim.user_key  # recorded masked
    assert taken.headers["Content-Type"] == "application/json"


def test_receive_license_returns_osss_number_and_oss_fetches_the_file(
    oss_client, oss_sim, known_izin
):
    license = license_for(known_izin, oss_sim, data_teknis=DataTeknis(jumlah_lantai_disetujui="2"))
    result = oss_client.receive_license(license)
    assert result.ok and result.value.nomor_izin
    assert oss_client.receive_license(license).value.nomor_izin == result.value.nomor_izin
    record = oss_sim.izin(known_izin["id_izin"])
    assert record.license["data_teknis"]["jumlah_lantai_disetujui"] == "2"
    assert oss_sim.wait_until(
        lambda: (oss_sim.izin(known_izin["id_izin"]).file_fetch or {}).get("pending") is None
    )
    fetched = oss_sim.izin(known_izin["id_izin"]).file_fetch
    assert fetched["ok"] and fetched["pdf"] and fetched["http_status"] == 200
    assert len(fetched["sha256"]) == 64


def test_update_license_after_the_license(oss_client, oss_sim, known_izin):
    license = license_for(known_izin, oss_sim)
    refused = oss_client.update_license(license)
    assert refused.permanent and refused.keterangan == "Data izin tidak ditemukan"
    number = oss_client.receive_license(license).value.nomor_izin
    updated = oss_client.update_license(license, kewenangan="02")
    assert updated.ok and updated.value.nomor_izin == number
    assert updated.value.keterangan_reset_izin_ds == "Berhasil Reset DS"


def test_check_license_status_reads_known_and_unknown_codes(oss_client, oss_sim, known_izin):
    oss_client.receive_license_status(status_for(known_izin, "45"))
    result = oss_client.check_license_status(known_izin["id_izin"])
    assert result.ok and result.value.kd_status == "45" and result.value.status.known
    assert result.value.status.status_id == "Persyaratan terverifikasi"
    oss_sim.set_license_status(known_izin["id_izin"], "58", "Izin terbit/SS terverifikasi")
    result = oss_client.check_license_status(known_izin["id_izin"])
    assert result.ok and result.value.kd_status == "58"
    assert not result.value.status.known
    assert result.value.uraian_status == "Izin terbit/SS terverifikasi"
    assert result.value.status.label("en") == "58 (unknown code)"


@pytest.mark.parametrize(
    "root", ["responcheckLicenseStatus", "responcheckStatusLicense", "responsecheckStatusLicense"]
)
def test_check_license_status_reads_each_spelling_of_the_guides_wrapper(
    oss_client, oss_sim, known_izin, root
):
    oss_sim.set_check_status_root(root)
    oss_client.receive_license_status(status_for(known_izin, "12"))
    result = oss_client.check_license_status(known_izin["id_izin"])
    assert result.ok and result.value.kd_status == "12"


def test_an_unknown_id_izin_in_check_license_status_is_a_permanent_failure(oss_client):
    result = oss_client.check_license_status("I-209912312359590000000")
    assert result.permanent and result.kode == 400
    assert result.keterangan == "Data izin tidak ditemukan"


def test_inquery_nib_found_and_not_found(oss_client, known_izin):
    result = oss_client.inquery_nib(nib=known_izin["nib"])
    assert result.ok
    profile = result.value
    assert profile.nib == known_izin["nib"] and profile.nama_perseroan == "PT Apotek Sehat Bontang"
    assert profile.kbli == ("47726",)
    assert profile.checklist[0].id_izin == known_izin["id_izin"]
    assert oss_client.inquery_nib(npwp=known_izin["npwp"]).value.nib == known_izin["nib"]
    missing = oss_client.inquery_nib(nib="9999999999999")
    assert missing.permanent and missing.kode == 400 and missing.value is None
    assert missing.keterangan == "Data NIB tidak ditemukan"


def test_inquery_license_and_reference_tables(oss_client, known_izin):
    result = oss_client.inquery_license(known_izin["id_izin"])
    assert result.ok and result.value.kd_izin == known_izin["kd_izin"]
    files = [p.file_dokumen for p in result.value.checklist[0].persyaratan]
    assert files and all(url.endswith(".pdf") for url in files)
    references = oss_client.get_data_referensi(8)
    assert references.ok and {r.kode_referensi for r in references.value} >= {known_izin["kd_izin"]}


def test_a_payload_that_breaks_the_guide_is_never_sent(oss_client, oss_sim, known_izin):
    with pytest.raises(ProtocolError):
        oss_client.receive_license_status(status_for(known_izin, "58"))
    with pytest.raises(ProtocolError):
        oss_client.inquery_nib(nib="91201082334A7")
    assert oss_sim.requests() == []


# --- each failure, classified --------------------------------------------------------------------

FAILURES = [
    ("500", Outcome.RETRYABLE, 500, "HTTP 500: Proses Payload Data Di Sistem OSS Gagal"),
    ("504", Outcome.RETRYABLE, 504, "HTTP 504: Proses Payload Data Di Sistem OSS Timeout"),
    ("401", Outcome.PERMANENT, 401, "HTTP 401: User Akses Tidak Valid"),
    ("kode400", Outcome.PERMANENT, 200, "Data Parameter Salah (simulasi)"),
    ("garbage", Outcome.RETRYABLE, 200, "HTTP 200 with an answer we cannot read"),
    ("drop", Outcome.RETRYABLE, None, "read failed: RemoteDisconnected"),
]


@pytest.mark.parametrize(("mode", "outcome", "http_status", "keterangan"), FAILURES)
def test_each_failure_mode_is_classified(
    oss_client, oss_sim, known_izin, mode, outcome, http_status, keterangan
):
    oss_sim.fail(mode, count=1)
    result = oss_client.receive_license_status(status_for(known_izin))
    assert (result.outcome, result.http_status, result.keterangan) == (
        outcome,
        http_status,
        keterangan,
    )
    assert not oss_sim.accepted()
    assert oss_client.receive_license_status(status_for(known_izin)).ok  # the next one passes
    assert oss_sim.statuses(known_izin["id_izin"]) == ["09"]


def test_a_200_saying_kode_400_carries_osss_keterangan_for_the_operator(oss_client, known_izin):
    wrong = {**known_izin, "id_izin": "I-209912312359590000000"}
    result = oss_client.receive_license_status(status_for(wrong))
    assert result.http_status == 200 and result.permanent
    assert (result.kode, result.keterangan) == (400, "Data izin tidak ditemukan")
    assert result.answer["responreceiveLicenseStatus"]["kode"] == 400


def test_slower_than_the_read_timeout_is_retryable_and_oss_may_still_take_it(
    oss_client, oss_sim, known_izin
):
    oss_sim.fail("slow", count=1, delay=1.5)
    started = time.monotonic()
    result = oss_client.receive_license_status(status_for(known_izin))
    elapsed = time.monotonic() - started
    assert result.retryable and result.http_status is None
    assert result.keterangan == "read timeout after 0.5 s"
    assert 0.45 < elapsed < 1.4
    # like the real OSS, the simulator finishes the call after we gave up: a redelivery must be
    # idempotent on our side (phase 2), the simulator counts what it took
    assert oss_sim.wait_until(lambda: len(oss_sim.accepted("receiveLicenseStatus")) == 1, 3)


def test_a_wrong_user_key_is_permanent(oss_sim, known_izin):
    client = OssClient(oss_sim.endpoint(user_key="kunci-salah", read_timeout=1))
    result = client.receive_license_status(status_for(known_izin))
    assert result.permanent and (result.http_status, result.kode) == (401, 401)
    assert result.keterangan == "HTTP 401: User Akses Tidak Valid"


def test_a_wrong_path_layout_is_permanent(oss_sim, known_izin):
    client = OssClient(oss_sim.endpoint(path_template="/stg/v1/kl/rba/{method}", read_timeout=1))
    result = client.receive_license_status(status_for(known_izin))
    assert result.permanent and result.http_status == 404


def test_the_path_layout_is_configurable():
    with OssSimulator(prefix="/stg/v1/kl/rba") as staging:
        client = OssClient(staging.endpoint())
        assert client.endpoint.url("inqueryNIB") == f"{staging.base_url}/stg/v1/kl/rba/inqueryNIB"
        assert client.inquery_nib(nib=staging.seeded_nibs[0]).ok


def test_connection_refused_is_retryable(known_izin):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = OssClient(
        OssEndpoint(f"http://127.0.0.1:{port}", "k", connect_timeout=0.5, read_timeout=0.5)
    )
    result = client.receive_license_status(status_for(known_izin))
    assert result.retryable and result.http_status is None
    assert result.keterangan == "connection refused"


def test_oss_down_then_up(oss_sim, oss_client, known_izin):
    port = oss_sim.port
    oss_sim.stop()
    assert oss_client.receive_license_status(status_for(known_izin)).retryable
    with OssSimulator(port=port, seed=False) as back:
        back.register_nib(oss_sim.state.nibs[known_izin["nib"]])
        assert oss_client.receive_license_status(status_for(known_izin)).ok
        assert back.statuses(known_izin["id_izin"]) == ["09"]


def test_failures_for_the_next_n_calls_for_one_method_or_until_reset(
    oss_client, oss_sim, known_izin
):
    oss_sim.fail("504", count=2, methods=["receiveLicenseStatus"])
    assert oss_client.check_license_status(known_izin["id_izin"]).ok  # another method passes
    outcomes = [oss_client.receive_license_status(status_for(known_izin)).outcome for _ in range(3)]
    assert outcomes == [Outcome.RETRYABLE, Outcome.RETRYABLE, Outcome.SUCCESS]
    oss_sim.fail("500")
    assert all(
        oss_client.receive_license_status(status_for(known_izin)).retryable for _ in range(3)
    )
    oss_sim.reset_failures()
    assert oss_client.receive_license_status(status_for(known_izin)).ok
    assert oss_sim.statuses(known_izin["id_izin"]) == ["09", "09"]


def test_the_user_key_stays_out_of_reprs_and_results(oss_sim, oss_client, known_izin):
    assert oss_sim.user_key not in repr(oss_client.endpoint)
    assert oss_sim.user_key not in repr(oss_client)
    result = oss_client.receive_license_status(status_for(known_izin))
    assert oss_sim.user_key not in repr(result)


def test_an_endpoint_must_be_usable():
    with pytest.raises(ValueError):
        OssClient(OssEndpoint("api-prd.oss.go.id", "key"))
    with pytest.raises(ValueError):
        OssClient(OssEndpoint("https://api-prd.oss.go.id", ""))
    assert (
        OssEndpoint("https://api-prd.oss.go.id/", "k").url("receiveLicense")
        == "https://api-prd.oss.go.id/v1/kl/rba/receiveLicense"
    )


def test_an_answer_read_leniently_never_raises(oss_sim, oss_client, known_izin):
    # OSS holds no status yet: the check answers an empty kd_status, shown as unknown
    result = oss_client.check_license_status(known_izin["id_izin"])
    assert result.ok and result.value.kd_status == "" and not result.value.status.known
    # a business whose answer breaks the guide is still read, as far as it goes
    broken = dict(oss_sim.state.nibs[known_izin["nib"]], tgl_pengajuan_nib="2024-13-45")
    broken["nama_perseroan"] = "x" * 300
    with oss_sim.state.lock:
        oss_sim.state.nibs[known_izin["nib"]] = broken
    profile = oss_client.inquery_nib(nib=known_izin["nib"]).value
    assert profile.nib == known_izin["nib"] and profile.nama_perseroan == "x" * 300


@pytest.mark.parametrize(
    "endpoint",
    [
        OssEndpoint("https://api-prd.oss.go.id:notaport", "k"),
        OssEndpoint("https://api-prd.oss.go.id", "k", path_template="/v1/kl/rba/receiveNIB"),
    ],
)
def test_a_broken_endpoint_is_refused_when_the_client_is_made(endpoint):
    with pytest.raises(ValueError):
        OssClient(endpoint)
