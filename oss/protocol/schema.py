"""A small declarative validator for OSS's JSON, written to read like the guide's tables.

Each message is a tree of field specs (`Obj`, `List`, `Str`, `Digits`, `Date`, `DateTime`, `Num`,
`Url`, `Bool`, `Kbli`) transcribed from the guide's ``@apiBody`` lines, e.g.
``"nib": Digits(13, required=True)`` for ``{string(13)} dataNIB.nib``. `validate` walks a decoded
body against a spec and returns a normalised copy, or raises `ProtocolError` listing every
problem (up to `MAX_ISSUES`) as a field path and a reason:
``dataNIB.data_checklist[1].kd_daerah: must be exactly 10 digits, got 9``.

Rules, the same for every message (docs/oss.md, "Validation rules"):
- `required` means present, not null and not blank; any other field may be absent, null or "".
- Text fields take JSON strings; a JSON integer is accepted and read as its digits (OSS's own
  examples mix the two). Lengths count characters, not bytes.
- Number fields take JSON numbers or numeric strings; ``number(p)`` allows p integer digits,
  ``number(p.s)`` also at most s decimals.
- Unknown keys are kept and ignored (`unknown="ignore"`, for what OSS sends us: the guide grows
  fields from version to version) or refused (`unknown="reject"`, for what we send, and in the
  simulator, so that a misspelt key is caught before OSS ignores it silently).
- Wrong types never raise anything but `ProtocolError`.

Who calls it: `oss.protocol.inbound` / `outbound` and the simulator. Plain Python, no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

MAX_ISSUES = 50

_DIGITS = re.compile(r"[0-9]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


@dataclass(frozen=True)
class Issue:
    """One problem: where (`path`, e.g. ``IZINSTATUS.kd_status``), a stable `code`
    (`required`, `type`, `length`, `format`, `choice`, `unknown`, `rule`, `too_many`) and
    a `reason` in English for logs, tests and OSS's `keterangan`."""

    path: str
    code: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path or '(body)'}: {self.reason}"


class ProtocolError(ValueError):
    """A message does not have the guide's shape. `issues` lists every problem found."""

    def __init__(self, issues):
        self.issues: tuple[Issue, ...] = tuple(issues)
        super().__init__("; ".join(str(issue) for issue in self.issues))

    def summary(self, limit: int = 255) -> str:
        """The issues as one line of at most `limit` characters (for OSS's `keterangan`)."""
        text = str(self)
        return text if len(text) <= limit else text[: limit - 1] + "…"

    @property
    def paths(self) -> list[str]:
        return [issue.path for issue in self.issues]


class _Full(Exception):
    """Raised inside the walk once MAX_ISSUES problems are recorded."""


class _Context:
    def __init__(self, unknown: str, require: bool):
        self.unknown = unknown
        self.require = require
        self.issues: list[Issue] = []

    def add(self, path: str, code: str, reason: str) -> None:
        self.issues.append(Issue(path, code, reason))
        if len(self.issues) >= MAX_ISSUES:
            self.issues.append(Issue(path, "too_many", f"more than {MAX_ISSUES} problems"))
            raise _Full


def json_type(value: object) -> str:
    """The JSON name of a decoded value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_INVALID = object()


class Field:
    """Base of every spec. `required`: present, not null, not blank."""

    kind = "field"

    def __init__(self, *, required: bool = False, doc: str = ""):
        self.required = required
        self.doc = doc

    def clean(self, value, path: str, ctx: _Context):
        raise NotImplementedError

    def describe(self) -> str:
        return self.kind


class Str(Field):
    """``string(n)``: text of at most `max_length` characters.

    `length`: exactly that many; `digits`: only 0-9; `choices`: one of these values."""

    kind = "string"

    def __init__(
        self,
        max_length: int,
        *,
        length: int | None = None,
        digits: bool = False,
        choices: tuple[str, ...] | frozenset[str] | None = None,
        required: bool = False,
        doc: str = "",
    ):
        super().__init__(required=required, doc=doc)
        self.max_length = max_length
        self.length = length
        self.digits = digits
        self.choices = choices

    def describe(self) -> str:
        if self.length and self.digits:
            return f"{self.length} digits"
        text = f"string({self.max_length})"
        if self.choices:
            text += " one of " + "/".join(sorted(self.choices))
        return text

    def text(self, value, path: str, ctx: _Context):
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            ctx.add(path, "type", f"expected text, got {json_type(value)}")
            return _INVALID
        return str(value) if isinstance(value, int) else value

    def clean(self, value, path, ctx):
        text = self.text(value, path, ctx)
        if text is _INVALID:
            return text
        if len(text) > self.max_length:
            ctx.add(
                path,
                "length",
                f"too long: {len(text)} characters, at most {self.max_length}",
            )
            return _INVALID
        if self.digits and not _DIGITS.fullmatch(text):
            ctx.add(path, "format", "must contain digits only")
            return _INVALID
        if self.length is not None and len(text) != self.length:
            unit = "digits" if self.digits else "characters"
            ctx.add(path, "length", f"must be exactly {self.length} {unit}, got {len(text)}")
            return _INVALID
        if self.choices is not None and text not in self.choices:
            allowed = ", ".join(sorted(self.choices))
            ctx.add(path, "choice", f"{text!r} is not one of {allowed}")
            return _INVALID
        return text


def Digits(length: int, **kwargs) -> Str:
    """Exactly `length` digits (NIB 13, kd_daerah 10)."""
    return Str(length, length=length, digits=True, **kwargs)


class Kbli(Str):
    """A KBLI 2020 code: up to `max_length` digits (the guide types it ``number(7)``, 5 in use).

    A JSON number is read as a 5-digit code (``1111`` → ``"01111"``): KBLI codes have leading
    zeros that a number loses."""

    kind = "kbli"

    def __init__(self, max_length: int = 7, **kwargs):
        super().__init__(max_length, digits=True, **kwargs)

    def text(self, value, path, ctx):
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return f"{value:05d}"
        return super().text(value, path, ctx)


class _Formatted(Str):
    """Text in a fixed `pattern` that `parse` must also accept (a real date or moment)."""

    pattern: re.Pattern
    expected: str

    def parse(self, text: str) -> None:
        raise NotImplementedError

    def describe(self) -> str:
        return self.expected

    def clean(self, value, path, ctx):
        text = Str.text(self, value, path, ctx)
        if text is _INVALID:
            return text
        if not self.pattern.fullmatch(text):
            ctx.add(path, "format", f"expected {self.expected}, got {text[:25]!r}")
            return _INVALID
        try:
            self.parse(text)
        except ValueError:
            ctx.add(path, "format", f"{text!r} is not {self.invalid}")
            return _INVALID
        return text


class Date(_Formatted):
    """``string(10)`` in the format YYYY-MM-DD, a real calendar date."""

    kind = "date"
    pattern = _DATE
    expected = "a date YYYY-MM-DD"
    invalid = "a calendar date"

    def __init__(self, **kwargs):
        super().__init__(10, **kwargs)

    def parse(self, text: str) -> None:
        date.fromisoformat(text)


class DateTime(_Formatted):
    """``YYYY-MM-DD HH:MM:SS`` (the guide's "HH:II:SS"), a real moment."""

    kind = "datetime"
    pattern = _DATETIME
    expected = "YYYY-MM-DD HH:MM:SS"
    invalid = "a valid date and time"

    def __init__(self, **kwargs):
        super().__init__(19, **kwargs)

    def parse(self, text: str) -> None:
        datetime.strptime(text, "%Y-%m-%d %H:%M:%S")  # OSS sends no zone


class Url(Str):
    """A link (``string(65535)`` "berupa link"): an absolute http(s) URL."""

    kind = "url"

    def __init__(self, max_length: int = 65535, **kwargs):
        super().__init__(max_length, **kwargs)

    def describe(self) -> str:
        return f"http(s) URL, at most {self.max_length}"

    def clean(self, value, path, ctx):
        text = super().clean(value, path, ctx)
        if text is _INVALID:
            return text
        try:
            parts = urlsplit(text)
        except ValueError:
            parts = None
        if (
            parts is None
            or parts.scheme not in ("http", "https")
            or not parts.hostname
            or _CONTROL.search(text)
        ):
            ctx.add(path, "format", "expected an absolute http(s) URL")
            return _INVALID
        return text


class Num(Field):
    """``number(p)`` / ``number(p.s)``: a JSON number or a numeric string."""

    kind = "number"

    def __init__(self, digits: int, decimals: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.digits = digits
        self.decimals = decimals

    def describe(self) -> str:
        return f"number({self.digits}{'' if self.decimals is None else f'.{self.decimals}'})"

    def clean(self, value, path, ctx):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            ctx.add(path, "type", f"expected a number, got {json_type(value)}")
            return _INVALID
        text = value.strip() if isinstance(value, str) else repr(value)
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if (
            number is None
            or not number.is_finite()
            or (isinstance(value, str) and not _NUMBER.fullmatch(text))
        ):
            ctx.add(path, "format", f"expected a number, got {str(value)[:20]!r}")
            return _INVALID
        _sign, digit_tuple, exponent = number.as_tuple()
        integer_digits = max(len(digit_tuple) + exponent, 1)
        decimals = -exponent if exponent < 0 else 0
        if integer_digits > self.digits:
            ctx.add(path, "length", f"too many digits: at most {self.digits} before the point")
            return _INVALID
        if self.decimals is not None and decimals > self.decimals:
            ctx.add(path, "length", f"too many decimals: at most {self.decimals}")
            return _INVALID
        return value


class Bool(Field):
    """``boolean``: JSON true or false."""

    kind = "boolean"

    def clean(self, value, path, ctx):
        if not isinstance(value, bool):
            ctx.add(path, "type", f"expected true or false, got {json_type(value)}")
            return _INVALID
        return value


class Obj(Field):
    """``Object``: a JSON object with these `fields`.

    `aliases` maps a key as OSS sometimes spells it to the guide's key (e.g. the guide's own
    examples send ``"tipe_dokumen "`` with a trailing space). `check(cleaned, path, add)` adds
    rules across fields (e.g. "nib or npwp"). An empty list is read as an empty object (PHP
    encodes an empty associative array as ``[]``); a blank or null value counts as absent."""

    kind = "object"

    def __init__(self, fields: dict[str, Field], *, aliases=None, check=None, **kwargs):
        super().__init__(**kwargs)
        self.fields = fields
        self.aliases = aliases or {}
        self.check = check

    def clean(self, value, path, ctx):
        if value == []:
            value = {}  # PHP encodes an empty associative array as []
        if not isinstance(value, dict):
            ctx.add(path, "type", f"expected an object, got {json_type(value)}")
            return _INVALID
        data = dict(value)
        for alias, key in self.aliases.items():
            if alias in data and key not in data:
                data[key] = data.pop(alias)
        cleaned: dict = {}
        ok = True
        for key, spec in self.fields.items():
            child = f"{path}.{key}" if path else key
            raw = data.get(key)
            if is_blank(raw):
                if spec.required and ctx.require:
                    ctx.add(child, "required", "required")
                    ok = False
                if key in data:
                    cleaned[key] = raw
                continue
            result = spec.clean(raw, child, ctx)
            if result is _INVALID:
                ok = False
            else:
                cleaned[key] = result
        for key in data:
            if key in self.fields:
                continue
            if ctx.unknown == "reject":
                child = f"{path}.{key}" if path else key
                ctx.add(child, "unknown", "not a field of the guide")
                ok = False
            else:
                cleaned[key] = data[key]
        if ok and self.check is not None:
            before = len(ctx.issues)
            self.check(cleaned, path, ctx.add)
            ok = len(ctx.issues) == before
        return cleaned if ok else _INVALID


class List(Field):
    """``Object[]`` (or a list of scalars): a JSON list whose items follow `item`."""

    kind = "list"

    def __init__(self, item: Field, *, required: bool = False, doc: str = ""):
        super().__init__(required=required, doc=doc)
        self.item = item

    def clean(self, value, path, ctx):
        if not isinstance(value, list):
            ctx.add(path, "type", f"expected a list, got {json_type(value)}")
            return _INVALID
        if self.required and ctx.require and not value:
            ctx.add(path, "required", "must not be empty")
            return _INVALID
        cleaned = []
        ok = True
        for index, item in enumerate(value):
            result = self.item.clean(item, f"{path}[{index}]", ctx)
            if result is _INVALID:
                ok = False
            else:
                cleaned.append(result)
        return cleaned if ok else _INVALID


class ObjOrList(Field):
    """Where the guide's table says ``Object[]`` and its example shows one object
    (``data_checklist[].data_produk_halal``): either is accepted, and kept as sent."""

    kind = "object or list"

    def __init__(self, item: Obj, **kwargs):
        super().__init__(**kwargs)
        self.item = item

    def clean(self, value, path, ctx):
        if isinstance(value, list):
            return List(self.item).clean(value, path, ctx)
        return self.item.clean(value, path, ctx)


def validate(spec: Obj, body: object, *, unknown: str = "ignore", require: bool = True) -> dict:
    """Check `body` (a decoded JSON value) against `spec`; return the normalised copy.

    `unknown`: "ignore" keeps keys the spec does not name, "reject" reports them.
    `require=False` skips the required-field rule (for reading OSS's lenient answers).
    Raises `ProtocolError` with every issue found. Never raises anything else.
    """
    ctx = _Context(unknown=unknown, require=require)
    if not isinstance(body, dict):  # at the root even an empty list is not an object
        raise ProtocolError([Issue("", "type", f"expected an object, got {json_type(body)}")])
    try:
        result = spec.clean(body, "", ctx)
    except _Full:
        result = _INVALID
    except RecursionError:
        ctx.issues.append(Issue("", "format", "nested too deeply"))
        result = _INVALID
    if result is _INVALID or ctx.issues:
        raise ProtocolError(ctx.issues or [Issue("", "format", "invalid")])
    return result


def field_paths(spec: Field, prefix: str = "") -> list[str]:
    """Every field path a spec names, lists written ``[]`` (for docs and coverage tests)."""
    paths: list[str] = []
    if isinstance(spec, Obj):
        for key, child in spec.fields.items():
            path = f"{prefix}.{key}" if prefix else key
            paths.append(path)
            paths.extend(field_paths(child, path))
    elif isinstance(spec, List):
        paths.extend(field_paths(spec.item, prefix + "[]"))
    elif isinstance(spec, ObjOrList):  # written as the object the guide's example shows
        paths.extend(field_paths(spec.item, prefix))
    return paths
