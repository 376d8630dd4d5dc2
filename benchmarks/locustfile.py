"""The load scenario: applicants filing and checking status, the front office accepting, OPD
officers deciding, the signer signing, the public browsing the catalog, the tracking page and
verifying permits by their QR token.

Run through benchmarks/run_load.py (starts PostgreSQL, Redis, a Celery worker and gunicorn with
2 workers on this machine, prepares the data, runs locust headless). Fixture names come from the
JSON written by benchmarks/prepare.py (LOAD_FIXTURES)."""

import itertools
import json
import os
import re
import time
from http.cookiejar import Cookie

import pyotp
from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

with open(os.environ.get("LOAD_FIXTURES", "var/load-fixtures.json")) as _fh:
    FIXTURES = json.load(_fh)
PASSWORD = "demo-ptsp-2026"
DEMO_TOTP_SECRET = "PTSPDEMOSIGNERKEYPTSPDEMOSIGNERK"  # security/demo.py
# A complete one-page PDF (applications.demo.minimal_pdf): the upload checks refuse stand-ins.
PDF = (
    b"%PDF-1.4\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n"
    b"2 0 obj\n<</Type/Pages/Kids[3 0 R]/Count 1>>\nendobj\n"
    b"3 0 obj\n<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>\nendobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000054 00000 n \n"
    b"0000000105 00000 n \ntrailer\n<</Size 4/Root 1 0 R>>\nstartxref\n170\n%%EOF\n"
)
_applicants = itertools.cycle(FIXTURES["applicants"])


def _cookie(name: str, value: str) -> Cookie:
    return Cookie(
        0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, False,
        None, None, {},
    )  # fmt: skip


class PortalUser(FastHttpUser):
    """geventhttpclient rather than requests: the load generator shares the two cores with the
    portal, and FastHttpUser spends several times less CPU per request."""

    abstract = True
    wait_time = between(0.5, 1.5)
    email = ""

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.client.cookiejar if c.name == name), "")

    def csrf(self) -> dict:
        return {"X-CSRFToken": self.cookie("csrftoken")}

    def on_start(self):
        """Use the session prepared for this person (benchmarks/prepare.py): the steady state is
        measured, not the password hashing of 100 simultaneous logins (set LOAD_REAL_LOGIN=1 to
        log in through the form instead)."""
        if os.environ.get("LOAD_REAL_LOGIN"):
            self.client.get("/accounts/login/", name="login page")
            self.client.post(
                "/accounts/login/",
                {"username": self.email, "password": PASSWORD},
                headers=self.csrf(),
                name="login",
                allow_redirects=False,
            )
        else:
            self.client.cookiejar.set_cookie(_cookie("sessionid", FIXTURES["sessions"][self.email]))
        self.client.get("/notifications/", name="/notifications/")  # sets the csrftoken cookie


class Applicant(PortalUser):
    weight = 5

    def on_start(self):
        self.email = next(_applicants)
        super().on_start()
        self.mine = []

    @task(6)
    def my_applications(self):
        page = self.client.get("/applications/", name="/applications/")
        self.mine = re.findall(r'href="/applications/(\d+)/"', page.text)[:5]

    @task(6)
    def status(self):
        if self.mine:
            self.client.get(f"/applications/{self.mine[0]}/", name="/applications/[id]/")

    @task(2)
    def notifications(self):
        self.client.get("/notifications/", name="/notifications/")

    @task(1)
    def file_one(self):
        with self.client.post(
            "/applications/new/",
            {"permit_type": FIXTURES["permit_type"]},
            headers=self.csrf(),
            name="new draft",
            allow_redirects=False,
            catch_response=True,
        ) as created:
            match = re.search(r"/applications/(\d+)/edit/", created.headers.get("Location") or "")
            if not match:
                created.failure("no draft")
                return
            created.success()
        pk = match.group(1)
        self.client.post(
            f"/applications/{pk}/edit/",
            {
                "business_name": "Klinik Beban",
                "nib": "9120001234567",
                "kbli": "86105",
                "address": "Jl. Ahmad Yani No. 5",
                "kelurahan": "Api-Api",
                "kecamatan": "Bontang Utara",
                "jumlah_ruang": "6",
            },
            headers=self.csrf(),
            name="save draft",
            allow_redirects=False,
        )
        for code in FIXTURES["requirements"]:
            with self.client.post(
                f"/applications/{pk}/documents/{code}/upload/",
                files={"file": (f"{code}.pdf", PDF, "application/pdf")},
                headers={**self.csrf(), "X-Requested-With": "XMLHttpRequest"},
                name="upload",
                catch_response=True,
            ) as uploaded:
                if uploaded.status_code != 200:
                    # The portal's own message names the cause in locust's failure report.
                    uploaded.failure(f"{uploaded.status_code}: {(uploaded.text or '')[:200]}")
        self.client.post(
            f"/applications/{pk}/submit/",
            headers=self.csrf(),
            name="submit",
            allow_redirects=False,
        )


class Verifier(PortalUser):
    """The region's front office: two verifiers, however many applicants there are."""

    fixed_count = 2
    email = "verifikator.btg@ptsp.local"

    @task(3)
    def queue(self):
        self.client.get("/intake/", name="/intake/")

    @task(1)
    def accept_one(self):
        queue = self.client.get("/intake/", name="/intake/")
        ids = re.findall(r'href="/intake/(\d+)/"', queue.text)
        if not ids:
            return
        pk = ids[len(ids) // 2]
        page = self.client.get(f"/intake/{pk}/", name="/intake/[id]/")
        documents = set(re.findall(r'name="verdict_(\d+)"', page.text))
        data = {f"verdict_{d}": "accepted" for d in documents}
        data["action"] = "accept"
        self.client.post(
            f"/intake/{pk}/",
            data,
            headers=self.csrf(),
            name="accept",
            allow_redirects=False,
        )


class Officer(PortalUser):
    weight = 2
    emails = itertools.cycle(["petugas.dinkes.btg@ptsp.local", "petugas.dlh.btg@ptsp.local"])

    def on_start(self):
        self.email = next(self.emails)
        super().on_start()

    @task(3)
    def inbox(self):
        self.client.get("/reviews/inbox/", name="/reviews/inbox/")

    @task(1)
    def decide_one(self):
        inbox = self.client.get("/reviews/inbox/", name="/reviews/inbox/")
        ids = re.findall(r'href="/reviews/(\d+)/"', inbox.text)
        if not ids:
            return
        pk = ids[0]
        self.client.get(f"/reviews/{pk}/", name="/reviews/[id]/")
        self.client.post(
            f"/reviews/{pk}/decision/",
            {"decision": "recommend"},
            headers=self.csrf(),
            name="decide",
            allow_redirects=False,
        )


class Signer(PortalUser):
    """The head of DPMPTSP signs a recommended file now and then (the password is checked on
    every signature, then the worker renders, signs and timestamps the PDF)."""

    fixed_count = 1  # one head of DPMPTSP per region signs
    email = "kepala.btg@ptsp.local"
    wait_time = between(2, 5)

    @task(3)
    def queue(self):
        self.client.get("/signing/", name="/signing/")

    last_step = None

    @task(1)
    def sign_one(self):
        # Each code of the authenticator works once (docs/security.md): a person signs at most
        # once per 30-second step, so the signer waits for the next step rather than send a code
        # that is refused as reused.
        step = int(time.time()) // 30
        if step == self.last_step:
            self.client.get("/signing/", name="/signing/")
            return
        queue = self.client.get("/signing/", name="/signing/")
        ids = re.findall(r'href="/signing/(\d+)/"', queue.text)
        if not ids:
            return
        pk = ids[-1]
        self.client.get(f"/signing/{pk}/", name="/signing/[id]/")
        # The step-up: the password and the authenticator's current code.
        now = time.time()
        self.last_step = int(now) // 30
        self.client.post(
            f"/signing/{pk}/",
            {"password": PASSWORD, "code": pyotp.TOTP(DEMO_TOTP_SECRET).at(now)},
            headers=self.csrf(),
            name="sign",
            allow_redirects=False,
        )


class Public(FastHttpUser):
    weight = 4
    wait_time = between(0.5, 1.5)

    @task(3)
    def catalog(self):
        self.client.get("/catalog/", name="/catalog/")

    @task(2)
    def sop(self):
        self.client.get(
            f"/catalog/{FIXTURES['region']}/{FIXTURES['code']}/", name="/catalog/[region]/[code]/"
        )

    @task(1)
    def track(self):
        self.client.get("/track/", name="/track/")

    @task(2)
    def verify(self):
        if FIXTURES.get("tokens"):
            token = FIXTURES["tokens"][hash(self) % len(FIXTURES["tokens"])]
            self.client.get(f"/verify/{token}/", name="/verify/[token]/")

    @task(1)
    def home(self):
        self.client.get("/", name="/")
