"""French typography as the tests check it: a non-breaking space before ``: ; ! ?`` and inside
``« »``.

``faults(text)`` lists every place ``text`` breaks the rule, each with a few characters of
context. A mark glued to words on both sides is not punctuation and passes (``hh:mm``, ``10:30``,
``https://``, ``?page=2``). Either non-breaking space counts: U+00A0, or U+202F (the narrow one
browsers use when they format French numbers). ``page_text(html)`` is what a reader sees of a
page (text nodes, SVG titles included; scripts and styles left out), for ``faults`` to read.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

NON_BREAKING = "\u00a0\u202f"
# What may follow a punctuation mark that ends a clause.
CLAUSE_END = NON_BREAKING + ")»\"'.,<"


def _context(text: str, index: int) -> str:
    return text[max(0, index - 20) : index + 20]


def faults(text: str) -> list[str]:
    found = []
    for match in re.finditer(r"[:;!?]", text):
        i = match.start()
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if before and before in NON_BREAKING:
            continue
        glued = before and not before.isspace() and after and not after.isspace()
        if glued and after not in CLAUSE_END:
            continue
        found.append(_context(text, i))
    for match in re.finditer("«", text):
        after = text[match.start() + 1 : match.start() + 2]
        if not after or after not in NON_BREAKING:
            found.append(_context(text, match.start()))
    for match in re.finditer("»", text):
        before = text[match.start() - 1] if match.start() else ""
        if not before or before not in NON_BREAKING:
            found.append(_context(text, match.start()))
    return found


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skipping += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)
