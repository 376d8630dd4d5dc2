"""Fill Indonesian translations from a JSON file {msgid: msgstr} into the catalogue, clearing
the fuzzy flag of each entry it sets (polib, ADR 0011). Usage: po_translate.py translations.json

A plural entry takes either one string (every form) or a list of its forms."""

import json
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "id" / "LC_MESSAGES" / "django.po"
WRAP = 79  # gettext's line width (scripts/po_fill_en.py)


def main() -> int:
    translations = json.loads(Path(sys.argv[1]).read_text())
    catalogue = polib.pofile(str(CATALOGUE), wrapwidth=WRAP)
    done = 0
    for entry in catalogue:
        if entry.obsolete or entry.msgid not in translations:
            continue
        value = translations[entry.msgid]
        if entry.msgid_plural:
            forms = value if isinstance(value, list) else [value]
            keys = sorted(entry.msgstr_plural) or [0]
            entry.msgstr_plural = {k: forms[min(i, len(forms) - 1)] for i, k in enumerate(keys)}
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        done += 1
    catalogue.save()
    print(f"set {done} of {len(translations)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
