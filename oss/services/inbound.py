"""Storing what OSS pushes (`receiveNIB`, `receiveFileDS`) and turning its checklist into drafts.

Who calls it: the inbound views (`oss.views.inbound`) after the `Token` check and the payload's
validation; tests. Nothing here reads HTTP or answers OSS: the functions take the parsed push
(`oss.protocol.inbound.ReceiveNIB`) and the region's `RegionConnection`, and raise `PushRefused`
(a stable code, a reason without personal data) when the push must be refused with nothing
stored. Logging is the view's (method, NIB, outcome, code).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ApplicantProfile, User
from accounts.services import applicant_register
from accounts.validators import validate_nik, validate_phone
from agencies.models import Membership
from applications.services.filing import application_create_draft, application_update_draft
from oss.codes import TipeDokumen
from oss.models import (
    Business,
    ChecklistIntake,
    ChecklistItem,
    PermitMapping,
    Project,
    RegionConnection,
    RequirementFile,
    ResponsiblePerson,
    SignedPermitFile,
)
from oss.protocol.inbound import ReceiveFileDS, ReceiveNIB, checklist_item, parse_receive_nib
from oss.services.files import (
    enqueue_fetch,
    file_url_refusal,
    oss_origins,
    requirement_code_for,
)
from oss.services.inquiry import no_nib_inquiry
from ptsp.errors import DomainError, NotAllowed

logger = logging.getLogger("oss.inbound")

#: Document types in the order OSS makes them for one NIB (a later rank wins on the same day).
_RANK = {TipeDokumen.ORIGINAL: "0", TipeDokumen.UPDATE: "1"}


class PushRefused(Exception):
    """A push refused with nothing stored: `code` is stable and safe to log, `reason` is the
    answer's `keterangan` (field paths and codes, never a person's data)."""

    def __init__(self, code: str, reason: str, http_status: int = 400, *, recorded: str = ""):
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.http_status = http_status
        # What the record and the log keep when `reason` may quote a value OSS sent (the
        # guide's checks quote a bad date or code: a birth date is personal data).
        self.recorded = recorded or reason


@dataclass(frozen=True)
class NibStored:
    """What a stored `receiveNIB` did: the business row, our checklist items, new drafts."""

    business_id: int
    items: int
    drafts: int
    waiting: int


# --- the region ----------------------------------------------------------------------------------
def connection_for(kd_daerah: str) -> RegionConnection:
    """The enabled connection of `kd_daerah` (the code in our URL), or PushRefused.

    A region without a connection, or with it switched off, refuses every push (fail closed)."""
    connection = (
        RegionConnection.objects.select_related("region").filter(kd_daerah=kd_daerah).first()
    )
    if connection is None or not connection.enabled or not connection.region.is_active:
        raise PushRefused(
            "region_disabled",
            "Daerah ini tidak menerima data OSS (integrasi tidak aktif)",
            http_status=404,
        )
    return connection


# --- receiveNIB ----------------------------------------------------------------------------------
def _version(push: ReceiveNIB) -> str:
    changed = push.tgl_perubahan_nib or push.tgl_terbit_nib or date.min
    return f"{changed.isoformat()}:{_RANK.get(push.tipe_dokumen, '2')}"


def _check_file_urls(push: ReceiveNIB, kd_daerah: str) -> None:
    origins = oss_origins()
    for index, item in enumerate(push.checklist):
        if item.kd_daerah != kd_daerah:
            continue
        for number, syarat in enumerate(item.persyaratan):
            if not syarat.file_dokumen:
                continue
            refusal = file_url_refusal(syarat.file_dokumen, origins)
            if refusal:
                raise PushRefused(
                    "file_url_refused",
                    f"dataNIB.data_checklist[{index}].data_persyaratan[{number}].file_dokumen: "
                    f"{refusal}",
                )


def _store_people_and_projects(business: Business, push: ReceiveNIB) -> None:
    business.responsible_persons.all().delete()
    ResponsiblePerson.objects.bulk_create(
        ResponsiblePerson(
            business=business,
            name=person.nama[:255],
            position=person.jabatan[:255],
            id_type=person.jns_identitas[:5],
            nik=person.no_identitas[:50],
            npwp=person.npwp[:20],
            email=person.email[:255],
            phone=(person.no_hp or person.no_telp)[:30],
        )
        for person in push.penanggung_jwb
    )
    business.projects.all().delete()
    projects = []
    for proyek in push.proyek:
        where = proyek.lokasi[0] if proyek.lokasi else None
        projects.append(
            Project(
                business=business,
                id_proyek=proyek.id_proyek[:50],
                kbli=proyek.kbli[:5],
                activity=(proyek.nama_kegiatan or proyek.uraian_usaha)[:500],
                risk_level=proyek.skala_resiko[:5],
                scale=proyek.skala_usaha[:5],
                land_area=proyek.luas_tanah,
                investment=proyek.jumlah_investasi,
                kd_daerah=(where.proyek_daerah_id if where else "")[:10],
                address=(where.alamat_usaha if where else "")[:500],
                coordinates=(where.koordinat[0] if where and where.koordinat else "")[:100],
            )
        )
    Project.objects.bulk_create(projects, ignore_conflicts=True)


def _business_store(connection: RegionConnection, push: ReceiveNIB) -> Business:
    """Create or update the business of the push, locked; a push older than what we hold (an
    original arriving after its update) changes nothing but may still add checklist items."""
    business, _created = Business.objects.get_or_create(
        region=connection.region,
        nib=push.nib,
        defaults={"name": push.nama_perseroan[:255]},
    )
    business = Business.objects.select_for_update(no_key=True).get(pk=business.pk)
    version = _version(push)
    if push.tipe_dokumen is TipeDokumen.REVOCATION:
        business.state = Business.State.REVOKED
    elif push.tipe_dokumen is TipeDokumen.CANCELLATION:
        business.state = Business.State.CANCELLED
    if version >= business.data_version or _created:
        business.oss_id = push.oss_id[:50]
        business.name = push.nama_perseroan[:255]
        business.npwp = push.npwp_perseroan[:20]
        business.scale = push.skala_usaha[:5]
        business.is_umk = push.flag_umk.upper() == "Y"
        business.nib_status = push.status_nib[:5]
        business.issued_on = push.tgl_terbit_nib
        business.address = push.alamat_perseroan[:500]
        business.email = push.email_perusahaan[:254] if "@" in push.email_perusahaan else ""
        business.last_tipe_dokumen = push.tipe_dokumen.value
        business.data_version = version
        business.last_push = _plain(push.raw)
        _store_people_and_projects(business, push)
    business.save()
    return business


def _plain(value):
    """The frozen `raw` of a push as plain JSON values."""
    if hasattr(value, "items"):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _contact(push: ReceiveNIB) -> tuple[str, str, str, str]:
    """(e-mail, NIK, name, phone) of the OSS user who made the push, else the first responsible
    person: whose applicant account owns the drafts."""
    user = push.user_proses
    people = push.penanggung_jwb
    email = user.email or (people[0].email if people else "")
    nik = user.no_id if user.jenis_id in ("", "01") else ""
    if not nik and people and people[0].jns_identitas in ("", "01"):
        nik = people[0].no_identitas
    name = user.nama or (people[0].nama if people else "") or push.nama_perseroan
    phone = user.hp or (people[0].no_hp if people else "")
    return email.strip().lower(), nik.strip(), name.strip(), phone.strip()


def _applicant_for(business: Business, push: ReceiveNIB) -> User | None:
    """The applicant account that owns the business's drafts: the one already linked, else an
    existing applicant with the OSS user's e-mail or NIK, else a new account invited to claim
    the files (the welcome mail of `accounts.services.applicant_register`, with a link to set
    its password). None when OSS gave nothing to make an account from (an operator decides).
    A staff account is never used as an applicant."""
    if business.applicant_id:
        return business.applicant
    email, nik, name, phone = _contact(push)
    found = None
    if email:
        found = User.objects.filter(email__iexact=email).first()
    if found is None and nik:
        profile = ApplicantProfile.objects.filter(nik=nik).select_related("user").first()
        found = profile.user if profile else None
    if found is not None:
        if found.is_staff or Membership.objects.filter(user=found).exists() or not found.is_active:
            return None
        return found
    try:
        validate_nik(nik)
    except ValidationError:
        return None
    if not email or "@" not in email or len(email) > 254:
        return None
    try:
        validate_phone(phone)
    except ValidationError:
        phone = ""
    try:
        with transaction.atomic():
            return applicant_register(
                email=email, full_name=(name or email)[:150], nik=nik, phone=phone, password=None
            )
    except IntegrityError:
        # The same person registered (or was made by a push of another NIB) a moment ago.
        return User.objects.filter(email__iexact=email, is_staff=False, is_active=True).first()


def _prefill(push: ReceiveNIB, id_proyek: str) -> dict:
    proyek = next((p for p in push.proyek if p.id_proyek == id_proyek), None)
    proyek = proyek or (push.proyek[0] if push.proyek else None)
    where = proyek.lokasi[0] if proyek and proyek.lokasi else None
    data = {
        "business_name": push.nama_perseroan[:200],
        "nib": push.nib,
        "kbli": proyek.kbli if proyek else "",
        "address": ((where.alamat_usaha if where else "") or push.alamat_perseroan)[:300],
        "kelurahan": str(push.raw.get("kelurahan_perseroan") or "")[:100],
    }
    if where and where.koordinat:
        lat, _sep, lng = where.koordinat[0].partition(",")
        data["latitude"], data["longitude"] = lat.strip(), lng.strip()
    return data


def _draft_for(item_row: ChecklistItem, applicant: User, mapping: PermitMapping, push) -> object:
    draft = application_create_draft(permit_type_id=mapping.permit_type_id, actor=applicant)
    data = _prefill(push, item_row.id_proyek)
    with no_nib_inquiry():  # the data is OSS's own: nothing to ask OSS
        try:
            application_update_draft(application_id=draft.pk, actor=applicant, data=data)
        except DomainError as error:
            # OSS's value breaks one of our checks (a KBLI of another length): the rest is kept
            # and the applicant fills the field by hand.
            bad = set(getattr(error, "details", {}) or {})
            kept = {key: value for key, value in data.items() if key not in bad}
            if kept:
                application_update_draft(application_id=draft.pk, actor=applicant, data=kept)
    return draft


def receive_nib_store(*, connection: RegionConnection, push: ReceiveNIB) -> NibStored:
    """Store a validated `receiveNIB` push for the region of `connection`.

    Who may call: the `receiveNIB` view, once the Token is checked and the payload validated.
    Changes: the region's `Business` (created by the first push of a NIB whatever its type,
    updated by a newer one, marked revoked or cancelled by tipe_dokumen 3 / 4), its responsible
    persons and projects; for each checklist item of the region's `kd_daerah`: the
    `ChecklistItem` and its `ChecklistIntake`, and for an item that asks us to act
    (`flag_checklist` Y) of a mapped `kd_izin`, a draft application of the mapped permit type
    owned by the business's applicant account, with its requirement files to fetch.
    Sends: the fetches of the requirement files (outbox, after commit); the welcome mail of a new
    applicant account. The same push twice creates nothing new. Raises `PushRefused` (nothing
    stored) for an item of ours already known under another region or a file URL outside the
    configured OSS hosts."""
    kd_daerah = connection.kd_daerah
    ours = push.checklist_for(kd_daerah)
    _check_file_urls(push, kd_daerah)
    drafts = waiting = 0
    with transaction.atomic():
        if (
            not ours
            and not Business.objects.filter(region=connection.region, nib=push.nib).exists()
        ):
            # A business we do not hold whose checklist names only other regions: sent to the
            # wrong address (another region's kd_daerah).
            raise PushRefused(
                "other_region",
                f"dataNIB.data_checklist: tidak ada izin untuk kd_daerah {kd_daerah}",
            )
        business = _business_store(connection, push)
        closed = business.state != Business.State.ACTIVE
        known = {
            row.id_izin: row
            for row in ChecklistItem.objects.select_for_update(no_key=True, of=("self",))
            .filter(id_izin__in=[item.id_izin for item in ours])
            .select_related("intake")
        }
        mappings = {
            m.kd_izin: m
            for m in PermitMapping.objects.filter(
                region=connection.region, kd_izin__in=[item.kd_izin for item in ours]
            ).select_related("permit_type")
        }
        applicant = None
        needs_applicant = not closed and any(
            item.is_commitment and item.kd_izin in mappings for item in ours
        )
        if needs_applicant:
            applicant = _applicant_for(business, push)
            if applicant is not None and business.applicant_id != applicant.pk:
                business.applicant = applicant
                business.save(update_fields=["applicant", "updated_at"])
        for index, item in enumerate(ours):
            row = known.get(item.id_izin)
            if row is not None and row.region_id != connection.region_id:
                raise PushRefused(
                    "id_izin_other_region",
                    f"dataNIB.data_checklist[{index}].id_izin: sudah terdaftar di daerah lain",
                )
            if row is None:
                row = ChecklistItem.objects.create(
                    region=connection.region,
                    id_izin=item.id_izin[:50],
                    kd_izin=item.kd_izin[:20],
                    nib=push.nib,
                    oss_id=push.oss_id[:50],
                    id_proyek=item.id_proyek[:50],
                )
            intake = getattr(row, "intake", None)
            if intake is None:
                intake = ChecklistIntake(item=row, business=business)
            intake.nama_izin = item.nama_izin[:255]
            intake.flag_checklist = item.flag_checklist[:1]
            intake.raw = _plain(push.raw["data_checklist"][_position(push, item.id_izin)])
            if row.application_id is not None:
                intake.save()
                continue  # the draft exists: the same push again, or an update of it
            if _intake(row, intake, item, mappings.get(item.kd_izin), applicant, closed, push):
                drafts += 1
            elif intake.state != ChecklistIntake.State.NOT_ACTIONABLE:
                waiting += 1
    return NibStored(business_id=business.pk, items=len(ours), drafts=drafts, waiting=waiting)


def _position(push: ReceiveNIB, id_izin: str) -> int:
    for index, item in enumerate(push.checklist):
        if item.id_izin == id_izin:
            return index
    return 0  # pragma: no cover - the item comes from the same push


def _intake(row, intake, item, mapping, applicant, closed, push) -> bool:
    """Make the draft of one checklist item, or record why not; True when a draft was made."""
    state, reason = _intake_state(item, mapping, applicant, closed)
    drafted = False
    if state is None:
        try:
            with transaction.atomic():
                draft = _draft_for(row, applicant, mapping, push)
                row.application = draft
                row.save(update_fields=["application", "updated_at"])
                _record_files(row, item, mapping, draft)
        except DomainError as error:
            state, reason = ChecklistIntake.State.FAILED, str(error.code)[:255]
        else:
            state, reason, drafted = ChecklistIntake.State.DRAFTED, "", True
    intake.state, intake.reason = state, reason
    intake.save()
    return drafted


def checklist_intake_retry(*, intake_id: int, actor) -> ChecklistIntake:
    """Try again to make the draft of a waiting checklist item (after its `kd_izin` got a
    mapping, or its permit type was published), from the item and the business as OSS last
    sent them.

    Who may call: a region admin or platform admin (the admin action; `actor` must be staff
    with change permission on permit mappings, checked by the caller's admin); the operator's
    page goes through `oss.services.operator`. Changes: the intake, and when it succeeds the
    draft and its files to fetch (like `receive_nib_store`). Raises NotAllowed for a non-staff
    actor."""
    if not getattr(actor, "is_staff", False):
        raise NotAllowed(_("You may not do this."))
    with transaction.atomic():
        intake = intake_lock(intake_id)
        if intake.item.application_id is not None or intake.state == (
            ChecklistIntake.State.DRAFTED
        ):
            return intake
        intake_process_locked(intake)
    return intake


def intake_lock(intake_id: int) -> ChecklistIntake:
    """The intake and its item, locked (inside the caller's transaction)."""
    intake = (
        ChecklistIntake.objects.select_for_update(no_key=True, of=("self",))
        .select_related("item", "business")
        .get(pk=intake_id)
    )
    intake.item = ChecklistItem.objects.select_for_update(no_key=True).get(pk=intake.item_id)
    return intake


def intake_process_locked(intake: ChecklistIntake) -> bool:
    """Make the draft of a locked, undrafted intake from the item and the business as OSS last
    sent them, or record why not; True when a draft was made. The caller holds the locks
    (`intake_lock`) and has checked the actor."""
    row = intake.item
    business = Business.objects.select_for_update(no_key=True).get(pk=intake.business_id)
    push = parse_receive_nib({"dataNIB": business.last_push})
    item = checklist_item(intake.raw)
    mapping = (
        PermitMapping.objects.filter(region_id=row.region_id, kd_izin=item.kd_izin)
        .select_related("permit_type")
        .first()
    )
    closed = business.state != Business.State.ACTIVE
    applicant = None
    if not closed and mapping is not None and item.is_commitment:
        applicant = _applicant_for(business, push)
        if applicant is not None and business.applicant_id != applicant.pk:
            business.applicant = applicant
            business.save(update_fields=["applicant", "updated_at"])
    return _intake(row, intake, item, mapping, applicant, closed, push)


def _intake_state(item, mapping, applicant, closed):
    """(state, reason) of an item that gets no draft, or (None, "") when a draft is to be made."""
    if closed:
        return ChecklistIntake.State.BUSINESS_CLOSED, "tipe_dokumen 3/4"
    if not item.is_commitment:
        return ChecklistIntake.State.NOT_ACTIONABLE, f"flag_checklist {item.flag_checklist}"
    if mapping is None:
        return ChecklistIntake.State.UNKNOWN_CODE, f"kd_izin {item.kd_izin}"
    if applicant is None:
        return ChecklistIntake.State.NO_APPLICANT, "no e-mail or NIK to make an account from"
    return None, ""


def _record_files(row: ChecklistItem, item, mapping: PermitMapping, draft) -> None:
    requirements = draft.catalog_version.snapshot.get("requirements", [])
    for syarat in item.persyaratan:
        if not syarat.file_dokumen or not syarat.id_syarat:
            continue
        code = requirement_code_for(syarat, mapping.requirement_codes, requirements)
        file_row, created = RequirementFile.objects.get_or_create(
            item=row,
            id_syarat=syarat.id_syarat[:100],
            defaults={
                "no_dokumen": syarat.no_dokumen[:255],
                "description": syarat.keterangan[:255],
                "url": syarat.file_dokumen,
                "requirement_code": code,
                "state": RequirementFile.State.PENDING if code else RequirementFile.State.UNMAPPED,
                "next_attempt_at": timezone.now(),
            },
        )
        if created and code:
            enqueue_fetch(file_row)


# --- receiveFileDS -------------------------------------------------------------------------------
def receive_file_ds_store(*, connection: RegionConnection, push: ReceiveFileDS) -> SignedPermitFile:
    """Keep the URL of OSS's signed file on the permit of `push.id_izin`.

    Who may call: the `receiveFileDS` view after the Token check and the validation. Changes:
    the permit's `SignedPermitFile` (replaced by a later push). Sends nothing. Raises
    `PushRefused` when the `id_izin` is not one of the region's issued permits or the NIB does
    not match it."""
    item = (
        ChecklistItem.objects.filter(region=connection.region, id_izin=push.id_izin)
        .select_related("application__permit")
        .first()
    )
    permit = getattr(item.application, "permit", None) if item and item.application else None
    if item is None or permit is None:
        raise PushRefused("unknown_izin", "receiveFileDS.id_izin: Data izin tidak ditemukan")
    if item.nib != push.nib:
        raise PushRefused("nib_mismatch", "receiveFileDS.nib: tidak sesuai dengan id_izin")
    with transaction.atomic():
        signed, _created = SignedPermitFile.objects.update_or_create(
            permit=permit,
            defaults={
                "id_izin": push.id_izin,
                "url": push.file_izin,
                "received_at": timezone.now(),
            },
        )
    return signed
