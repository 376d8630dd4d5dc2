"""Checks the apps above add to the case's moves, without being imported (docs/code-map.md).

A levied permit type (`catalog.services.levy_of`: the catalog version names a tariff and the
agency that assesses it) needs three things the `fees` app owns, which it registers here in its
`AppConfig.ready()`:

- `recommend`: may this review recommend? (the assessing agency's officer has stored the
  assessment) — called by `applications.services.reviews.review_decide`;
- `bill`: every OPD recommended; issue the bill (the SKRD) in this transaction — called by
  `applications.services.outcome.application_settle` when the file starts waiting for payment;
- `sign`: may this file go to the signer? (its bill is paid) — called by
  `applications.workflow.application_transition` for `start_issuance`, whoever calls it.

Each fails closed: a levied file with no check registered is refused (a PBG is never issued
unpaid because an app was not loaded). A file whose version names no levy passes untouched.
A check returns None (go on) or the message to refuse with; `bill` returns nothing and raises
to refuse.
"""

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

from catalog.services import levy_of
from ptsp.errors import Conflict

_checks: dict[str, Callable] = {}


def levy_gate_register(name: str, check: Callable) -> None:
    """Register (or replace) the `recommend`, `bill` or `sign` check."""
    if name not in ("recommend", "bill", "sign"):
        raise ValueError(f"unknown levy gate: {name}")
    _checks[name] = check


def levy_of_application(application) -> dict | None:
    """The levy the application's catalog version names, or None."""
    return levy_of(application.catalog_version.snapshot)


def _unavailable():
    return Conflict(
        _("The levy of this file cannot be checked now; nothing was changed. Try again later."),
        code="levy_unavailable",
    )


def recommend_refusal(review) -> str | None:
    """Why `review` may not recommend yet (the levy is not assessed), or None."""
    levy = levy_of_application(review.application)
    if levy is None or levy["assessing_agency_id"] != review.agency_id:
        return None
    check = _checks.get("recommend")
    if check is None:
        raise _unavailable()
    return check(review)


def bill(application, *, actor) -> None:
    """Issue the levied application's bill (in the caller's transaction)."""
    check = _checks.get("bill")
    if check is None:
        raise _unavailable()
    check(application, actor=actor)


def sign_refusal(application) -> str | None:
    """Why `application` may not go to the signer (its levy is unpaid), or None."""
    if levy_of_application(application) is None:
        return None
    check = _checks.get("sign")
    if check is None:
        return str(_unavailable().message)
    return check(application)
