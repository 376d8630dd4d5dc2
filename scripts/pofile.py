"""A minimal reader and writer for gettext .po catalogues (standard library only).

Used by `scripts/po_check.py` and `scripts/po_fill_en.py`. It understands what Django's
makemessages writes: comments (`#:`, `#,`, `#.`, `#|`, obsolete `#~`), msgctxt, msgid,
msgid_plural, msgstr and msgstr[N], with strings continued over several lines.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

WIDTH = 79
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")\s*$")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def unquote(text: str) -> str:
    """Turn one quoted .po string literal ("...") into its value."""
    body = text.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), body)


def quote(value: str) -> str:
    """The body of a .po string literal for `value` (without the surrounding quotes)."""
    return (
        value.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\t", "\\t")
        .replace("\r", "\\r")
    )


@dataclass
class Entry:
    comments: list[str] = field(default_factory=list)
    # (keyword, value) in file order, e.g. ("msgid", "Log in"), ("msgstr[0]", "Masuk").
    fields: list[tuple[str, str]] = field(default_factory=list)
    line: int = 0

    def get(self, keyword: str, default: str | None = None) -> str | None:
        for key, value in self.fields:
            if key == keyword:
                return value
        return default

    def set_value(self, keyword: str, value: str) -> None:
        for index, (key, _old) in enumerate(self.fields):
            if key == keyword:
                self.fields[index] = (key, value)
                return
        self.fields.append((keyword, value))

    @property
    def msgid(self) -> str:
        return self.get("msgid", "")

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.get("msgctxt") is None

    @property
    def is_obsolete(self) -> bool:
        return not self.fields

    @property
    def flags(self) -> set[str]:
        found = set()
        for comment in self.comments:
            if comment.startswith("#,"):
                found.update(flag.strip() for flag in comment[2:].split(","))
        return found - {""}

    def remove_flag(self, flag: str) -> None:
        kept = []
        for comment in self.comments:
            if comment.startswith("#,"):
                flags = [
                    f.strip() for f in comment[2:].split(",") if f.strip() and f.strip() != flag
                ]
                if flags:
                    kept.append("#, " + ", ".join(flags))
                continue
            kept.append(comment)
        self.comments = kept

    def msgstrs(self) -> list[tuple[str, str]]:
        return [(key, value) for key, value in self.fields if key.startswith("msgstr")]


def parse(text: str) -> list[Entry]:
    entries: list[Entry] = []
    current = Entry()
    last_key: str | None = None

    def flush() -> None:
        nonlocal current, last_key
        if current.comments or current.fields:
            entries.append(current)
        current = Entry()
        last_key = None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\n")
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        if not current.comments and not current.fields:
            current.line = number
        if stripped.startswith("#"):
            if current.fields:  # a comment after the strings starts a new entry
                flush()
                current.line = number
            current.comments.append(stripped)
            continue
        match = _KEYWORD.match(stripped)
        if match:
            if match.group(1) in ("msgctxt", "msgid") and current.msgstrs():
                # msgctxt/msgid after a msgstr without a blank line: a new entry.
                flush()
                current.line = number
            last_key = match.group(1)
            current.fields.append((last_key, unquote(match.group(2))))
            continue
        if stripped.startswith('"') and last_key is not None:
            key, value = current.fields[-1]
            current.fields[-1] = (key, value + unquote(stripped))
            continue
        raise ValueError(f"line {number}: cannot parse {line!r}")
    flush()
    return entries


def _chunks(value: str, width: int) -> list[str]:
    """Split a quoted body into pieces that fit in `width` (like msgcat: after \\n and spaces)."""
    pieces: list[str] = []
    for part in re.split(r"(?<=\\n)", quote(value)):
        if not part:
            continue
        while len(part) > width:
            cut = part.rfind(" ", 0, width)
            if cut <= 0:
                break
            pieces.append(part[: cut + 1])
            part = part[cut + 1 :]
        pieces.append(part)
    return pieces


def format_field(keyword: str, value: str) -> list[str]:
    body = quote(value)
    one_line = f'{keyword} "{body}"'
    if len(one_line) <= WIDTH and "\\n" not in body[:-2]:
        return [one_line]
    return [f'{keyword} ""'] + [f'"{piece}"' for piece in _chunks(value, WIDTH - 2)]


def dump(entries: list[Entry]) -> str:
    blocks = []
    for entry in entries:
        lines = list(entry.comments)
        for keyword, value in entry.fields:
            lines.extend(format_field(keyword, value))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def header_fields(entries: list[Entry]) -> dict[str, str]:
    for entry in entries:
        if entry.is_header:
            result = {}
            for line in (entry.get("msgstr") or "").splitlines():
                name, _sep, value = line.partition(":")
                result[name.strip()] = value.strip()
            return result
    return {}


def set_header_field(entries: list[Entry], name: str, value: str) -> None:
    for entry in entries:
        if entry.is_header:
            lines = (entry.get("msgstr") or "").splitlines()
            for index, line in enumerate(lines):
                if line.split(":", 1)[0].strip() == name:
                    lines[index] = f"{name}: {value}"
                    break
            else:
                lines.append(f"{name}: {value}")
            entry.set_value("msgstr", "".join(line + "\n" for line in lines))
            return


def nplurals(entries: list[Entry]) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", header_fields(entries).get("Plural-Forms", ""))
    return int(match.group(1)) if match else 2


def read(path: Path) -> list[Entry]:
    return parse(path.read_text(encoding="utf-8"))


def write(path: Path, entries: list[Entry]) -> None:
    path.write_text(dump(entries), encoding="utf-8")
