"""List untranslated or fuzzy entries in every locale/*/LC_MESSAGES/django.po; exit 1 if any.

Also reports entries whose placeholders (%(name)s, %s, {name}) differ between msgid and msgstr,
and plural entries with the wrong number of msgstr[N] for the catalogue's Plural-Forms.
Standard library only. Usage: .venv/bin/python scripts/po_check.py [file.po ...]
"""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pofile

ROOT = Path(__file__).resolve().parent.parent
PERCENT = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
BRACE = re.compile(r"\{[^{}]*\}")


def placeholders(text: str, flags: set[str]) -> list[str]:
    found = []
    if "python-format" in flags:
        found += [p for p in PERCENT.findall(text) if p != "%%"]
    if "python-brace-format" in flags:
        found += BRACE.findall(text)
    return sorted(found)


def problems(path: Path) -> list[str]:
    entries = pofile.read(path)
    plurals = pofile.nplurals(entries)
    found = []
    for entry in entries:
        if entry.is_obsolete:
            continue
        where = f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{entry.line}"
        label = "(header)" if entry.is_header else repr(entry.msgid)
        if "fuzzy" in entry.flags:
            found.append(f"{where}: fuzzy: {label}")
        if entry.is_header:
            continue
        msgstrs = entry.msgstrs()
        if entry.get("msgid_plural") is not None:
            keys = [key for key, _value in msgstrs]
            if keys != [f"msgstr[{i}]" for i in range(plurals)]:
                found.append(f"{where}: needs exactly {plurals} plural form(s): {label}")
        if not msgstrs or any(not value for _key, value in msgstrs):
            found.append(f"{where}: untranslated: {label}")
            continue
        expected = placeholders(entry.msgid, entry.flags)
        for _key, value in msgstrs:
            if placeholders(value, entry.flags) != expected:
                found.append(f"{where}: placeholders differ: {label} -> {value!r}")
    return found


def main() -> int:
    paths = [Path(arg).resolve() for arg in sys.argv[1:]] or sorted(
        ROOT.glob("locale/*/LC_MESSAGES/django.po")
    )
    found = [problem for path in paths for problem in problems(path)]
    for problem in found:
        print(problem)
    if found:
        print(f"{len(found)} problem(s) in {len(paths)} catalogue(s)")
        return 1
    print(f"OK: {len(paths)} catalogue(s) complete")
    return 0


if __name__ == "__main__":
    sys.exit(main())
