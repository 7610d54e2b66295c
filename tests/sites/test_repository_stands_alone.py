"""The repository stands alone: no file in it reads or cites a path outside it.

A clone on a machine with nothing beside it must pass its tests and make sense to whoever
reads it, so no file of the repository may name a folder beside the checkout or a path of one
particular machine. What the product does and how it is built is written in ``docs/``.

``OUTSIDE_PATHS`` lists what counts as such a reference, each with the reason: add a pattern
there when a new kind turns up. Among them, citations of documents that used to live beside
the repository (numbered sections of the old specification), whose content is now in ``docs/``.

The files checked are the ones git knows (tracked, or new and not ignored), or, outside a git
checkout, the tree without the folders the Makefile and the tools create.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
THIS_FILE = Path(__file__).resolve()  # it spells out the patterns it looks for
NOT_THE_PRODUCT = {
    ".git",
    ".venv",
    "var",
    "test-artifacts",
    "node_modules",
    "build",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
}


@dataclass(frozen=True)
class Reference:
    pattern: re.Pattern[str]
    why: str


def reference(pattern: str, why: str) -> Reference:
    return Reference(re.compile(pattern), why)


OUTSIDE_PATHS = [
    reference(r"\.\./shared\b", "a folder beside the repository, which a clone does not have"),
    reference(r"/[w]ork/", "a path of one machine"),
    reference(
        r"\bshared/(?:SPEC|ARCHITECTURE|PAYPAL-FACTS)\.md\b",
        "a document beside the repository: link the page of docs/ instead",
    ),
    reference(r"\bSPEC[ ]§", "a section of the specification: cite the page of docs/ instead"),
    reference(r"\bshared/paypal-openapi\b", "the documents are in payments/sandbox/openapi/"),
    reference(r"\bseed's\b", "the help article: cite docs/administrators.md instead"),
]


def git_files() -> list[Path] | None:
    """Tracked files and new ones git does not ignore; None outside a working git checkout."""
    if not shutil.which("git") or not (ROOT / ".git").exists():
        return None
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if listed.returncode != 0:
        return None
    return [ROOT / name for name in listed.stdout.decode().split("\0") if name]


def tree_files() -> list[Path]:
    """Every file of the tree but the folders the Makefile and the tools create."""
    paths = []
    for folder, subfolders, names in os.walk(ROOT):
        subfolders[:] = [
            name
            for name in subfolders
            if name not in NOT_THE_PRODUCT and not name.endswith(".egg-info")
        ]
        paths.extend(Path(folder) / name for name in names)
    return paths


def repository_files() -> list[Path]:
    paths = git_files()
    if paths is None:
        paths = tree_files()
    return sorted(path for path in paths if path.is_file() and path.resolve() != THIS_FILE)


def text_lines(path: Path) -> list[str]:
    data = path.read_bytes()
    if b"\0" in data:  # binary (compiled catalogs, images): no path to read there
        return []
    return data.decode("utf-8", errors="replace").splitlines()


def occurrences(references: list[Reference]) -> list[str]:
    """``file:line: why: the line`` for every line that matches one of ``references``."""
    found = []
    for path in repository_files():
        for number, line in enumerate(text_lines(path), start=1):
            for ref in references:
                if ref.pattern.search(line):
                    where = f"{path.relative_to(ROOT)}:{number}"
                    found.append(f"{where}: {ref.why}: {line.strip()[:120]}")
                    break  # one report per line is enough
    return found


@pytest.mark.parametrize("lister", [git_files, tree_files], ids=["git", "tree"])
def test_both_ways_find_the_repository_files_and_nothing_else(lister):
    paths = lister()
    if paths is None:
        pytest.skip("not a git checkout")
    names = {path.relative_to(ROOT).as_posix() for path in paths}
    assert {"README.md", "manage.py", "docs/README.md", "tests/sandbox/openapi.py"} <= names
    assert not any(name.startswith((".venv/", "var/", ".git/")) for name in names)


def test_the_patterns_find_what_they_describe():
    # The examples are put together from pieces, so that this file does not itself hold the
    # references it forbids (a plain search of the repository finds none).
    beside, machine, section = "../" + "shared", "/wo" + "rk/", "SPEC" + " §"
    examples = {
        f"see {beside}/SPEC.md": OUTSIDE_PATHS[0],
        f"reads {machine}shared/seeds/": OUTSIDE_PATHS[1],
        "how the code is laid out: shared/ARCHITECTURE.md": OUTSIDE_PATHS[2],
        f"the demo data of {section}8": OUTSIDE_PATHS[3],
        "PayPal's documents (``shared/paypal-openapi/``)": OUTSIDE_PATHS[4],
        "dd/mm/yyyy, the seed's format": OUTSIDE_PATHS[5],
    }
    for text, ref in examples.items():
        assert ref.pattern.search(text), (text, ref.why)
    for harmless in ("docs/architecture.md", "@shared_task", "var/shared/x", "the spec validator"):
        assert not any(ref.pattern.search(harmless) for ref in OUTSIDE_PATHS)


def test_no_file_names_a_path_outside_the_repository():
    found = occurrences(OUTSIDE_PATHS)
    assert not found, "Paths outside the repository:\n" + "\n".join(found)


MARKDOWN_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_the_readme_links_the_docs_and_every_link_of_the_docs_leads_somewhere():
    readme = (ROOT / "README.md").read_text()
    for page in ("docs/administrators.md", "docs/architecture.md", "docs/operations.md"):
        assert f"]({page})" in readme, page
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in MARKDOWN_LINK.findall(page.read_text()):
            if "://" in target:
                continue
            assert (page.parent / target).resolve().is_relative_to(ROOT), (page.name, target)
            assert (page.parent / target).exists(), (page.name, target)
