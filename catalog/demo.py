"""The demo catalog for `manage.py seed_demo`: six real permit types in each demo region, with
requirement lists, steps and SLAs from /work/shared/CATALOG-FACTS.md.

Read it as data: each permit type is a `DemoPermitType` with named fields, its documents
`DemoRequirement`s, its form `DemoField`s and its route `DemoRouteStep`s. `seed()` writes them
(idempotent: update or create by code and key) and publishes each type's version.
"""

from dataclasses import dataclass

from agencies.models import Agency, Region
from catalog.models import FormField, PermitType, Requirement, RouteStep
from catalog.services import permit_type_publish

ALL = ("pdf", "jpeg", "png")
PDF = ("pdf",)
IMG = ("jpeg", "png")


@dataclass(frozen=True)
class DemoRequirement:
    """A document the applicant uploads (persyaratan)."""

    code: str
    name_id: str
    name_en: str
    required: bool = True
    kinds: tuple[str, ...] = PDF
    max_kb: int = 5120


@dataclass(frozen=True)
class DemoField:
    """A field of the permit type's own form; `kind` is a FormField.Kind value."""

    key: str
    label_id: str
    label_en: str
    kind: str = "text"
    unit: str = ""
    choices: tuple[str, ...] = ()
    required: bool = True


@dataclass(frozen=True)
class DemoRouteStep:
    """An OPD (by its code in the region) that recommends, with its review budget; its stage
    (the agencies of one stage in parallel, stages one after the other) and whether the head
    approves the officer's recommendation (issue 18)."""

    agency: str
    review_days: int
    stage: int = 1
    head_approval: bool = False
    head_approval_days: int = 1


@dataclass(frozen=True)
class DemoPermitType:
    """A permit type with its SOP; `validity_months` None means valid without end."""

    code: str
    name_id: str
    name_en: str
    description_id: str
    description_en: str
    legal_basis: str
    steps: tuple[str, ...]
    intake_days: int
    issuance_days: int
    number_format: str
    requires_nib: bool
    validity_months: int | None
    route: tuple[DemoRouteStep, ...]
    requirements: tuple[DemoRequirement, ...]
    fields: tuple[DemoField, ...] = ()
    fee_amount: int = 0
    fee_note: str = ""
    # The levy: the tariff's code and the route's agency that assesses it (issue 17).
    tariff_code: str = ""
    assessing_agency: str = ""
    # Legal deadlines (issue 18): the sectoral ones where the SOP's own budget is longer than
    # UU 30/2014 art. 53's 5 working days (empty: that default).
    legal_review_days: int | None = None
    legal_issuance_days: int | None = None
    legal_deadline_basis: str = ""


APOTEK_REQS = (
    DemoRequirement(
        code="surat_permohonan",
        name_id="Surat permohonan",
        name_en="Application letter",
        max_kb=2048,
    ),
    DemoRequirement(
        code="perjanjian_apoteker",
        name_id="Perjanjian kerja sama dengan apoteker (akta notaris)",
        name_en="Notarised agreement with the pharmacist",
        required=False,
    ),
    DemoRequirement(
        code="sppl", name_id="SPPL", name_en="Environmental management statement (SPPL)"
    ),
    DemoRequirement(
        code="komitmen_sipnap",
        name_id="Pernyataan komitmen registrasi SIPNAP",
        name_en="SIPNAP registration commitment",
        max_kb=2048,
    ),
    DemoRequirement(
        code="geotag_lokasi",
        name_id="Geotag dan informasi lokasi (bukan di dalam rumah sakit)",
        name_en="Geotag and location information (not inside a hospital)",
        kinds=ALL,
    ),
    DemoRequirement(
        code="denah",
        name_id="Denah bangunan dengan ukuran ruang",
        name_en="Floor plan with room sizes",
        kinds=ALL,
    ),
    DemoRequirement(
        code="daftar_sarpras",
        name_id="Daftar sarana, prasarana dan peralatan",
        name_en="List of facilities and equipment",
    ),
    DemoRequirement(
        code="foto_papan_nama",
        name_id="Foto papan nama apotek dan papan praktik apoteker",
        name_en="Photo of the pharmacy sign and the pharmacist's sign",
        kinds=IMG,
    ),
    DemoRequirement(
        code="struktur_organisasi",
        name_id="Struktur organisasi SDM",
        name_en="Staff organisation chart",
        max_kb=2048,
    ),
    DemoRequirement(
        code="ktp_stra_sipa",
        name_id="KTP, STRA dan SIPA apoteker penanggung jawab",
        name_en="ID card, STRA and SIPA of the responsible pharmacist",
    ),
    DemoRequirement(
        code="bukti_pbb",
        name_id="Bukti bayar PBB tahun berjalan",
        name_en="Current-year land tax receipt",
        kinds=ALL,
        max_kb=2048,
    ),
)

SIP_REQS = (
    DemoRequirement(
        code="surat_permohonan",
        name_id="Surat permohonan",
        name_en="Application letter",
        max_kb=2048,
    ),
    DemoRequirement(
        code="ktp", name_id="KTP", name_en="Identity card (KTP)", kinds=ALL, max_kb=2048
    ),
    DemoRequirement(
        code="str",
        name_id="STR (Surat Tanda Registrasi)",
        name_en="Registration certificate (STR)",
        max_kb=2048,
    ),
    DemoRequirement(
        code="keterangan_tempat_praktik",
        name_id="Surat keterangan tempat praktik dari pimpinan fasyankes",
        name_en="Statement of the practice location from the head of the facility",
        max_kb=2048,
    ),
    DemoRequirement(
        code="pas_foto",
        name_id="Pas foto 4x6",
        name_en="Passport photo 4x6",
        kinds=IMG,
        max_kb=1024,
    ),
    DemoRequirement(
        code="persetujuan_atasan",
        name_id="Persetujuan atasan (ASN atau pegawai tetap)",
        name_en="Approval of the superior (civil servants and permanent staff)",
        required=False,
        max_kb=2048,
    ),
    DemoRequirement(
        code="sip_sebelumnya",
        name_id="SIP 1 / SIP 2 (untuk SIP ke-2 atau ke-3)",
        name_en="Earlier SIPs",
        required=False,
        max_kb=2048,
    ),
)

PBG_REQS = (
    DemoRequirement(
        code="data_pemohon",
        name_id="Data pemohon (KTP/KITAS; akta dan NIB untuk badan usaha)",
        name_en="Applicant data",
    ),
    DemoRequirement(
        code="bukti_hak_tanah",
        name_id="Bukti hak atas tanah atau perjanjian pemanfaatan tanah",
        name_en="Proof of land rights or land-use agreement",
        max_kb=10240,
    ),
    DemoRequirement(code="kkpr", name_id="KKPR", name_en="Spatial-use conformity (KKPR)"),
    DemoRequirement(
        code="dokumen_lingkungan",
        name_id="Dokumen lingkungan (SPPL/UKL-UPL/AMDAL)",
        name_en="Environmental document (SPPL/UKL-UPL/AMDAL)",
        required=False,
        max_kb=10240,
    ),
    DemoRequirement(
        code="rencana_teknis",
        name_id="Dokumen rencana teknis: site plan, denah, tampak, potongan, struktur, MEP",
        name_en="Technical design: site plan, floor plans, elevations, sections, structure, MEP",
        max_kb=20480,
    ),
    DemoRequirement(
        code="data_perencana",
        name_id="Data perencana / arsitek berlisensi",
        name_en="Licensed architect's data",
    ),
    DemoRequirement(
        code="pbb_tidak_sengketa",
        name_id="PBB tahun berjalan dan pernyataan tidak sengketa",
        name_en="Current land tax and statement of no dispute",
    ),
)

KLINIK_REQS = (
    DemoRequirement(
        code="permohonan_ktp_akta",
        name_id="Permohonan, KTP dan akta badan hukum",
        name_en="Application, ID card and deed",
    ),
    DemoRequirement(
        code="bukti_tanah",
        name_id="Bukti tanah atau sewa minimal 5 tahun",
        name_en="Land title or lease of 5 years or more",
    ),
    DemoRequirement(code="pbg", name_id="PBG/IMB", name_en="Building approval (PBG/IMB)"),
    DemoRequirement(
        code="dokumen_lingkungan",
        name_id="SPPL atau UKL-UPL",
        name_en="SPPL or UKL-UPL",
        max_kb=10240,
    ),
    DemoRequirement(
        code="kontrak_limbah_b3",
        name_id="Kontrak pengelolaan limbah medis B3",
        name_en="Medical waste (B3) contract",
    ),
    DemoRequirement(
        code="profil_klinik",
        name_id="Profil klinik: lokasi, ruang, sarpras, tenaga, alat",
        name_en="Clinic profile",
        max_kb=10240,
    ),
    DemoRequirement(
        code="sip_penanggung_jawab",
        name_id="SIP dokter penanggung jawab dan tenaga kesehatan",
        name_en="SIPs of the doctor in charge and staff",
    ),
    DemoRequirement(
        code="kalibrasi_alkes",
        name_id="Sertifikat kalibrasi alat kesehatan",
        name_en="Calibration of medical equipment",
        required=False,
    ),
    DemoRequirement(
        code="pernyataan_pj",
        name_id="Surat pernyataan penanggung jawab",
        name_en="Statement of the person in charge",
        max_kb=2048,
    ),
)

REKLAME_REQS = (
    DemoRequirement(
        code="formulir", name_id="Formulir permohonan", name_en="Application form", max_kb=2048
    ),
    DemoRequirement(
        code="ktp_kuasa",
        name_id="KTP (dan surat kuasa bila dikuasakan)",
        name_en="ID card (and power of attorney)",
        kinds=ALL,
        max_kb=2048,
    ),
    DemoRequirement(
        code="pernyataan_konstruksi",
        name_id="Pernyataan tanggung jawab konstruksi",
        name_en="Construction responsibility statement",
        max_kb=2048,
    ),
    DemoRequirement(
        code="persetujuan_pemilik",
        name_id="Persetujuan pemilik lahan/bangunan",
        name_en="Consent of the land or building owner",
        max_kb=2048,
    ),
    DemoRequirement(
        code="foto_desain",
        name_id="Foto eksisting dan desain reklame",
        name_en="Site photo and sign design",
        kinds=ALL,
    ),
    DemoRequirement(
        code="titik_koordinat",
        name_id="Denah/titik koordinat",
        name_en="Location sketch and coordinates",
        kinds=ALL,
    ),
    DemoRequirement(
        code="perhitungan_konstruksi",
        name_id="Perhitungan konstruksi dan PBG (reklame besar)",
        name_en="Structural calculation and PBG (large signs)",
        required=False,
        max_kb=10240,
    ),
)

IUTS_REQS = (
    DemoRequirement(
        code="ktp_npwp_akta",
        name_id="KTP, NPWP, akta pendirian dan pengesahannya",
        name_en="ID card, tax number, deed and its approval",
    ),
    DemoRequirement(code="pbg", name_id="PBG/IMB", name_en="Building approval (PBG/IMB)"),
    DemoRequirement(
        code="kkpr", name_id="KKPR / izin lokasi", name_en="Spatial-use conformity (KKPR)"
    ),
    DemoRequirement(
        code="dokumen_lingkungan",
        name_id="SPPL atau UKL-UPL dari DLH",
        name_en="SPPL or UKL-UPL approved by DLH",
        max_kb=10240,
    ),
    DemoRequirement(
        code="analisa_sosek",
        name_id="Analisa sosial-ekonomi (tidak untuk minimarket)",
        name_en="Socio-economic analysis (not for minimarkets)",
        required=False,
        max_kb=10240,
    ),
    DemoRequirement(
        code="rencana_kemitraan",
        name_id="Rencana kemitraan dengan UMKM/IKM",
        name_en="Partnership plan with small businesses",
    ),
    DemoRequirement(
        code="sk_kelurahan",
        name_id="Surat keterangan kelurahan/desa",
        name_en="Statement of the kelurahan",
        kinds=ALL,
        max_kb=2048,
    ),
    DemoRequirement(
        code="perjanjian_sewa",
        name_id="Perjanjian sewa atau IUPP pusat perbelanjaan",
        name_en="Lease, or the mall's IUPP",
        required=False,
    ),
)

TYPES = (
    DemoPermitType(
        code="SIA",
        name_id="Izin Apotek (Surat Izin Apotek)",
        name_en="Pharmacy permit (SIA)",
        description_id="Izin untuk menyelenggarakan apotek, dengan rekomendasi teknis Dinas Kesehatan setelah visitasi.",
        description_en="Permit to run a pharmacy, with the Health Office's technical recommendation after a site visit.",
        legal_basis="UU 17/2023 tentang Kesehatan; PP 28/2025; Permenkes 14/2021; Permenkes 9/2017 tentang Apotek",
        steps=(
            "Pemohon mengajukan berkas secara daring.",
            "DPMPTSP memeriksa kelengkapan berkas.",
            "DPMPTSP meminta kajian teknis Dinas Kesehatan.",
            "Dinas Kesehatan melakukan visitasi dan menyusun BAP (paling lama 6 hari kerja).",
            "Pemohon melengkapi kekurangan bila ada.",
            "Dinas Kesehatan menerbitkan rekomendasi.",
            "DPMPTSP menerbitkan izin (paling lama 3 hari kerja).",
        ),
        intake_days=1,
        issuance_days=3,
        validity_months=60,
        number_format="500.16.7.2/{seq:04d}/{code}/DPMPTSP/{year}",
        requires_nib=True,
        route=(DemoRouteStep("DINKES", review_days=6),),
        legal_review_days=6,
        legal_issuance_days=3,
        legal_deadline_basis="PP 28/2025; Permenkes 14/2021 (standar apotek; nilai demo)",
        requirements=APOTEK_REQS,
        fields=(
            DemoField(
                key="nama_apoteker",
                label_id="Nama apoteker penanggung jawab",
                label_en="Responsible pharmacist",
                kind="text",
            ),
            DemoField(key="nomor_sipa", label_id="Nomor SIPA", label_en="SIPA number", kind="text"),
            DemoField(
                key="luas_ruang",
                label_id="Luas ruang apotek",
                label_en="Pharmacy floor area",
                kind="decimal",
                unit="m²",
            ),
            DemoField(
                key="jenis_pemohon",
                label_id="Jenis pemohon",
                label_en="Applicant type",
                kind="choice",
                choices=(
                    "Perorangan",
                    "Badan usaha",
                ),
            ),
        ),
    ),
    DemoPermitType(
        code="SIP-DU",
        name_id="Surat Izin Praktik Dokter",
        name_en="Medical practice licence (SIP Dokter)",
        description_id="Izin praktik dokter di satu tempat praktik (paling banyak tiga tempat).",
        description_en="Licence for a doctor to practise at one place (at most three places).",
        legal_basis="UU 17/2023 tentang Kesehatan; PP 28/2024",
        steps=(
            "Pemohon mendaftar dan mengunggah berkas.",
            "Front office DPMPTSP memeriksa berkas.",
            "DPMPTSP meminta rekomendasi teknis Dinas Kesehatan.",
            "Dinas Kesehatan memverifikasi dan mengunggah rekomendasi.",
            "DPMPTSP menetapkan nomor izin.",
            "Izin ditandatangani secara elektronik (TTE) dan dikirim kepada pemohon.",
        ),
        intake_days=1,
        issuance_days=1,
        validity_months=60,
        number_format="503/{seq:04d}/{code}/DPM-PTSP/{roman_month}/{year}",
        requires_nib=False,
        route=(DemoRouteStep("DINKES", review_days=3),),
        requirements=SIP_REQS,
        fields=(
            DemoField(key="nomor_str", label_id="Nomor STR", label_en="STR number", kind="text"),
            DemoField(
                key="sip_ke",
                label_id="SIP ke-",
                label_en="SIP number (1st, 2nd or 3rd)",
                kind="choice",
                choices=(
                    "1",
                    "2",
                    "3",
                ),
            ),
            DemoField(
                key="nama_fasyankes",
                label_id="Nama fasilitas pelayanan kesehatan",
                label_en="Health facility",
                kind="text",
            ),
            DemoField(
                key="jadwal_praktik",
                label_id="Jadwal praktik",
                label_en="Practice hours",
                kind="text",
                required=False,
            ),
        ),
    ),
    DemoPermitType(
        code="PBG",
        name_id="Persetujuan Bangunan Gedung (PBG)",
        name_en="Building approval (PBG)",
        description_id="Persetujuan untuk membangun, mengubah atau merawat bangunan gedung sesuai standar teknis.",
        description_en="Approval to build, alter or maintain a building according to technical standards.",
        legal_basis="UU 28/2002 jo. UU 6/2023; PP 16/2021; UU 1/2022; Perda retribusi PBG",
        steps=(
            "Pemohon mengunggah berkas dan rencana teknis.",
            "Sekretariat Dinas PUPR memeriksa kelengkapan.",
            "Konsultasi dengan TPA/TPT, diakhiri berita acara.",
            "Dinas PUPR menerbitkan Surat Pernyataan Pemenuhan Standar Teknis dan menghitung retribusi.",
            "SKRD diterbitkan dan pemohon membayar retribusi.",
            "DPMPTSP memeriksa pembayaran dan menerbitkan PBG.",
        ),
        intake_days=1,
        issuance_days=1,
        fee_note="Retribusi PBG sesuai Perda PDRD; dibebaskan untuk MBR (SKB 3 Menteri).",
        validity_months=None,
        number_format="500.16.7.2/{seq:04d}/{code}/DPMPTSP/{roman_month}/{year}",
        requires_nib=False,
        route=(DemoRouteStep("PUPR", review_days=28),),
        legal_review_days=28,
        legal_issuance_days=2,
        legal_deadline_basis="PP 16/2021 Pasal 253: penilaian teknis PBG paling lama 28 hari kerja (nilai demo)",
        tariff_code="PBG",
        assessing_agency="PUPR",
        requirements=PBG_REQS,
        fields=(
            DemoField(
                key="fungsi_bangunan",
                label_id="Fungsi bangunan",
                label_en="Building function",
                kind="choice",
                choices=(
                    "Hunian",
                    "Usaha",
                    "Sosial budaya",
                    "Keagamaan",
                    "Khusus",
                ),
            ),
            DemoField(
                key="luas_bangunan",
                label_id="Luas bangunan",
                label_en="Building area",
                kind="decimal",
                unit="m²",
            ),
            DemoField(
                key="jumlah_lantai",
                label_id="Jumlah lantai",
                label_en="Number of floors",
                kind="integer",
            ),
            DemoField(
                key="luas_tanah",
                label_id="Luas tanah",
                label_en="Land area",
                kind="decimal",
                unit="m²",
            ),
            DemoField(
                key="rencana_mulai",
                label_id="Rencana mulai membangun",
                label_en="Planned start of construction",
                kind="date",
                required=False,
            ),
        ),
    ),
    DemoPermitType(
        code="IOK",
        name_id="Izin Operasional Klinik",
        name_en="Clinic operating permit",
        description_id="Izin operasional klinik pratama atau utama; Dinas Lingkungan Hidup menilai lebih dahulu, kemudian Dinas Kesehatan.",
        description_en="Operating permit of a primary or main clinic; the Environment Office reviews first, then the Health Office.",
        legal_basis="UU 17/2023; PP 28/2024; Permenkes 14/2021; Permenkes 9/2014 tentang Klinik; UU 32/2009 jo. UU 6/2023; PP 22/2021",
        steps=(
            "Pemohon mengajukan berkas ke DPMPTSP.",
            "DPMPTSP memverifikasi berkas.",
            "DLH menilai dokumen lingkungan dan pengelolaan limbah B3.",
            "Dinas Kesehatan melakukan visitasi dan menyusun BAP.",
            "Dinas Kesehatan menerbitkan rekomendasi.",
            "DPMPTSP menerbitkan izin.",
        ),
        intake_days=1,
        issuance_days=2,
        validity_months=60,
        number_format="503/{seq:04d}/{code}/DPM-PTSP/{roman_month}/{year}",
        requires_nib=True,
        # Two stages (issue 18): DLH's environmental approval first, then the Health Office,
        # whose head approves the officer's recommendation.
        route=(
            DemoRouteStep("DLH", review_days=5, stage=1),
            DemoRouteStep(
                "DINKES", review_days=7, stage=2, head_approval=True, head_approval_days=2
            ),
        ),
        # The legal review period covers both stages and the head's approval (5 + 7 + 2).
        legal_review_days=14,
        legal_issuance_days=2,
        legal_deadline_basis="PP 28/2025; Permenkes 14/2021 (standar klinik; nilai demo)",
        requirements=KLINIK_REQS,
        fields=(
            DemoField(
                key="jenis_klinik",
                label_id="Jenis klinik",
                label_en="Clinic type",
                kind="choice",
                choices=(
                    "Pratama",
                    "Utama",
                ),
            ),
            DemoField(
                key="rawat_inap",
                label_id="Menyediakan rawat inap",
                label_en="Provides inpatient care",
                kind="boolean",
            ),
            DemoField(
                key="jumlah_tempat_tidur",
                label_id="Jumlah tempat tidur",
                label_en="Number of beds",
                kind="integer",
                required=False,
            ),
            DemoField(
                key="dokter_pj",
                label_id="Dokter penanggung jawab",
                label_en="Doctor in charge",
                kind="text",
            ),
        ),
    ),
    DemoPermitType(
        code="REKLAME",
        name_id="Izin Penyelenggaraan Reklame",
        name_en="Billboard permit",
        description_id="Izin reklame permanen; Dinas PUPR menilai konstruksi dan titik, Bapenda memeriksa pajak reklame.",
        description_en="Permit for a permanent sign; Public Works checks the structure and location, the revenue agency the advertising tax.",
        legal_basis="UU 1/2022 (pajak reklame); Perda penyelenggaraan reklame; Permen PU 20/PRT/M/2010",
        steps=(
            "Pemohon mengajukan berkas secara daring.",
            "Bapenda memeriksa status pajak pemohon.",
            "Tim teknis meninjau lokasi.",
            "Pemohon membayar pajak reklame dan jaminan bongkar.",
            "DPMPTSP menerbitkan izin.",
        ),
        intake_days=1,
        issuance_days=1,
        fee_note="Izin gratis; pajak reklame dan jaminan bongkar dibayar terpisah.",
        validity_months=12,
        number_format="503/{seq:04d}/{code}/DPM-PTSP/{roman_month}/{year}",
        requires_nib=True,
        route=(
            DemoRouteStep("PUPR", review_days=3),
            DemoRouteStep("BAPENDA", review_days=3),
        ),
        requirements=REKLAME_REQS,
        fields=(
            DemoField(
                key="jenis_reklame",
                label_id="Jenis reklame",
                label_en="Sign type",
                kind="choice",
                choices=(
                    "Papan/billboard",
                    "Videotron",
                    "Neon box",
                    "Baliho",
                ),
            ),
            DemoField(
                key="ukuran_reklame",
                label_id="Ukuran bidang reklame",
                label_en="Sign area",
                kind="decimal",
                unit="m²",
            ),
            DemoField(
                key="jumlah_sisi",
                label_id="Jumlah sisi",
                label_en="Number of faces",
                kind="integer",
            ),
            DemoField(
                key="naskah_reklame", label_id="Naskah reklame", label_en="Sign text", kind="text"
            ),
        ),
    ),
    DemoPermitType(
        code="IUTS",
        name_id="Izin Usaha Toko Swalayan",
        name_en="Supermarket business permit (IUTS)",
        description_id="Izin usaha toko swalayan atau minimarket, dengan rekomendasi Dinas Perdagangan.",
        description_en="Business permit of a supermarket or minimarket, with the Trade Office's recommendation.",
        legal_basis="UU 7/2014; PP 29/2021; Permendag 23/2021 jo. 18/2022; PP 28/2025; Perda toko swalayan",
        steps=(
            "Pemohon mengajukan berkas.",
            "DPMPTSP memverifikasi berkas.",
            "DPMPTSP meminta rekomendasi Dinas Perdagangan.",
            "Dinas Perdagangan meninjau lokasi dan menyusun BAP.",
            "Rekomendasi diterbitkan.",
            "DPMPTSP menerbitkan izin.",
        ),
        intake_days=1,
        issuance_days=1,
        validity_months=None,
        number_format="500.16.7.2/{seq:04d}/{code}/DPMPTSP/{year}",
        requires_nib=True,
        route=(DemoRouteStep("DISDAG", review_days=5),),
        legal_review_days=5,
        legal_issuance_days=1,
        legal_deadline_basis="PP 28/2025 (standar pelayanan sektor perdagangan; nilai demo)",
        requirements=IUTS_REQS,
        fields=(
            DemoField(
                key="format_toko",
                label_id="Format toko",
                label_en="Store format",
                kind="choice",
                choices=(
                    "Minimarket",
                    "Supermarket",
                    "Hypermarket",
                    "Department store",
                ),
            ),
            DemoField(
                key="luas_lantai_jual",
                label_id="Luas lantai penjualan",
                label_en="Sales floor area",
                kind="decimal",
                unit="m²",
            ),
            DemoField(
                key="jarak_pasar_rakyat",
                label_id="Jarak ke pasar rakyat terdekat",
                label_en="Distance to the nearest traditional market",
                kind="decimal",
                unit="m",
            ),
            DemoField(
                key="jaringan_waralaba",
                label_id="Bagian dari jaringan/waralaba",
                label_en="Part of a chain or franchise",
                kind="boolean",
            ),
        ),
    ),
)


def seed_region(region: Region) -> list[PermitType]:
    agencies = {a.code: a for a in Agency.objects.filter(region=region)}
    made = []
    for spec in TYPES:
        permit_type, _ = PermitType.objects.update_or_create(
            region=region,
            code=spec.code,
            defaults={
                "name_id": spec.name_id,
                "name_en": spec.name_en,
                "description_id": spec.description_id,
                "description_en": spec.description_en,
                "legal_basis": spec.legal_basis,
                "steps": "\n".join(spec.steps),
                "intake_days": spec.intake_days,
                "issuance_days": spec.issuance_days,
                "fee_amount": spec.fee_amount,
                "fee_note": spec.fee_note,
                "validity_months": spec.validity_months,
                "number_format": spec.number_format,
                "requires_nib": spec.requires_nib,
                "tariff_code": spec.tariff_code,
                "assessing_agency": agencies.get(spec.assessing_agency),
                "legal_review_days": spec.legal_review_days,
                "legal_issuance_days": spec.legal_issuance_days,
                "legal_deadline_basis": spec.legal_deadline_basis,
                "is_active": True,
            },
        )
        for order, step in enumerate(spec.route):
            RouteStep.objects.update_or_create(
                permit_type=permit_type,
                agency=agencies[step.agency],
                defaults={
                    "review_days": step.review_days,
                    "order": order,
                    "stage": step.stage,
                    "head_approval": step.head_approval,
                    "head_approval_days": step.head_approval_days,
                },
            )
        for order, req in enumerate(spec.requirements):
            Requirement.objects.update_or_create(
                permit_type=permit_type,
                code=req.code,
                defaults={
                    "name_id": req.name_id,
                    "name_en": req.name_en,
                    "is_required": req.required,
                    "accepted_kinds": list(req.kinds),
                    "max_size_kb": req.max_kb,
                    "order": order,
                },
            )
        for order, f in enumerate(spec.fields):
            FormField.objects.update_or_create(
                permit_type=permit_type,
                key=f.key,
                defaults={
                    "label_id": f.label_id,
                    "label_en": f.label_en,
                    "kind": f.kind,
                    "unit": f.unit,
                    "choices": list(f.choices),
                    "is_required": f.required,
                    "order": order,
                },
            )
        permit_type_publish(permit_type=permit_type)
        made.append(permit_type)
    return made


def seed() -> None:
    for region in Region.objects.filter(code__in=["BTG", "PLG"]).order_by("code"):
        seed_region(region)
