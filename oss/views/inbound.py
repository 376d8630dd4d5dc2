"""OSS's pushes to us: `receiveNIB` and `receiveFileDS` (POST, JSON, CSRF-exempt: OSS signs
each push with the `Token` header instead of a session).

Each push goes through the same steps, and stops at the first refusal with the guide's answer
(`responreceiveNIB` / `responreceiveFileDS` status "2" and the reason), nothing stored:

0. the rate limit (`OSS_INBOUND_RATE_PER_ADDRESS` per source address,
   `OSS_INBOUND_RATE_PER_REGION` per region's pair, per `OSS_INBOUND_RATE_WINDOW_SECONDS`):
   over it, HTTP 429 with `Retry-After`, read nothing and record nothing (a flood of junk must
   not fill `InboundPush`); one warning line per refusal;
1. the body's size (`OSS_INBOUND_MAX_BODY_BYTES`, refused from `Content-Length` before reading);
2. the region of the address (`/oss/<kd_daerah>/…`: an enabled `RegionConnection`);
3. a `Token` header at all (an unsigned push is refused before its body is decoded);
4. the body decoded as JSON; the NIB it claims read from it (`oss.protocol.nib_of`), and the
   `Token` checked against it (`oss.token.check_token`: constant time, today in Asia/Jakarta
   only);
5. the payload against the guide (`oss.protocol.inbound.parse_*`);
6. the service (`oss.services.inbound`), which stores or refuses.

Every push is recorded (`oss.InboundPush`: method, NIB, outcome, a reason naming fields and
codes) and logged in one line without personal data or the token.
"""

import logging
import time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from oss.models import InboundPush
from oss.protocol import ProtocolError, load_json, nib_of
from oss.protocol.inbound import (
    parse_receive_file_ds,
    parse_receive_nib,
    receive_file_ds_answer,
    receive_nib_answer,
)
from oss.services.inbound import (
    PushRefused,
    connection_for,
    receive_file_ds_store,
    receive_nib_store,
)
from oss.token import TokenError, check_token
from ptsp import ratelimit

logger = logging.getLogger("oss.inbound")

_METHODS = {
    "receiveNIB": (parse_receive_nib, receive_nib_answer, receive_nib_store),
    "receiveFileDS": (parse_receive_file_ds, receive_file_ds_answer, receive_file_ds_store),
}


def max_body_bytes() -> int:
    return int(getattr(settings, "OSS_INBOUND_MAX_BODY_BYTES", 2 * 1024 * 1024))


def _read_body(request, limit: int) -> bytes:
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared.isdigit() and int(declared) > limit:
        raise PushRefused("body_too_large", f"Ukuran data melebihi {limit} byte", 413)
    data = request.read(limit + 1)
    if len(data) > limit:
        raise PushRefused("body_too_large", f"Ukuran data melebihi {limit} byte", 413)
    return data


def _rate_limited(request, kd_daerah: str, method: str, answer) -> JsonResponse | None:
    """The refusal of a push over its address's or its region's limit, else None (counted)."""
    window = int(settings.OSS_INBOUND_RATE_WINDOW_SECONDS)
    address = ratelimit.client_address(request)
    region = kd_daerah if kd_daerah.isdigit() and len(kd_daerah) == 10 else "other"
    limits = {
        f"oss-inbound:address:{address}": int(settings.OSS_INBOUND_RATE_PER_ADDRESS),
        f"oss-inbound:region:{region}": int(settings.OSS_INBOUND_RATE_PER_REGION),
    }
    limits = {key: limit for key, limit in limits.items() if limit > 0}
    seen = ratelimit.counts(limits)
    for key, limit in limits.items():
        if seen[key] >= limit:
            logger.warning(
                "oss push refused: method=%s kd_daerah=%s over the %s limit (%s per %s s)",
                method,
                kd_daerah[:20],
                key.split(":")[1],
                limit,
                window,
            )
            response = JsonResponse(
                answer(False, "Terlalu banyak permintaan, coba lagi nanti"), status=429
            )
            response["Retry-After"] = str(ratelimit.remaining(key) or window)
            return response
    for key in limits:
        ratelimit.hit(key, window)
    return None


def _paths(error: ProtocolError) -> str:
    """The issues by field path and check only (never the value quoted in their reasons)."""
    return "; ".join(f"{issue.path or '(body)'}: {issue.code}" for issue in error.issues)[:255]


def _handle(request, kd_daerah: str, method: str) -> JsonResponse:
    started = time.monotonic()
    parse, answer, store = _METHODS[method]
    refused = _rate_limited(request, kd_daerah, method, answer)
    if refused is not None:
        return refused
    record = {"method": method, "kd_daerah": kd_daerah[:20], "nib": "", "tipe_dokumen": ""}
    region = None
    stored = None
    try:
        raw = _read_body(request, max_body_bytes())
        connection = connection_for(kd_daerah)
        region = connection.region
        if not request.headers.get("Token"):  # unsigned: refused before the body is read as JSON
            raise PushRefused("token_missing", "Token ditolak (missing)", 401)
        try:
            body = load_json(raw)
        except ProtocolError as error:
            raise PushRefused("malformed", error.summary(), recorded=_paths(error)) from None
        nib = nib_of(body)
        record["nib"] = nib[:13] if isinstance(nib, str) and nib.isdigit() else ""
        try:
            password = connection.inbound_password()
        except ImproperlyConfigured:
            password = ""
        try:
            check_token(
                request.headers.get("Token"),
                username=connection.inbound_username,
                password=password,
                nib=nib,
            )
        except TokenError as error:
            raise PushRefused(
                f"token_{error.reason}", f"Token ditolak ({error.reason})", 401
            ) from None
        try:
            push = parse(body)
        except ProtocolError as error:
            raise PushRefused("invalid", error.summary(), recorded=_paths(error)) from None
        record["tipe_dokumen"] = getattr(getattr(push, "tipe_dokumen", None), "value", "")
        stored = store(connection=connection, push=push)
    except PushRefused as refusal:
        outcome, code, status = "refused", refusal.code, refusal.http_status
        reason, recorded = refusal.reason, refusal.recorded
    except Exception:
        logger.exception("oss push failed: method=%s kd_daerah=%s", method, kd_daerah[:20])
        outcome, code, reason, status = "refused", "error", "Gagal memproses data", 500
        recorded = reason
    else:
        outcome, code, reason, status = "stored", "", "Berhasil menyimpan data", 200
        recorded = reason
    elapsed = int((time.monotonic() - started) * 1000)
    InboundPush.objects.create(
        region=region,
        received_at=timezone.now(),
        outcome=outcome,
        code=code,
        reason=recorded[:255],
        http_status=status,
        items=getattr(stored, "items", 0) or 0,
        drafts=getattr(stored, "drafts", 0) or 0,
        elapsed_ms=elapsed,
        **record,
    )
    logger.info(
        "oss push: method=%s kd_daerah=%s nib=%s outcome=%s code=%s status=%s ms=%s reason=%s",
        method,
        record["kd_daerah"],
        record["nib"],
        outcome,
        code,
        status,
        elapsed,
        recorded[:255],
    )
    return JsonResponse(answer(outcome == "stored", reason), status=status)


@csrf_exempt
@require_POST
def receive_nib(request, kd_daerah: str):
    """`receiveNIB`: OSS pushes a business and the permits we must process (module docstring)."""
    return _handle(request, kd_daerah, "receiveNIB")


@csrf_exempt
@require_POST
def receive_file_ds(request, kd_daerah: str):
    """`receiveFileDS`: OSS pushes the URL of its signed file of one of our permits."""
    return _handle(request, kd_daerah, "receiveFileDS")
