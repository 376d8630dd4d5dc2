"""Demo regions, agencies and staff for `manage.py seed_demo`. Idempotent: run it twice, get
the same rows once."""

import functools
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from accounts.models import ApplicantProfile, User
from agencies.models import Agency, Membership, Region, RegionHoliday, Role

DEMO_PASSWORD = "demo-ptsp-2026"  # noqa: S105 - a published demo password, local only


@functools.cache
def _demo_password_hash() -> str:
    """One hash for every demo account (they share a published password): hashing it ~35
    times at the production work factor was most of a first `make run`."""
    return make_password(DEMO_PASSWORD)


@dataclass(frozen=True)
class DemoRegion:
    code: str
    name: str
    province: str
    timezone: str
    letterhead: str
    opds: tuple[tuple[str, str], ...]
    address: str = ""
    helpdesk_phone: str = ""
    helpdesk_whatsapp: str = ""
    helpdesk_email: str = ""


REGIONS = [
    DemoRegion(
        code="BTG",
        name="Kota Bontang",
        province="Kalimantan Timur",
        timezone="Asia/Makassar",
        letterhead=(
            "PEMERINTAH KOTA BONTANG\n"
            "DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU\n"
            "Jl. Moh. Roem No. 1, Bontang Lestari, Kota Bontang, Kalimantan Timur 75311"
        ),
        opds=(
            ("DINKES", "Dinas Kesehatan"),
            ("PUPR", "Dinas Pekerjaan Umum dan Penataan Ruang"),
            ("DISDAG", "Dinas Perdagangan"),
            ("DLH", "Dinas Lingkungan Hidup"),
            ("BAPENDA", "Badan Pendapatan Daerah"),
        ),
        address="Jl. Moh. Roem No. 1, Bontang Lestari, Kota Bontang 75311",
        helpdesk_phone="(0548) 5551234",
        helpdesk_whatsapp="6281250001234",
        helpdesk_email="dpmptsp@bontangkota.go.id",
    ),
    DemoRegion(
        code="PLG",
        name="Kota Palembang",
        province="Sumatera Selatan",
        timezone="Asia/Jakarta",
        letterhead=(
            "PEMERINTAH KOTA PALEMBANG\n"
            "DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU\n"
            "Jl. Merdeka No. 1, Kota Palembang, Sumatera Selatan 30131"
        ),
        opds=(
            ("DINKES", "Dinas Kesehatan"),
            ("PUPR", "Dinas Pekerjaan Umum dan Penataan Ruang"),
            ("DISDAG", "Dinas Perdagangan"),
            ("DLH", "Dinas Lingkungan Hidup"),
            ("BAPENDA", "Badan Pengelola Pajak Daerah"),
        ),
        address="Jl. Merdeka No. 1, Kota Palembang 30131",
        helpdesk_phone="(0711) 5554321",
        helpdesk_whatsapp="6281370004321",
        helpdesk_email="dpmptsp@palembang.go.id",
    ),
]

REGION_ADMIN_GROUP = "Admin Wilayah"
REGION_ADMIN_MODELS = [
    ("agencies", "agency"),
    ("agencies", "membership"),
    ("agencies", "regionholiday"),
    ("agencies", "powergrant"),
    ("agencies", "powergrantlog"),
    ("accounts", "user"),
    ("catalog", "permittype"),
    ("catalog", "requirement"),
    ("catalog", "formfield"),
    ("catalog", "routestep"),
    ("fees", "tariff"),
    ("fees", "tariffversion"),
    ("fees", "levypolicy"),
]

APPLICANTS = [
    ("budi.santoso@example.id", "Budi Santoso", "6474011203850001", "081254001122"),
    ("siti.rahma@example.id", "Siti Rahmawati", "1671024507900002", "081377889900"),
    ("andi.wijaya@example.id", "Andi Wijaya", "6474031708880003", "082155443322"),
]


# People's names for the demo's OPD heads and officers (head, officer), so that a header reads
# as a person and their agency, never "Petugas Petugas DINKES".
DEMO_OPD_PEOPLE = {
    "DINKES": ("dr. Maria Ulfa, M.Kes.", "dr. Rina Wulandari"),
    "PUPR": ("Ir. Bambang Sutrisno, M.T.", "Dewi Lestari, S.T."),
    "DISDAG": ("Drs. Joko Purnomo", "Siti Aminah, S.E."),
    "DLH": ("Ir. Hartono, M.Si.", "Andi Saputra, S.Si."),
    "BAPENDA": ("Hj. Nurhayati, S.E., M.M.", "Rudi Hermawan, S.E."),
}


def _user(email: str, full_name: str, **extra) -> tuple[User, bool]:
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": full_name, **extra}
    )
    if created:
        user.password = _demo_password_hash()
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["password", "email_confirmed_at"])
    return user, created


def _member(user: User, agency: Agency, role: str) -> None:
    Membership.objects.get_or_create(user=user, agency=agency, role=role)


def region_admin_group() -> Group:
    group, _ = Group.objects.get_or_create(name=REGION_ADMIN_GROUP)
    perms = Permission.objects.filter(
        content_type__app_label__in={a for a, _ in REGION_ADMIN_MODELS},
        content_type__model__in={m for _, m in REGION_ADMIN_MODELS},
    )
    group.permissions.set(perms)
    return group


def seed_regions() -> list[tuple[str, str, str]]:
    """Make the demo regions, their agencies, staff and applicants. Returns (role, email, region)
    rows for the logins table."""
    logins: list[tuple[str, str, str]] = []
    admin, _created = _user(
        "admin@ptsp.local", "Administrator Platform", is_staff=True, is_superuser=True
    )
    logins.append(("platform admin (all regions)", admin.email, "—"))
    group = region_admin_group()

    for spec in REGIONS:
        region, _ = Region.objects.update_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "province": spec.province,
                "timezone": spec.timezone,
                "letterhead_text": spec.letterhead,
                "address": spec.address,
                "helpdesk_phone": spec.helpdesk_phone,
                "helpdesk_whatsapp": spec.helpdesk_whatsapp,
                "helpdesk_email": spec.helpdesk_email,
            },
        )
        dpmptsp, _ = Agency.objects.get_or_create(
            region=region,
            code="DPMPTSP",
            defaults={"name": "Dinas Penanaman Modal dan PTSP", "kind": Agency.Kind.DPMPTSP},
        )
        opds = {}
        for code, name in spec.opds:
            opds[code], _ = Agency.objects.get_or_create(
                region=region, code=code, defaults={"name": name, "kind": Agency.Kind.OPD}
            )
        slug = spec.code.lower()
        city = spec.name.replace("Kota ", "")
        staff = [
            (
                Role.VERIFIER,
                dpmptsp,
                f"verifikator.{slug}@ptsp.local",
                f"Rina Verifikator {city}",
                {},
            ),
            (
                Role.SIGNER,
                dpmptsp,
                f"kepala.{slug}@ptsp.local",
                f"Dr. Hendra Kusuma {city}, S.E., M.M.",
                {"position": f"Kepala DPMPTSP {spec.name}", "nip": "197805122005011003"},
            ),
            (
                Role.TREASURER,
                dpmptsp,
                f"bendahara.{slug}@ptsp.local",
                f"Sri Wahyuni Bendahara {city}",
                {},
            ),
            (
                Role.MONITOR,
                dpmptsp,
                f"monitor.{slug}@ptsp.local",
                f"Yusuf Monitor {city}",
                {"is_staff": True},
            ),
        ]
        for code in ("DINKES", "PUPR", "DISDAG", "DLH", "BAPENDA"):
            lower = code.lower()
            head_name, officer_name = DEMO_OPD_PEOPLE[code]
            staff.append(
                (
                    Role.HEAD,
                    opds[code],
                    f"kepala.{lower}.{slug}@ptsp.local",
                    f"{head_name} ({city})",
                    {},
                )
            )
            staff.append(
                (
                    Role.OFFICER,
                    opds[code],
                    f"petugas.{lower}.{slug}@ptsp.local",
                    f"{officer_name} ({city})",
                    {},
                )
            )
        staff.append(
            (
                Role.OFFICER,
                opds["PUPR"],
                f"petugas2.pupr.{slug}@ptsp.local",
                f"Agus Prasetyo, S.T. ({city})",
                {},
            )
        )
        for role, agency, email, name, extra in staff:
            user, _ = _user(email, name, **extra)
            _member(user, agency, role)
            if role == Role.MONITOR:
                user.groups.add(group)
            logins.append((f"{Role(role).label} — {agency.code}", email, spec.code))

        RegionHoliday.objects.get_or_create(
            region=region,
            date=_anniversary(spec.code),
            defaults={"name": f"Hari Jadi {spec.name}", "kind": RegionHoliday.Kind.DAY_OFF},
        )

    for email, name, nik, phone in APPLICANTS:
        user, _ = _user(email, name)
        ApplicantProfile.objects.get_or_create(user=user, defaults={"nik": nik, "phone": phone})
        logins.append(("applicant", email, "—"))
    return logins


def _anniversary(code: str):
    from datetime import date

    # Hari jadi: Bontang 12 October, Palembang 17 June (2026 dates).
    return date(2026, 10, 12) if code == "BTG" else date(2026, 6, 17)
