"""Throttling per person and per anonymous IP address, counted in the database cache (shared
by every web node, unaffected by a Redis outage). Rates come from settings at request time,
so that tests and operators can change them."""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _LiveRateMixin:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class PerUserThrottle(_LiveRateMixin, UserRateThrottle):
    scope = "user"


class PerAnonymousIpThrottle(_LiveRateMixin, AnonRateThrottle):
    scope = "anon"
