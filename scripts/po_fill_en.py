"""Make the English catalogue complete: msgstr = msgid for every entry (source strings are English).

Run after each `makemessages`:
    .venv/bin/python manage.py makemessages -l id -l en --ignore .venv
    .venv/bin/python scripts/po_fill_en.py
Removes "fuzzy" flags (msgmerge guesses are wrong for English: the source is the translation).
Standard library only. Exit status 0; prints how many entries it changed.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pofile

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"


def fill(path: Path) -> int:
    entries = pofile.read(path)
    plurals = pofile.nplurals(entries)
    changed = 0
    for entry in entries:
        if entry.is_obsolete:
            continue
        before = (list(entry.comments), list(entry.fields))
        entry.remove_flag("fuzzy")
        if entry.is_header:
            pofile.set_header_field(entries, "Language", "en")
        elif entry.get("msgid_plural") is not None:
            forms = [entry.msgid] + [entry.get("msgid_plural")] * (plurals - 1)
            entry.fields = [(k, v) for k, v in entry.fields if not k.startswith("msgstr")]
            entry.fields.extend((f"msgstr[{i}]", form) for i, form in enumerate(forms))
        else:
            entry.set_value("msgstr", entry.msgid)
        if (entry.comments, entry.fields) != before:
            changed += 1
    pofile.write(path, entries)
    return changed


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else CATALOGUE
    changed = fill(path)
    print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {changed} entries set")
    return 0


if __name__ == "__main__":
    sys.exit(main())
