"""The French catalog covers every translatable string of the code and templates."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    "manage.py",
    "webexcommerce",
    "sites",
    "payments",
    "promocodes",
    "api",
    "monitoring",
    "templates",
    "locale",
]


def untranslated(po: polib.POFile) -> list[str]:
    missing = []
    for entry in po:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            missing.append(entry.msgid)
        elif entry.msgid_plural:
            if not all(entry.msgstr_plural.values()):
                missing.append(entry.msgid)
        elif not entry.msgstr:
            missing.append(entry.msgid)
    return missing


def test_committed_french_catalog_has_no_empty_or_fuzzy_entry():
    po = polib.pofile(str(ROOT / "locale/fr/LC_MESSAGES/django.po"))
    assert untranslated(po) == []


def test_makemessages_finds_nothing_left_untranslated(tmp_path):
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-obsolete", "-v", "0"],
        cwd=tmp_path,
        check=True,
        env={
            "DJANGO_SETTINGS_MODULE": "webexcommerce.settings.local",
            "VAR_DIR": str(tmp_path / "var"),
            "PATH": "/usr/bin:/bin",
        },
        timeout=120,
    )
    po = polib.pofile(str(tmp_path / "locale/fr/LC_MESSAGES/django.po"))
    assert untranslated(po) == []
