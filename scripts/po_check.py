"""List untranslated or fuzzy entries in every locale/*/LC_MESSAGES/django.po; exit 1 if any.

Also reports entries whose placeholders (%(name)s, %s, {name}) differ between msgid and msgstr,
and plural entries with the wrong number of msgstr[N] for the catalogue's Plural-Forms.
Reads the catalogues with polib (ADR 0011). Usage: .venv/bin/python scripts/po_check.py [file.po ...]
"""

import re
import sys
from pathlib import Path

import polib

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


def nplurals(catalogue: polib.POFile) -> int:
    """The number of plural forms the catalogue's Plural-Forms header declares (default 2)."""
    match = re.search(r"nplurals\s*=\s*(\d+)", catalogue.metadata.get("Plural-Forms", ""))
    return int(match.group(1)) if match else 2


def problems(path: Path) -> list[str]:
    catalogue = polib.pofile(str(path))
    plurals = nplurals(catalogue)
    name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    found = []
    if catalogue.metadata_is_fuzzy:
        found.append(f"{name}:1: fuzzy: (header)")
    for entry in catalogue:
        if entry.obsolete:
            continue
        where = f"{name}:{entry.linenum}"
        label = repr(entry.msgid)
        flags = set(entry.flags)
        if "fuzzy" in flags:
            found.append(f"{where}: fuzzy: {label}")
        if entry.msgid_plural:
            keys = sorted(entry.msgstr_plural)
            if keys != list(range(plurals)):
                found.append(f"{where}: needs exactly {plurals} plural form(s): {label}")
            msgstrs = [entry.msgstr_plural[key] for key in keys]
        else:
            msgstrs = [entry.msgstr]
        if not msgstrs or any(not value for value in msgstrs):
            found.append(f"{where}: untranslated: {label}")
            continue
        expected = placeholders(entry.msgid, flags)
        for value in msgstrs:
            if placeholders(value, flags) != expected:
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
