"""OSS's requirement files (`data_persyaratan[].file_dokumen`): which addresses we fetch, and
the fetch that attaches a file to the draft it belongs to.

Only the hosts of the configured OSS connections are fetched (scheme, host and port of a
`RegionConnection.base_url`): a URL to another host, and above all to a private, loopback or
link-local address, is refused (no server-side request forgery through OSS's data). Redirects
are not followed. A file is size-limited, then checked like any upload
(`applications.services.filing.store_document` → `applications.uploads.check_upload`).

Who calls it: `oss.services.inbound` (records the files and enqueues their fetch),
`oss.tasks.fetch_requirement_file` and `oss.tasks.retry_requirement_files`.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import ssl
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from applications.models import Status
from applications.services.filing import store_document
from oss.models import RegionConnection, RequirementFile
from outbox.services import enqueue
from ptsp.errors import DomainError

logger = logging.getLogger("oss.files")

FETCH_TASK = "oss.tasks.fetch_requirement_file"
#: Attempts before a file is left to an operator (about a day and a half of back-off).
MAX_ATTEMPTS = 12
#: The largest file fetched, whatever the requirement allows (the guide's own limit is 2 MB
#: for permit files; requirement files are kept to our upload limit).
MAX_FILE_BYTES = 10 * 1024 * 1024


def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port or (443 if parts.scheme == "https" else 80)


def oss_origins() -> set[tuple[str, str, int]]:
    """(scheme, host, port) of every enabled OSS connection's address."""
    urls = RegionConnection.objects.filter(enabled=True).values_list("base_url", flat=True)
    return {origin for origin in map(_origin, urls) if origin is not None}


def file_url_refusal(url: str, origins: set | None = None) -> str:
    """Why `url` may not be fetched ("" when it may): not http(s), credentials in it, a
    private/loopback/link-local address, or a host that is not a configured OSS address
    (`origins`: `oss_origins()`, read once by a caller that checks many URLs)."""
    origin = _origin(url)
    if origin is None:
        return "bukan alamat http(s)"
    parts = urlsplit(url)
    if parts.username or parts.password:
        return "alamat berisi kredensial"
    if origin in (oss_origins() if origins is None else origins):
        return ""
    try:
        address = ipaddress.ip_address(origin[1].strip("[]"))
    except ValueError:
        address = None
    if origin[1] == "localhost" or (
        address is not None
        and (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_reserved
            or address.is_unspecified
            or address.is_multicast
        )
    ):
        return "alamat privat atau loopback tidak diizinkan"
    return "host bukan alamat OSS yang dikonfigurasi"


def requirement_code_for(syarat, requirement_codes: dict, requirements: list[dict]) -> str:
    """Our requirement code for one OSS requirement file: the mapping's entry for its
    `id_syarat`, else the requirement whose code appears in the file's name
    (``denah-lokasi.pdf`` → ``denah``), else "" (the applicant uploads it)."""
    codes = {r["code"] for r in requirements}
    mapped = (requirement_codes or {}).get(syarat.id_syarat, "")
    if mapped in codes:
        return mapped
    name = urlsplit(syarat.file_dokumen).path.rsplit("/", 1)[-1].lower().replace("-", "_")
    for code in sorted(codes, key=len, reverse=True):
        if code and code.lower() in name:
            return code
    return ""


def enqueue_fetch(file_row: RequirementFile) -> None:
    """Record the fetch of one file in the outbox (published after the commit); one message
    per attempt, so a retry is never swallowed by the first attempt's key."""
    enqueue(
        FETCH_TASK,
        args=[file_row.pk],
        dedupe_key=f"oss-file:{file_row.pk}:{file_row.attempts}",
    )


def backoff(attempts: int) -> timedelta:
    """The wait after `attempts` failures: 1, 2, 4 … minutes, at most three hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 180))


class FetchFailed(Exception):
    """A fetch that may succeed later (network, 5xx, 404 while OSS is still storing it)."""


def _download(url: str, limit: int) -> tuple[bytes, str]:
    origin = _origin(url)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    timeout = getattr(settings, "OSS_FILE_TIMEOUT", 20.0)
    if origin[0] == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            origin[1], origin[2], timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(origin[1], origin[2], timeout=timeout)
    try:
        connection.request("GET", path, headers={"Accept": "application/pdf, image/*"})
        response = connection.getresponse()
        if response.status != 200:
            raise FetchFailed(f"HTTP {response.status}")
        declared = response.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise DomainError("file too large", code="file_too_large")
        data = response.read(limit + 1)
        return data, response.getheader("Content-Type", "")
    except (OSError, http.client.HTTPException) as exc:
        raise FetchFailed(f"{type(exc).__name__}") from exc
    finally:
        connection.close()


def _requirement_limit(application, code: str) -> int:
    for requirement in application.catalog_version.snapshot.get("requirements", []):
        if requirement["code"] == code:
            return min((requirement.get("max_size_kb") or 5120) * 1024, MAX_FILE_BYTES)
    return MAX_FILE_BYTES


def requirement_file_fetch(*, file_id: int) -> str:
    """Fetch one OSS requirement file and attach it to its draft; returns the row's new state.

    Who may call: the task `oss.tasks.fetch_requirement_file` (safe to run twice: a file that is
    attached, refused or rejected is left alone). Changes: the `RequirementFile` (state,
    attempts, next attempt, last error) and, on success, a new current `Document` of the draft
    uploaded in the applicant's name. A network failure or a non-200 answer is recorded and
    tried again after `backoff(attempts)` by `oss.tasks.retry_requirement_files`; after
    MAX_ATTEMPTS the file waits for an operator. Never raises for a bad file or URL."""
    with transaction.atomic():
        row = (
            RequirementFile.objects.select_for_update(no_key=True, of=("self",))
            .select_related("item__application__catalog_version")
            .filter(pk=file_id)
            .first()
        )
        if row is None or row.state not in (
            RequirementFile.State.PENDING,
            RequirementFile.State.RETRYING,
        ):
            return row.state if row else "missing"
        application = row.item.application
        if application is None or application.status != Status.DRAFT:
            row.state, row.last_error = RequirementFile.State.SKIPPED, "application filed"
            row.save(update_fields=["state", "last_error"])
            return row.state
        if application.documents.filter(
            requirement_code=row.requirement_code, is_current=True
        ).exists():
            row.state, row.last_error = RequirementFile.State.SKIPPED, "applicant uploaded one"
            row.save(update_fields=["state", "last_error"])
            return row.state
        refusal = file_url_refusal(row.url)
        if refusal:
            row.state, row.last_error = RequirementFile.State.REFUSED, refusal[:255]
            row.save(update_fields=["state", "last_error"])
            logger.warning("oss file refused: file=%s reason=%s", row.pk, refusal)
            return row.state
        row.attempts += 1
        try:
            data, _content_type = _download(
                row.url, _requirement_limit(application, row.requirement_code)
            )
            name = urlsplit(row.url).path.rsplit("/", 1)[-1] or "dokumen"
            upload = ContentFile(data, name=name)
            with transaction.atomic():
                # Locks the application as the applicant's own upload does.
                locked = (
                    type(application).objects.select_for_update(no_key=True).get(pk=application.pk)
                )
                if locked.status != Status.DRAFT:
                    raise DomainError("application filed", code="not_draft")
                document = store_document(
                    application=locked,
                    requirement_code=row.requirement_code,
                    upload=upload,
                    actor=locked.applicant,
                )
        except FetchFailed as failure:
            give_up = row.attempts >= MAX_ATTEMPTS
            row.state = RequirementFile.State.GAVE_UP if give_up else RequirementFile.State.RETRYING
            row.last_error = str(failure)[:255]
            row.next_attempt_at = None if give_up else timezone.now() + backoff(row.attempts)
            logger.warning(
                "oss file fetch failed: file=%s attempt=%s error=%s", row.pk, row.attempts, failure
            )
        except DomainError as error:
            row.state, row.last_error = RequirementFile.State.REJECTED, str(error.code)[:255]
            row.next_attempt_at = None
            logger.warning("oss file rejected: file=%s code=%s", row.pk, error.code)
        else:
            row.state, row.document, row.fetched_at = (
                RequirementFile.State.ATTACHED,
                document,
                timezone.now(),
            )
            row.last_error, row.next_attempt_at = "", None
        row.save()
        return row.state


def requirement_files_requeue(*, now=None, limit: int = 200) -> int:
    """Enqueue the fetch of every file whose next attempt is due (the back-off's clock).

    Who may call: the beat task `oss.tasks.retry_requirement_files`. Changes: outbox rows only
    (one per file and attempt, so running it twice enqueues nothing twice). Returns how many."""
    now = now or timezone.now()
    due = list(
        RequirementFile.objects.filter(
            state__in=[RequirementFile.State.PENDING, RequirementFile.State.RETRYING],
            next_attempt_at__lte=now,
        ).order_by("next_attempt_at")[:limit]
    )
    with transaction.atomic():
        for row in due:
            enqueue_fetch(row)
    return len(due)
