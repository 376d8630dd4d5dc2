"""The translation catalogues are complete and up to date: every string the code and templates
use is in them, translated, with the same placeholders, and none is fuzzy."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import polib  # noqa: E402
from po_check import problems  # noqa: E402


@pytest.mark.parametrize("lang", ["id", "en"])
def test_catalogue_has_no_untranslated_or_fuzzy_entries(lang):
    found = problems(ROOT / "locale" / lang / "LC_MESSAGES" / "django.po")
    assert found == [], f"{len(found)} problems in {lang}: {found[:10]}"


def msgids(path: Path) -> set[str]:
    return {e.msgid for e in polib.pofile(str(path)) if not e.obsolete}


def test_catalogue_is_up_to_date_with_the_code(tmp_path):
    """makemessages on a copy of the source finds no string the catalogue lacks."""
    copy = tmp_path / "src"
    ignore = shutil.ignore_patterns(
        ".venv", "var", "staticfiles", ".git", "__pycache__", "*.mo", "docs"
    )
    shutil.copytree(ROOT, copy, ignore=ignore, symlinks=True)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "id",
            "--ignore",
            ".venv",
            "--ignore",
            "tests",
            "--ignore",
            "benchmarks",
            "-v",
            "0",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    missing = sorted(
        msgids(copy / "locale/id/LC_MESSAGES/django.po")
        - msgids(ROOT / "locale/id/LC_MESSAGES/django.po")
    )
    assert missing == [], (
        f"{len(missing)} strings missing from the catalogue (run `make messages`): {missing[:10]}"
    )
