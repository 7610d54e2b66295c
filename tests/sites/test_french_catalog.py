"""The French catalog covers every translatable string of the code and templates, and writes
French typography: a non-breaking space before ``: ; ! ?`` and inside ``« »``."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from tests import french_typography

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


def translations(po: polib.POFile) -> list[tuple[str, str]]:
    """Every (msgid, msgstr) of the catalog, plural forms included, header left out."""
    pairs = []
    for entry in po:
        if entry.obsolete or not entry.msgid:
            continue
        texts = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        pairs += [(entry.msgid, text) for text in texts]
    return pairs


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


def test_every_french_translation_has_a_non_breaking_space_before_high_punctuation():
    po = polib.pofile(str(ROOT / "locale/fr/LC_MESSAGES/django.po"))
    wrong = {
        msgid: found
        for msgid, text in translations(po)
        if (found := french_typography.faults(text))
    }
    assert wrong == {}


@pytest.mark.parametrize(
    "text",
    [
        "Montant : 25,00 $",  # plain space before the colon
        "Montant: 25,00 $",  # no space at all
        "Vraiment ?",
        "Attention !",
        "Payé ; reçu envoyé",
        "Choisissez « Payer »",  # plain spaces inside the quotes
        "Choisissez «\u00a0Payer»",
        "Fin :",
        "%(name)s: %(value)s",
    ],
)
def test_the_typography_check_finds_a_plain_or_missing_space(text):
    assert french_typography.faults(text)


@pytest.mark.parametrize(
    "text",
    [
        "Montant\u00a0: 25,00\u00a0$",
        "Vraiment\u202f?",
        "Choisissez «\u00a0Payer\u00a0».",
        "jj/mm/aaaa hh:mm, à 10:30",
        "Voir https://example.com/?page=2",
    ],
)
def test_the_typography_check_lets_correct_french_and_non_punctuation_pass(text):
    assert french_typography.faults(text) == []
