"""Reading configuration from the environment.

Every setting that varies between machines is read here, through these helpers, so that a
missing or malformed variable is reported by its name.
"""

import os
import re

from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value


def env_required(name: str, hint: str = "") -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        message = f"The environment variable {name} must be set in production."
        raise ImproperlyConfigured(f"{message} {hint}".strip())
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in TRUE_VALUES:
        return True
    if lowered in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_by_suffix(prefix: str, suffix_pattern: str = r"[A-Z]{2,8}") -> dict[str, str]:
    """Every variable named `<prefix><SUFFIX>`, as {SUFFIX: value}: e.g. SIGNING_CERT_PATH_BTG.
    A suffix that does not match `suffix_pattern` (a region code: 2 to 8 capital letters) is
    refused by name, so that a typo is not silently ignored."""
    found = {}
    for name, value in os.environ.items():
        if not name.startswith(prefix) or name == prefix:
            continue
        suffix = name[len(prefix) :]
        if not re.fullmatch(suffix_pattern, suffix):
            raise ImproperlyConfigured(
                f"{name}: the part after {prefix} must be a region code "
                f"(2 to 8 capital letters, e.g. {prefix}BTG)."
            )
        found[suffix] = value
    return found
