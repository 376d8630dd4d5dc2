"""Make the English catalogue complete: msgstr = msgid for every entry (source strings are English).

Run after each `makemessages`:
    .venv/bin/python manage.py makemessages -l id -l en --ignore .venv
    .venv/bin/python scripts/po_fill_en.py
Removes "fuzzy" flags (msgmerge guesses are wrong for English: the source is the translation).
Reads and writes with polib (ADR 0011). Exit status 0; prints how many entries it changed.
"""

import sys
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).resolve().parent))

from po_check import nplurals

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
# gettext's own line width: what makemessages writes, so that a fill changes only what it must.
WRAP = 79


def fill(path: Path) -> int:
    catalogue = polib.pofile(str(path), wrapwidth=WRAP)
    plurals = nplurals(catalogue)
    changed = 0
    catalogue.metadata["Language"] = "en"
    catalogue.metadata_is_fuzzy = False
    for entry in catalogue:
        if entry.obsolete:
            continue
        before = (list(entry.flags), entry.msgstr, dict(entry.msgstr_plural))
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        if entry.msgid_plural:
            entry.msgstr_plural = {
                i: entry.msgid if i == 0 else entry.msgid_plural for i in range(plurals)
            }
        else:
            entry.msgstr = entry.msgid
        if (list(entry.flags), entry.msgstr, dict(entry.msgstr_plural)) != before:
            changed += 1
    catalogue.save()
    return changed


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else CATALOGUE
    changed = fill(path)
    print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {changed} entries set")
    return 0


if __name__ == "__main__":
    sys.exit(main())
