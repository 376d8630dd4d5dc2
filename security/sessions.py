"""Session lifetime: absolute SESSION_ABSOLUTE_SECONDS (12 h) for everybody, idle
SESSION_STAFF_IDLE_SECONDS (30 min) for staff. Django rotates the session key at login
(`login()` calls `cycle_key`); disabled accounts lose their sessions because the auth backend
refuses inactive users on every request, and their stored sessions are deleted on save."""

import time
from importlib import import_module

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.models import Session
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from agencies.selectors import memberships_of

LOGIN_AT = "_ptsp_login_at"
SEEN_AT = "_ptsp_seen_at"
SEEN_RESOLUTION = 60  # write the last-seen time at most once a minute


@receiver(user_logged_in)
def _stamp_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT] = now
        request.session[SEEN_AT] = now


def is_staff_member(user) -> bool:
    return bool(user.is_staff or user.is_superuser or memberships_of(user))


class SessionLifetimeMiddleware:
    """After AuthenticationMiddleware: ends sessions past their absolute or idle limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired = self._expired(request, user)
            if expired:
                logout(request)
                messages.info(request, expired)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)

    def _expired(self, request, user) -> str | None:
        session = request.session
        now = int(time.time())
        login_at = session.get(LOGIN_AT)
        if login_at is None:  # a session from before this middleware: start counting now
            session[LOGIN_AT] = login_at = now
        absolute = settings.SESSION_ABSOLUTE_SECONDS
        if absolute and now - login_at > absolute:
            return _("Your session has ended after 12 hours. Please log in again.")
        seen_at = session.get(SEEN_AT, now)
        idle = settings.SESSION_STAFF_IDLE_SECONDS
        if idle and is_staff_member(user) and now - seen_at > idle:
            return _("Your session ended after 30 minutes without activity. Please log in again.")
        if now - seen_at >= SEEN_RESOLUTION or SEEN_AT not in session:
            session[SEEN_AT] = now
        return None


class NoStoreMiddleware:
    """A response to a logged-in person, or to a request with credentials (an API token), says
    `Cache-Control: no-store`: the back button of a shared computer, or a proxy, must not show
    someone's files after they logged out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        credentials = "HTTP_AUTHORIZATION" in request.META
        if (user is not None and user.is_authenticated) or credentials:
            patch_cache_control(response, no_store=True, private=True)
        return response


def end_sessions_of(user) -> int:
    """Delete every stored session of `user`: the database record and its cached copy (through
    the session engine, security.session_store). Returns how many."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in Session.objects.filter(expire_date__gt=_now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            store_class().delete(session.session_key)
            ended += 1
    return ended


def _now():
    return timezone.now()


def _on_user_saved(sender, instance, created, **kwargs):
    if not created and not instance.is_active:
        end_sessions_of(instance)


def connect_signals():
    post_save.connect(_on_user_saved, sender=get_user_model(), dispatch_uid="security-end-sessions")
