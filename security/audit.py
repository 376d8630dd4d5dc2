"""Structured log lines of the authentication and authorisation events, for the operator's log
pipeline (docs/deploy.md, "Logs"; docs/security.md).

One line per event on the logger `ptsp.security`, with the fields `event`, `client_address`
(the client's address behind the trusted proxies: `ptsp.middleware.ClientAddressMiddleware`,
read through `ptsp.ratelimit.client_address`), `account_id` (the account concerned, when it
exists), `account_ref` (a keyed hash of the typed e-mail, so that attempts on an account that
does not exist can be grouped without logging the address) and, for changes, `actor_id`:

- from `accounts.lockout.security_event`: `auth.login_failed`, `auth.locked` (the failure that
  reached a limit, with its `scope`), `auth.login_refused` (an attempt refused while locked),
  `auth.otp_failed` (with `reason`: wrong or reused), `auth.otp_locked`, `auth.otp_refused`,
  `auth.unlocked`;
- role changes: `role.granted`, `role.changed`, `role.revoked` (agency memberships),
  `role.power_grant_requested|approved|refused` (the four-eyes power grants),
  `role.staff_flags_changed` (a user's is_staff / is_superuser);
- `admin.action`: every change recorded by Django's admin (add, change, delete), by model and
  object id.

Never a password, a code, a token or an e-mail address: only ids, the hash and the address; the
handler's redaction (ptsp.observability.logging) is a second guard, not the first.
"""

import logging

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils.crypto import salted_hmac

from accounts.lockout import security_event
from agencies.models import Membership, PowerGrantLog
from ptsp.observability import context

logger = logging.getLogger("ptsp.security")

_AUTH_LEVELS = {
    "login_failed": logging.WARNING,
    "locked": logging.WARNING,
    "login_refused": logging.WARNING,
    "otp_failed": logging.WARNING,
    "otp_locked": logging.WARNING,
    "otp_refused": logging.WARNING,
    "unlocked": logging.INFO,
}
_ADMIN_ACTIONS = {1: "add", 2: "change", 3: "delete"}


def account_ref(email: str) -> str:
    """A keyed hash of the typed e-mail: the same for the same address, useless without the
    SECRET_KEY to test guesses against."""
    return salted_hmac("ptsp.security.audit", (email or "").strip().lower()).hexdigest()[:16]


def _client_address() -> str:
    return context.get("client_address") or "unknown"


def _actor_id() -> str | None:
    return context.get("user_id")


def write(event: str, *, level: int = logging.INFO, **fields) -> None:
    """One structured line: `event` plus `fields` (ids, codes of things, never secrets)."""
    fields.setdefault("client_address", _client_address())
    summary = " ".join(f"{key}={value}" for key, value in fields.items() if value not in (None, ""))
    logger.log(level, "%s %s", event, summary, extra={"event": event, **fields})


def _on_security_event(sender, *, kind, email, client_address, detail, **kwargs):
    account = get_user_model().objects.filter(email__iexact=email).values_list("pk", flat=True)
    fields = {
        "client_address": client_address,
        "account_id": str(account.first() or "") or None,
        "account_ref": account_ref(email),
    }
    if detail.get("scope"):
        fields["scope"] = detail["scope"]
    if kind == "otp_failed" and detail.get("reason") in {"wrong", "reused"}:
        fields["reason"] = detail["reason"]
    write(f"auth.{kind}", level=_AUTH_LEVELS.get(kind, logging.INFO), **fields)


def _on_membership_saved(sender, instance, created, **kwargs):
    write(
        "role.granted" if created else "role.changed",
        account_id=str(instance.user_id),
        actor_id=_actor_id(),
        agency_id=str(instance.agency_id),
        role=instance.role,
    )


def _on_membership_deleted(sender, instance, **kwargs):
    write(
        "role.revoked",
        account_id=str(instance.user_id),
        actor_id=_actor_id(),
        agency_id=str(instance.agency_id),
        role=instance.role,
    )


def _on_power_grant_step(sender, instance, created, **kwargs):
    if created:
        write(
            f"role.power_grant_{instance.action}",
            account_id=str(instance.user_id),
            actor_id=str(instance.actor_id),
            agency_id=str(instance.agency_id),
            role=instance.role,
            grant_id=str(instance.grant_id),
        )


def _on_user_saving(sender, instance, update_fields=None, **kwargs):
    if instance.pk is None or (
        update_fields is not None and not {"is_staff", "is_superuser"} & set(update_fields)
    ):
        return
    before = sender.objects.filter(pk=instance.pk).values_list("is_staff", "is_superuser").first()
    now = (instance.is_staff, instance.is_superuser)
    if before is not None and tuple(before) != now:
        write(
            "role.staff_flags_changed",
            account_id=str(instance.pk),
            actor_id=_actor_id(),
            is_staff=instance.is_staff,
            is_superuser=instance.is_superuser,
        )


def _on_admin_action(sender, instance, created, **kwargs):
    if created:
        content_type = instance.content_type
        write(
            "admin.action",
            actor_id=str(instance.user_id),
            action=_ADMIN_ACTIONS.get(instance.action_flag, str(instance.action_flag)),
            model=f"{content_type.app_label}.{content_type.model}" if content_type else None,
            object_id=str(instance.object_id),
        )


def connect_signals() -> None:
    security_event.connect(_on_security_event, dispatch_uid="security.audit.auth")
    post_save.connect(_on_membership_saved, sender=Membership, dispatch_uid="audit.m.save")
    post_delete.connect(_on_membership_deleted, sender=Membership, dispatch_uid="audit.m.del")
    post_save.connect(_on_power_grant_step, sender=PowerGrantLog, dispatch_uid="audit.grant")
    pre_save.connect(_on_user_saving, sender=get_user_model(), dispatch_uid="audit.user")
    post_save.connect(_on_admin_action, sender=LogEntry, dispatch_uid="audit.admin")
