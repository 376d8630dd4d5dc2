import subprocess

import pytest

from applications.models import Status
from permits.models import Permit
from permits.services.issuance import permit_issue
from tests.builders import recommended_application
from tests.signing_fixtures import signing_cert  # noqa: F401

pytestmark = pytest.mark.django_db


def test_smoke(demo, signing_cert, run_outbox, tmp_path):  # noqa: F811
    from accounts.models import User

    app = recommended_application()
    signer = User.objects.get(email="kepala.btg@ptsp.local")
    permit = permit_issue(application_id=app.pk, actor=signer)
    run_outbox()
    permit.refresh_from_db()
    app.refresh_from_db()
    assert permit.status == Permit.Status.VALID, permit.last_error
    assert app.status == Status.ISSUED
    out = tmp_path / "p.pdf"
    out.write_bytes(permit.file.read())
    subprocess.run(["cp", str(out), "/tmp/issuance-smoke.pdf"], check=True)
