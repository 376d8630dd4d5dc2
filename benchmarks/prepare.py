"""Load-test fixtures (run by benchmarks/run_load.py inside the throwaway database): the demo,
a clinic permit type routed to DINKES and DLH, 40 applicants with a submitted file each and
some files already routed, so that every role has work from the first second, and 160 more
applicant accounts, so that each virtual applicant of a run up to 250 users is its own person
(two browsers of one person filing the same permit at once share one open draft, and the second
one's uploads are rightly refused once the first submitted it)."""

import json
import sys

from django.db import transaction

ACCOUNTS = 200
PASSWORD = "demo-ptsp-2026"


def _register(n: int):
    """Applicant `n` of the load test, registered once (the account if it exists)."""
    from accounts.models import User
    from accounts.services import applicant_register

    email = f"load{n:03d}@example.id"
    return User.objects.filter(email=email).first() or applicant_register(
        email=email,
        full_name=f"Pemohon Beban {n}",
        nik=f"6474{n:012d}",
        phone=f"0812{n:08d}",
        password=PASSWORD,
        language="en",
    )


def _account(n: int, real_hash: str) -> str:
    """Applicant account `n`, without a file: registered with a fast hasher, then given
    `real_hash` (the demo password as the real hasher stored it for the first account), so that
    a login through the form (LOAD_REAL_LOGIN=1) costs what it costs in production and setting
    up costs no PBKDF2 per account."""
    from django.test import override_settings
    from django.utils import timezone

    from accounts.models import User

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        user = _register(n)
    User.objects.filter(pk=user.pk).update(password=real_hash, email_confirmed_at=timezone.now())
    return user.email


def main(out_path: str) -> None:
    from django.utils import timezone

    from accounts.models import User
    from applications.services import filing
    from applications.services.intake import application_accept
    from tests.journeys import all_accepted, pdf_upload, permit_type

    ptype = permit_type()
    verifier = User.objects.get(email="verifikator.btg@ptsp.local")
    applicants = []
    for n in range(40):
        user = _register(n)
        if user.email_confirmed_at is None:  # as if the welcome link was opened
            User.objects.filter(pk=user.pk).update(email_confirmed_at=timezone.now())
            user.refresh_from_db()
        applicants.append(user.email)
        with transaction.atomic():
            app = filing.application_create_draft(permit_type_id=ptype.pk, actor=user)
            filing.application_update_draft(application_id=app.pk, actor=user, data=DATA)
            for code in ("ktp", "denah"):
                filing.document_upload(
                    application_id=app.pk,
                    requirement_code=code,
                    upload=pdf_upload(code),
                    actor=user,
                )
            app = filing.application_submit(application_id=app.pk, actor=user)
        if n % 2 == 0:
            application_accept(application_id=app.pk, actor=verifier, verdicts=all_accepted(app))
    real_hash = User.objects.get(email=applicants[0]).password
    applicants += [_account(n, real_hash) for n in range(40, ACCOUNTS)]
    requirements = [r.code for r in ptype.requirements.all()]

    # Issuance: a development signing certificate, files waiting for the signer, and a few
    # permits already issued (their QR tokens for the public verification page).
    from django.core.management import call_command
    from django.test import override_settings

    from outbox.testing import run_pending
    from permits.services.issuance import permit_issue
    from tests.journeys import recommended_application

    call_command("make_dev_signing_cert")
    signer = User.objects.get(email="kepala.btg@ptsp.local")
    tokens = []
    for n in range(30):
        application = recommended_application(business_name=f"Klinik Beban {n}")
        if n < 4:
            with override_settings(OUTBOX_PUBLISH_ON_COMMIT=False):  # issue here, in-process
                permit = permit_issue(application_id=application.pk, actor=signer)
                run_pending()
            permit.refresh_from_db()
            if permit.status == permit.Status.VALID:
                tokens.append(permit.verification_token)
            else:
                print(f"permit {permit.pk} not issued: {permit.last_error}", file=sys.stderr)
    staff = [
        "verifikator.btg@ptsp.local",
        "petugas.dinkes.btg@ptsp.local",
        "petugas.dlh.btg@ptsp.local",
        "kepala.btg@ptsp.local",
    ]
    sessions = {email: _session_for(User.objects.get(email=email)) for email in applicants + staff}
    with open(out_path, "w") as fh:
        json.dump(
            {
                "permit_type": ptype.pk,
                "region": ptype.region.code,
                "code": ptype.code,
                "requirements": requirements,
                "applicants": applicants,
                "sessions": sessions,
                "tokens": tokens,
            },
            fh,
        )


def _session_for(user) -> str:
    """A logged-in session made directly (as `login()` would store it), so that the measured
    load is the work of the portal, not a storm of password hashing at the start."""
    import time

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from security.sessions import LOGIN_AT, SEEN_AT

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[LOGIN_AT] = store[SEEN_AT] = int(time.time())
    store.create()
    return store.session_key


DATA = {
    "business_name": "Klinik Beban",
    "nib": "9120001234567",
    "kbli": "86105",
    "address": "Jl. Ahmad Yani No. 5",
    "kelurahan": "Api-Api",
    "kecamatan": "Bontang Utara",
    "jumlah_ruang": "6",
}

if __name__ == "__main__":
    import django

    django.setup()
    main(sys.argv[1])
