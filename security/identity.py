"""Who the logged-in person is, for every request, without asking the database each time
(issue 20): their memberships (roles, agencies, region) and whether they have an authenticator
app, cached per process under (user id, access version).

The access version is on the user row, which the authentication middleware reads anyway, and the
database raises it whenever a membership, an agency, a region or an authenticator app of the
person changes (triggers: agencies 0011, security 0004). A change therefore misses the cache on
the person's next request, in every process, with no message between processes; a revoked role
stops working at once. Fails closed: a user object without a version, an entry that is not
there or has expired, or anything unexpected reads the database, as before.

Only the user of the request is served from the cache (IdentityMiddleware sets it on
request.user, whose row was just read); any other user object (a task's, a test's, the admin's)
reads its memberships from the database as before (agencies.selectors.memberships_of).
"""

import copy

from agencies.models import Membership
from agencies.selectors import load_memberships
from ptsp.localcache import ProcessCache
from security.models import TOTPDevice

# Kept a few minutes: the version makes it correct, the time only bounds the memory held for
# people who stopped coming; bounded in size for the same reason.
_identities = ProcessCache(ttl=300.0, max_entries=20_000)

HAS_DEVICE = "_ptsp_has_device"


def _load(user) -> tuple[list, bool]:
    memberships = load_memberships(user)
    has_device = TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
    return memberships, has_device


def identity_fill(user) -> None:
    """Set `user`'s memberships and second-factor flag from the process cache (read from the
    database on a miss). Who calls it: IdentityMiddleware, for the row the request just read."""
    version = getattr(user, "access_version", None)
    if not user.pk or version is None:
        return
    memberships, has_device = _identities.get_or_compute(
        ("identity", user.pk, version), lambda: _load(user)
    )
    # Each request gets its own copies (Django copies a row's related-object cache with it), with
    # `membership.user` being the request's user: nothing read through one request's
    # memberships stays in the cache for the next.
    user_field = Membership._meta.get_field("user")
    own = []
    for membership in memberships:
        mine = copy.copy(membership)
        user_field.set_cached_value(mine, user)
        own.append(mine)
    user._ptsp_memberships = own
    setattr(user, HAS_DEVICE, has_device)


def identity_cache_clear() -> None:
    _identities.clear()


class IdentityMiddleware:
    """Right after AuthenticationMiddleware: the logged-in person's roles and second-factor flag
    from the per-process cache. `request.user` is then the user object itself rather than
    Django's lazy proxy, which the proxy has just loaded anyway: a page reads it a few hundred
    times (the templates' `user.…`, the permission checks), ≈ 1 µs each through the proxy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None:
            if user.is_authenticated:
                identity_fill(user)
            request.user = getattr(user, "_wrapped", user)
        return self.get_response(request)
