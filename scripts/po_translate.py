"""Fill Indonesian translations from a JSON file {msgid: msgstr} into the catalogue, clearing
the fuzzy flag of each entry it sets. Usage: po_translate.py translations.json"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pofile

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "id" / "LC_MESSAGES" / "django.po"


def main() -> int:
    translations = json.loads(Path(sys.argv[1]).read_text())
    entries = pofile.read(CATALOGUE)
    done = 0
    for entry in entries:
        if entry.is_obsolete or entry.msgid not in translations:
            continue
        value = translations[entry.msgid]
        if entry.get("msgid_plural") is not None:
            entry.set_value("msgstr[0]", value)
        else:
            entry.set_value("msgstr", value)
        entry.remove_flag("fuzzy")
        done += 1
    pofile.write(CATALOGUE, entries)
    print(f"set {done} of {len(translations)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
