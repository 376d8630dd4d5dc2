"""The authorization matrix: every named URL, requested as every kind of actor, is allowed or
refused exactly as the matrix below says, and a GET never changes the database.

The list of URLs comes from the URL configuration (tests/urlwalk.py); a URL without an entry in
MATRIX fails `test_every_url_has_a_matrix_entry`. Objects are real: a journey is built through
the services (a draft, a file waiting at intake, a file routed to two OPDs with a revision
request and an inspection).

Refused means: 302 to the login page (anonymous), 403 (wrong role) or 404 (someone else's
object, which looks the same as a missing one). Allowed means any other answer: 200, a redirect
elsewhere, or 405 for a POST-only URL requested with GET (allowed actors are only sent a GET so
that the journey is not changed; refused actors are also sent an empty POST, which must be
refused too).
"""

from dataclasses import dataclass
from datetime import timedelta
from hashlib import sha256
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.shortcuts import resolve_url
from django.test import Client
from django.utils import timezone

from accounts.models import User
from applications.models import Application, Review
from applications.services.intake import application_accept
from applications.services.reviews import inspection_schedule, review_decide
from applications.sla.legal import legal_guard
from fees.cases import proof_upload
from oss.links import permit_file_link
from permits.models import Permit, SigningBatch
from permits.services.issuance import permit_issue, rejection_letter_issue
from ptsp.urls import PUBLIC_URL_NAMES
from tests.journeys import (
    PDF,
    all_accepted,
    complete_draft,
    demo_type,
    recommend,
    recommended_application,
    route,
    submit,
    submitted_application,
)
from tests.journeys import draft as draft_of
from tests.urlwalk import named_urls

ANON = "anonymous"
OWNER = "owner"
OTHER = "other_applicant"
VERIFIER = "verifier"
OFFICER = "officer"
OFFICER_X = "officer_other_agency"
HEAD = "head"
SIGNER = "signer"
MONITOR = "monitor"
TREASURER = "treasurer"
OTHER_REGION = "staff_other_region"
ADMIN = "platform_admin"

ACTORS = {
    ANON: None,
    OWNER: "budi.santoso@example.id",
    OTHER: "siti.rahma@example.id",
    VERIFIER: "verifikator.btg@ptsp.local",
    OFFICER: None,  # the assignee of the DINKES review, decided by routing
    OFFICER_X: "petugas.pupr.btg@ptsp.local",
    HEAD: "kepala.dinkes.btg@ptsp.local",
    SIGNER: "kepala.btg@ptsp.local",
    MONITOR: "monitor.btg@ptsp.local",
    TREASURER: "bendahara.btg@ptsp.local",
    OTHER_REGION: "verifikator.plg@ptsp.local",
    ADMIN: "admin@ptsp.local",
}
EVERYONE = frozenset(ACTORS)
LOGGED_IN = EVERYONE - {ANON}
REGION_STAFF = frozenset({VERIFIER, SIGNER, MONITOR})


@dataclass(frozen=True)
class Entry:
    """Who may use a URL, and which object of the journey fills its arguments."""

    allowed: frozenset
    args: str = ""  # a key of the journey's `paths` (empty: no arguments)
    post_only: bool = False


def _e(allowed, args="", post_only=False):
    return Entry(frozenset(allowed), args, post_only)


MATRIX: dict[str, Entry] = {
    # Public pages.
    "home": _e(EVERYONE),
    "healthz": _e(EVERYONE),
    "livez": _e(EVERYONE),
    "accounts:register": _e(EVERYONE),
    "accounts:login": _e(EVERYONE),
    "accounts:logout": _e(EVERYONE, post_only=True),
    "accounts:password_reset": _e(EVERYONE),
    "accounts:password_reset_done": _e(EVERYONE),
    "accounts:password_reset_confirm": _e(EVERYONE, "reset"),
    "accounts:password_reset_complete": _e(EVERYONE),
    "accounts:language": _e(EVERYONE, post_only=True),
    "accounts:email_confirm": _e(EVERYONE, "confirm"),
    "accounts:email_confirm_resend": _e(LOGGED_IN, post_only=True),
    "catalog:catalog": _e(EVERYONE),
    "catalog:catalog_detail": _e(EVERYONE, "catalog"),
    "catalog:requirement_template": _e(EVERYONE, "template"),
    "applications:track": _e(EVERYONE),
    # Any logged-in person: their own profile, applications and notifications.
    "accounts:profile": _e(LOGGED_IN),
    "accounts:password_change": _e(LOGGED_IN),
    "applications:my_applications": _e(LOGGED_IN),
    "applications:new": _e(LOGGED_IN),
    "applications:notifications": _e(LOGGED_IN),
    "applications:notifications_read": _e(LOGGED_IN, post_only=True),
    "applications:notification_open": _e({OWNER}, "notification"),
    # The applicant's own files: the owner only (everybody else 404, anonymous to login).
    "applications:edit": _e({OWNER}, "draft"),
    "applications:delete_draft": _e({OWNER}, "draft", post_only=True),
    "applications:upload_document": _e({OWNER}, "draft_doc", post_only=True),
    "applications:remove_document": _e({OWNER}, "draft_doc", post_only=True),
    "applications:submit": _e({OWNER}, "draft", post_only=True),
    "applications:withdraw": _e({OWNER}, "routed", post_only=True),
    "applications:resubmit": _e({OWNER}, "routed", post_only=True),
    "applications:replace_document": _e({OWNER}, "routed_doc", post_only=True),
    "applications:revision": _e({OWNER}, "revision"),
    "applications:revision_upload": _e({OWNER}, "revision", post_only=True),
    # The owner and the staff who handle the file (region DPMPTSP, the routed OPDs).
    "applications:detail": _e({OWNER}, "routed"),
    "applications:download_document": _e(
        {OWNER, VERIFIER, SIGNER, MONITOR, OFFICER, HEAD}, "document"
    ),
    # Front office of the region.
    "applications:intake_queue": _e({VERIFIER, OTHER_REGION}),
    "applications:intake_check": _e({VERIFIER}, "submitted"),
    # Signer of the region.
    "applications:rejection_queue": _e({SIGNER}),
    "applications:rejection": _e({SIGNER}, "routed"),
    "permits:signing_queue": _e({SIGNER}),
    "permits:sign": _e({SIGNER}, "recommended"),
    "permits:preview": _e({SIGNER}, "recommended"),
    "permits:issuance_status": _e({SIGNER}, "issued"),
    "permits:revoke": _e({SIGNER}, "permit", post_only=True),
    # Batch signing and BSrE: the signer's own batches only (another's is 404).
    "permits:sign_batch": _e({SIGNER}, post_only=True),
    # Rejection letters waiting for a BSrE signature (docs/issuance.md, "Rejection letters").
    "permits:sign_letters": _e({SIGNER}, post_only=True),
    "permits:request_code": _e({SIGNER}, post_only=True),
    "permits:batch": _e({SIGNER}, "batch"),
    "permits:batch_status": _e({SIGNER}, "batch"),
    "bsre:status": _e({SIGNER}),
    # Issued permits and letters: the owner downloads them; the public verifies by QR token.
    "permits:my_permits": _e(LOGGED_IN),
    "permits:download": _e({OWNER}, "permit"),
    "applications:renew": _e({OWNER}, "permit", post_only=True),
    "permits:rejection_letter_download": _e({OWNER}, "letter"),
    "permits:verify": _e(EVERYONE, "token"),
    # OPD officers and heads.
    "applications:inbox": _e({OFFICER, OFFICER_X}),
    "applications:agency_queue": _e({HEAD}),
    "applications:head_approvals": _e({HEAD}),
    "applications:review_head_decision": _e({HEAD}, "review", post_only=True),
    "applications:review": _e({OFFICER, HEAD}, "review"),
    "applications:review_decision": _e({OFFICER, HEAD}, "review", post_only=True),
    "applications:reassign": _e({HEAD}, "review", post_only=True),
    "applications:inspection_new": _e({OFFICER, HEAD}, "review", post_only=True),
    "applications:inspection_result": _e({OFFICER, HEAD}, "inspection", post_only=True),
    "applications:inspection_cancel": _e({OFFICER, HEAD}, "inspection", post_only=True),
    # Monitoring of the region.
    "monitoring:dashboard": _e({MONITOR, SIGNER, HEAD}),
    "monitoring:agency": _e({MONITOR, SIGNER, HEAD}, "agency"),
    "monitoring:file": _e({MONITOR, SIGNER, HEAD}, "routed"),
    "monitoring:export": _e({MONITOR, SIGNER, HEAD}),
    "monitoring:public_stats": _e(EVERYONE),
    "monitoring:survey": _e({OWNER}, "issued"),
    # OSS: the integration page for the DPMPTSP staff (each sees their own regions); a file's
    # deliveries for its region's staff; "send again" is decided per delivery (404 otherwise,
    # tests/oss/test_deliveries.py); the permit's PDF for OSS through a signed link only.
    "oss:integration": _e({VERIFIER, SIGNER, MONITOR, OTHER_REGION}),
    "oss:application": _e({VERIFIER, SIGNER, MONITOR, ADMIN}, "routed"),
    "oss:resend": _e(LOGGED_IN, "missing", post_only=True),
    "oss:permit_file": _e(EVERYONE, "oss_link"),
    # The draft page's OSS lookups (by NPWP, asked again): the draft's applicant only.
    "oss:inquiry_npwp": _e({OWNER}, "draft", post_only=True),
    "oss:inquiry_retry": _e({OWNER}, "draft", post_only=True),
    # The operator's page of waiting work: the same staff; each action is decided per region
    # and object (404 for another region's, tests/oss/test_operator_page.py).
    "oss:waiting": _e({VERIFIER, SIGNER, MONITOR, OTHER_REGION}),
    "oss:map_code": _e({VERIFIER, SIGNER, MONITOR, OTHER_REGION}, post_only=True),
    "oss:process_item": _e({VERIFIER, SIGNER, MONITOR, OTHER_REGION}, "missing", post_only=True),
    "oss:retry_file": _e({VERIFIER, SIGNER, MONITOR, OTHER_REGION}, "missing", post_only=True),
    # OSS's pushes: signed with the region's Token, not a session; nobody gets in by logging in.
    "oss:receive_nib": _e(set(), "kd_daerah", post_only=True),
    "oss:receive_file_ds": _e(set(), "kd_daerah", post_only=True),
    # Operations: failed background work, for monitors and platform admins.
    "operations:failed_tasks": _e({MONITOR, ADMIN}),
    "operations:failed_task_rerun": _e({MONITOR, ADMIN}, "missing", post_only=True),
    # Prometheus scrape: only with the bearer token, never with a session.
    "metrics": _e(set()),
    "security:access_log": _e({MONITOR}),
    "security:totp_enrol": _e(LOGGED_IN),
    "security:totp_verify": _e(LOGGED_IN),
    # The REST API (/api/v1/): the same rules through the same selectors and services.
    "api:schema": _e(EVERYONE),
    "api:docs": _e(EVERYONE),
    "api:redoc": _e(EVERYONE),
    "api:catalog": _e(EVERYONE),
    "api:catalog_detail": _e(EVERYONE, "catalog"),
    "api:verify": _e(EVERYONE, "token"),
    "api:verify_check": _e(EVERYONE, "token", post_only=True),
    "api:tokens": _e(LOGGED_IN),  # everyone lists and revokes their own; staff make them
    "api:token_revoke": _e(set(), "missing", post_only=True),
    "api:token_list": _e(LOGGED_IN),
    "api:token_revoke_api": _e(set(), "missing", post_only=True),
    "api:permit_revoke": _e({SIGNER}, "permit", post_only=True),
    "api:applications": _e(LOGGED_IN),
    "api:application_create": _e(LOGGED_IN, post_only=True),
    "api:application": _e({OWNER, VERIFIER, SIGNER, MONITOR, OFFICER, HEAD}, "routed"),
    "api:application_update": _e({OWNER}, "draft", post_only=True),
    "api:document_upload": _e({OWNER}, "draft_doc", post_only=True),
    "api:document_remove": _e({OWNER}, "draft_doc", post_only=True),
    "api:document_download": _e(
        {OWNER, VERIFIER, SIGNER, MONITOR, OFFICER, HEAD}, "routed_document"
    ),
    "api:document_replace": _e({OWNER}, "routed_doc", post_only=True),
    "api:permit_download": _e({OWNER}, "issued"),
    "api:application_submit": _e({OWNER}, "draft", post_only=True),
    "api:application_resubmit": _e({OWNER}, "routed", post_only=True),
    "api:application_withdraw": _e({OWNER}, "routed", post_only=True),
    "api:revision_answer": _e({OWNER}, "revision", post_only=True),
    "api:bill": _e({OWNER}, "billed"),
    "api:bill_pdf": _e({OWNER}, "billed"),
    "api:proof_upload": _e({OWNER}, "billed", post_only=True),
    "api:intake_queue": _e({VERIFIER, OTHER_REGION}),
    "api:intake_detail": _e({VERIFIER}, "submitted"),
    "api:intake_accept": _e({VERIFIER}, "submitted", post_only=True),
    "api:intake_return": _e({VERIFIER}, "submitted", post_only=True),
    "api:reviews": _e({OFFICER, OFFICER_X, HEAD}),
    "api:review": _e({OFFICER, HEAD}, "review"),
    "api:review_decide": _e({OFFICER, HEAD}, "review", post_only=True),
    "api:review_reassign": _e({HEAD}, "review", post_only=True),
    "api:review_head_decide": _e({HEAD}, "review", post_only=True),
    "api:inspection_schedule": _e({OFFICER, HEAD}, "review", post_only=True),
    "api:inspection_record": _e({OFFICER, HEAD}, "inspection", post_only=True),
    "api:signing_queue": _e({SIGNER}),
    "api:permit_sign": _e({SIGNER}, "recommended", post_only=True),
    "api:signer_application": _e({SIGNER}, "recommended"),
    "api:rejection_queue": _e({SIGNER}),
    "api:rejection_confirm": _e({SIGNER}, "routed", post_only=True),
    "api:rejection_send_back": _e({SIGNER}, "routed", post_only=True),
    "api:sla_figures": _e({MONITOR, SIGNER, HEAD}),
    "api:notifications": _e(LOGGED_IN),
    "api:notifications_read": _e(LOGGED_IN, post_only=True),
    # Levies (issue 17): the assessing agency's officer (PUPR for a PBG) computes the levy; the
    # owner sees and downloads the SKRD; the bank's host-to-host calls are signed per bank,
    # not a session: nobody gets in by logging in.
    "fees:assessment": _e({OFFICER_X}, "pbg_review"),
    "fees:bill": _e({OWNER}, "billed"),
    "fees:bill_pdf": _e({OWNER}, "billed"),
    "fees:proof_new": _e({OWNER}, "billed", post_only=True),
    # The region's treasurer (bendahara penerimaan) decides the proofs of payment.
    "fees:proofs": _e({TREASURER}),
    "fees:proof": _e({TREASURER}, "proof"),
    "fees:proof_file": _e({TREASURER}, "proof"),
    "fees:proof_decide": _e({TREASURER}, "proof", post_only=True),
    "fees:h2h_inquiry": _e(set(), post_only=True),
    "fees:h2h_payment": _e(set(), post_only=True),
    "fees:settlements": _e({TREASURER}),
    "fees:settlement": _e({TREASURER}, "settlement"),
    "fees:settlement_line_record": _e({TREASURER}, "settlement_line", post_only=True),
    "fees:deemed_levies": _e({TREASURER}),
    "fees:deemed_levy": _e({TREASURER}, "deemed_unbilled"),
    "fees:revenue": _e({TREASURER, MONITOR}),
    "fees:revenue_csv": _e({TREASURER, MONITOR}),
}
"""Every named URL outside the Django admin. Add the new URL here with who may use it."""


def _is_refusal(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    if response.status_code == 302:
        return response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    return False


# Tables that a GET may write: sessions and cache (login, throttles), the access log, and the
# working-day calendar that the monitoring dashboard derives from the holidays on first use
# (a cache of computed rows, agencies/calendar.py), and the record of every push to the OSS
# endpoints, refused ones included (oss.InboundPush: the audit of who tried).
_VOLATILE = {
    "django_session",
    "ptsp_cache",
    "security_documentaccess",
    "monitoring_workingday",
    "oss_inboundpush",
}


class Fingerprint(dict):
    """Per table, a digest of every row; compares equal when no row changed."""

    def changed(self, other) -> list[str]:
        return sorted(t for t in set(self) | set(other) if self.get(t) != other.get(t))


# (transaction, table) -> (PostgreSQL's write counts of the table when it was read, digest)
_DIGESTS: dict[tuple[str, str], tuple[tuple[int, ...], str]] = {}


def _write_counts() -> tuple[str, dict[str, tuple[int, ...]]]:
    """This transaction's id, and per table the rows it inserted, updated and deleted so far
    (PostgreSQL counts them as they happen, rolled-back savepoints included)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text")
        (xact,) = cursor.fetchone()
        cursor.execute(
            "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_all_tables"
            " WHERE schemaname = current_schema()"
        )
        return xact, {name: tuple(counts) for name, *counts in cursor.fetchall()}


def database_fingerprint() -> Fingerprint:
    """A digest of every row of every table the application owns. A table is read again only
    when PostgreSQL has counted a write to it in this transaction since it was last read, so
    that walking every URL as every actor stays fast; a write that leaves the rows as they were
    compares equal, as before."""
    xact, counts = _write_counts()
    result = Fingerprint()
    for model in sorted(apps.get_models(), key=lambda m: m._meta.db_table):
        table = model._meta.db_table
        if table in _VOLATILE or model._meta.proxy:
            continue
        seen = counts.get(table, ())
        cached = _DIGESTS.get((xact, table))
        if cached is None or cached[0] != seen:
            rows = model._default_manager.order_by("pk").values_list()
            cached = (seen, sha256(repr(list(rows)).encode()).hexdigest())
            _DIGESTS[(xact, table)] = cached
        result[table] = cached[1]
    return result


@pytest.fixture
def journey(demo, run_outbox, signing_cert):
    owner = User.objects.get(email=ACTORS[OWNER])
    verifier = User.objects.get(email=ACTORS[VERIFIER])
    draft = complete_draft(owner)
    routed = submitted_application()
    application_accept(application_id=routed.pk, actor=verifier, verdicts=all_accepted(routed))
    run_outbox()
    submitted = submitted_application()
    dinkes = Review.objects.get(application=routed, agency__code="DINKES")
    dlh = Review.objects.get(application=routed, agency__code="DLH")
    review_decide(
        review_id=dlh.pk,
        actor=dlh.assignee,
        decision="request_revision",
        revision_items=[{"kind": "document", "key": "denah", "note": "Scale is missing."}],
    )
    inspection = inspection_schedule(
        review_id=dinkes.pk,
        actor=dinkes.assignee,
        scheduled_for=timezone.now() + timedelta(days=3),
        place="Jl. Ahmad Yani No. 5",
    )
    run_outbox()
    signer = User.objects.get(email=ACTORS[SIGNER])
    recommended = recommended_application()
    issued = recommended_application()
    permit = permit_issue(application_id=issued.pk, actor=signer)
    run_outbox()
    permit.refresh_from_db()
    assert permit.status == Permit.Status.VALID, permit.last_error
    batch = SigningBatch.objects.create(signer=signer, region=issued.region)
    letter = rejection_letter_issue(
        application=recommended, signer=signer, reasons="Lokasi tidak sesuai tata ruang."
    )
    pbg = route(submit(draft_of(demo_type("BTG", "PBG"), owner)), run_outbox, verifier)
    pbg_review = Review.objects.get(application=pbg, agency__code="PUPR")
    assert pbg_review.assignee.email == ACTORS[OFFICER_X]
    billed = recommend(route(submit(draft_of(demo_type("BTG", "PBG"), owner)), run_outbox))
    assert billed.status == "awaiting_payment"
    proof_billed = recommend(route(submit(draft_of(demo_type("BTG", "PBG"), owner)), run_outbox))
    proof = proof_upload(
        application_id=proof_billed.pk,
        actor=owner,
        upload=SimpleUploadedFile("bukti.pdf", PDF, "application/pdf"),
        paid_on=proof_billed.bills.first().issued_on,
    )
    # A PBG deemed approved by law before PUPR assessed its levy: on the treasurer's list.
    deemed = route(submit(draft_of(demo_type("BTG", "PBG"), owner)), run_outbox)
    Application.objects.filter(pk=deemed.pk).update(
        legal_due_at=timezone.now() - timedelta(hours=1), legal_next_at=None
    )
    assert legal_guard().deemed == 1
    deemed.refresh_from_db()
    assert deemed.status == "recommended" and deemed.legal_state == "deemed"
    from fees.models import SettlementImport

    settlement = SettlementImport.objects.create(
        region=billed.region,
        bank_id="BANKKALTIMTARA",
        file_name="settlement.csv",
        sha256="0" * 64,
        first_day=billed.bills.first().issued_on,
        last_day=billed.bills.first().issued_on,
        row_count=0,
        file_total=0,
        imported_by=User.objects.get(email=ACTORS[TREASURER]),
        imported_at=timezone.now(),
    )
    from fees.models import SettlementLine

    lost = SettlementLine.objects.create(
        settlement=settlement,
        line_number=2,
        outcome=SettlementLine.Outcome.MISSING_HERE,
        receipt_number="BANKKA-MATRIX",
        billing_code="64749999999999",  # no bill has it: the treasurer's post is refused
        amount=1000,
        paid_at=timezone.now().isoformat(),
        channel="ATM",
        bank_status="UNCONFIRMED",
    )
    draft_doc = draft.documents.filter(is_current=True).first()
    document = routed.documents.filter(is_current=True).first()
    ptype = routed.permit_type
    template = ptype.requirements.first()
    template.template.save("template.pdf", ContentFile(PDF))
    paths = {
        "": (),
        "draft": (draft.pk,),
        "draft_doc": (draft.pk, draft_doc.requirement_code),
        "routed": (routed.pk,),
        "routed_doc": (routed.pk, "denah"),
        "revision": (routed.pk, dlh.pk),
        "document": (document.pk,),
        "routed_document": (routed.pk, document.pk),
        "submitted": (submitted.pk,),
        "review": (dinkes.pk,),
        "inspection": (inspection.pk,),
        "catalog": (ptype.region.code, ptype.code),
        "template": (template.pk,),
        "reset": ("MQ", "set-password"),
        "recommended": (recommended.pk,),
        "issued": (issued.pk,),
        "permit": (permit.pk,),
        "letter": (letter.pk,),
        "token": (permit.verification_token,),
        "kd_daerah": ("6474000000",),
        "oss_link": (urlsplit(permit_file_link(permit.pk)).path.rstrip("/").rsplit("/", 1)[1],),
        "agency": (dinkes.agency_id,),
        "missing": (987654,),
        "batch": (batch.pk,),
        "confirm": ("not-a-valid-token",),
        "pbg_review": (pbg_review.pk,),
        "billed": (billed.pk,),
        "deemed_unbilled": (deemed.pk,),
        "proof": (proof.pk,),
        "settlement": (settlement.pk,),
        "settlement_line": (settlement.pk, lost.pk),
        "notification": (routed.notifications.filter(recipient=owner).first().pk,),
    }
    emails = dict(ACTORS, **{OFFICER: dinkes.assignee.email})
    return {"paths": paths, "emails": emails}


def _client_for(email):
    """A client logged in as `email`, past the second factor (the matrix runs with it on)."""
    from security.totp import VERIFIED

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if email:
        client.force_login(User.objects.get(email=email))
        session = client.session
        session[VERIFIED] = True
        session.save()
    return client


def test_every_url_has_a_matrix_entry():
    names = {name for name, _path in named_urls()}
    missing = sorted(names - set(MATRIX))
    assert not missing, f"URLs without an entry in the authorization matrix: {missing}"
    stale = sorted(set(MATRIX) - names)
    assert not stale, f"Matrix entries for URLs that no longer exist: {stale}"


def test_public_urls_agree_with_the_matrix():
    public = {name for name, entry in MATRIX.items() if ANON in entry.allowed}
    assert public == PUBLIC_URL_NAMES


def test_every_url_as_every_actor(journey, settings):
    settings.TOTP_ENFORCED = True
    from django.urls import reverse

    clients = {actor: _client_for(email) for actor, email in journey["emails"].items()}
    problems = []
    for name, entry in sorted(MATRIX.items()):
        path = reverse(name, args=journey["paths"][entry.args])
        for actor, client in clients.items():
            before = database_fingerprint()
            response = client.get(path)
            after = database_fingerprint()
            if after != before:
                problems.append(f"GET {path} as {actor} changed {before.changed(after)}")
            refused = _is_refusal(response)
            if actor in entry.allowed and refused:
                problems.append(f"GET {path} as {actor}: refused ({response.status_code})")
            if actor not in entry.allowed:
                if not refused and not (entry.post_only and response.status_code == 405):
                    problems.append(f"GET {path} as {actor}: allowed ({response.status_code})")
                if entry.post_only or response.status_code == 405:
                    posted = client.post(path, {})
                    if not _is_refusal(posted):
                        problems.append(f"POST {path} as {actor}: allowed ({posted.status_code})")
                    after = database_fingerprint()
                    if after != before:
                        problems.append(
                            f"refused POST {path} as {actor} changed {before.changed(after)}"
                        )
    assert not problems, "\n".join(problems)


def test_every_api_operation_has_a_matrix_entry():
    """Every path of the OpenAPI schema (drf-spectacular) resolves to a URL name in MATRIX."""
    import re

    from django.urls import Resolver404, resolve
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True) or {}
    missing = []
    for path in schema.get("paths", {}):
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        try:
            match = resolve(concrete)
        except Resolver404:
            missing.append(f"{path} (does not resolve)")
            continue
        if match.view_name not in MATRIX:
            missing.append(f"{path} ({match.view_name})")
    assert not missing, f"API operations without an entry in the authorization matrix: {missing}"


# --- The admin, as every actor ----------------------------------------------------------------


def _admin_refusal(response) -> bool:
    return response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_admin_as_every_actor(journey):
    """Every admin model's list and add page: the platform admin has all, the region's admin
    (the monitor, group "Admin Wilayah") exactly the region-admin models, everybody else is
    sent to the admin's login. What a region admin sees inside is tests/test_admin_isolation.py."""
    from django.contrib import admin
    from django.test import RequestFactory

    from agencies.demo import REGION_ADMIN_MODELS

    region_models = set(REGION_ADMIN_MODELS)
    clients = {actor: _client_for(email) for actor, email in journey["emails"].items()}
    users = {
        actor: User.objects.filter(email=email).first()
        for actor, email in journey["emails"].items()
    }
    problems = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        for view in ("changelist", "add"):
            from django.urls import reverse

            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}")
            for actor, client in clients.items():
                response = client.get(url)
                if actor in (ADMIN, MONITOR):
                    request = RequestFactory().get(url)
                    request.user = users[actor]
                    may = (
                        model_admin.has_view_or_change_permission(request)
                        if view == "changelist"
                        else model_admin.has_add_permission(request)
                    )
                    if actor == MONITOR and (opts.app_label, opts.model_name) not in region_models:
                        may = False
                    expected = 200 if may else 403
                    if response.status_code != expected:
                        problems.append(f"{url} as {actor}: {response.status_code} ≠ {expected}")
                elif not _admin_refusal(response):
                    problems.append(f"{url} as {actor}: not refused ({response.status_code})")
    assert not problems, "\n".join(problems)


# --- The signing doors (web and API), posted with a valid step-up by every actor ----------------


SIGNING_DOORS = [
    ("permits:sign", "recommended", {}),
    ("permits:revoke", "permit", {"reason": "Pelanggaran izin."}),
    ("applications:rejection", "routed", {"action": "confirm", "note": ""}),
    ("api:permit_sign", "recommended", {}),
    ("api:permit_revoke", "permit", {"reason": "Pelanggaran izin."}),
    ("api:rejection_confirm", "routed", {"note": ""}),
]


def test_the_signing_doors_refuse_everyone_but_the_regions_signer(journey, settings):
    """Each door is posted by every actor (and Palembang's signer) with that actor's own
    password and a fresh code when they have an app: only Bontang's signer gets through (a
    refusal of the act itself, e.g. 409 for a file not waiting for the signer, still counts as
    through); every refusal changes nothing."""
    from django.urls import reverse

    from tests.stepup import step_up

    settings.TOTP_ENFORCED = True
    emails = dict(journey["emails"], signer_other_region="kepala.plg@ptsp.local")
    problems = []
    for name, key, extra in SIGNING_DOORS:
        path = reverse(name, args=journey["paths"][key])
        for actor, email in emails.items():
            if actor == SIGNER:
                continue  # last, below: it changes the journey
            client = _client_for(email)
            body = dict(extra, password="demo-ptsp-2026", code="000000")
            if email and email.startswith("kepala.") and email.count(".") == 2:
                body = step_up(email, **extra)
            before = database_fingerprint()
            if name.startswith("api:"):
                response = client.post(path, body, content_type="application/json")
            else:
                response = client.post(path, body)
            if not _is_refusal(response):
                problems.append(f"POST {path} as {actor}: allowed ({response.status_code})")
            after = database_fingerprint()
            if after != before:
                problems.append(f"refused POST {path} as {actor} changed {before.changed(after)}")
    import time_machine

    signer = _client_for(emails[SIGNER])
    start = timezone.now()
    for n, (name, key, extra) in enumerate(SIGNING_DOORS):
        path = reverse(name, args=journey["paths"][key])
        # Each act takes a code of its own: half a minute apart, as a person would.
        with time_machine.travel(start + timedelta(seconds=35 * (n + 1))):
            body = step_up(emails[SIGNER], **extra)
            if name.startswith("api:"):
                response = signer.post(path, body, content_type="application/json")
            else:
                response = signer.post(path, body)
        if _is_refusal(response):
            problems.append(f"POST {path} as the signer: refused ({response.status_code})")
    assert not problems, "\n".join(problems)
