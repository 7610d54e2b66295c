"""What a strict CSP (``script-src 'self'``, ``style-src 'self'``) would block in a page."""

from __future__ import annotations

from html.parser import HTMLParser

# Script elements the browser does not execute: CSP does not apply to them.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "text/template"}


class InlineCodeFinder(HTMLParser):
    """Collects inline scripts, inline styles, event-handler attributes and javascript: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_inline_script = False
        self._script_text = ""

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        position = f"line {self.getpos()[0]}"
        if tag == "script":
            kind = (attributes.get("type") or "").strip().lower()
            if not attributes.get("src") and kind not in DATA_SCRIPT_TYPES:
                self._in_inline_script = True
                self._script_text = ""
        if tag == "style":
            self.problems.append(f"{position}: <style> block")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f'{position}: <{tag} style="{value}">')
            elif name.startswith("on"):
                self.problems.append(f"{position}: <{tag} {name}=…> event handler")
            elif name in {"href", "src", "action", "formaction"} and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.problems.append(f"{position}: <{tag} {name}=javascript:…>")

    def handle_data(self, data):
        if self._in_inline_script:
            self._script_text += data

    def handle_endtag(self, tag):
        if tag == "script" and self._in_inline_script:
            self.problems.append(
                f"line {self.getpos()[0]}: inline <script> {self._script_text.strip()[:80]!r}"
            )
            self._in_inline_script = False


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


class FormFinder(HTMLParser):
    """The forms of a page: method, action and every named control (with its options)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {
                "method": (a.get("method") or "get").lower(),
                "action": a.get("action") or "",
                "enctype": a.get("enctype") or "",
                "fields": [],
            }
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        if tag == "input" and a.get("name"):
            self._form["fields"].append(
                {
                    "name": a["name"],
                    "tag": "input",
                    "type": (a.get("type") or "text").lower(),
                    "value": a.get("value") or "",
                    "checked": "checked" in a,
                    "options": [],
                }
            )
        elif tag == "button" and a.get("name"):
            # Submit buttons with a name send their value (e.g. ``action=pay_card``).
            same = [f for f in self._form["fields"] if f["name"] == a["name"]]
            if same:
                same[0]["options"].append(a.get("value", ""))
            else:
                self._form["fields"].append(
                    {
                        "name": a["name"],
                        "tag": "button",
                        "type": "button",
                        "value": a.get("value", ""),
                        "checked": False,
                        "options": [a.get("value", "")],
                    }
                )
        elif tag == "select" and a.get("name"):
            self._select = {
                "name": a["name"],
                "tag": "select",
                "type": "select-multiple" if "multiple" in a else "select",
                "value": "",
                "checked": False,
                "options": [],
            }
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value", ""))
            if "selected" in a:
                self._select["value"] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = {
                "name": a["name"],
                "tag": "textarea",
                "type": "textarea",
                "value": "",
                "checked": False,
                "options": [],
            }
            self._form["fields"].append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(html: str) -> list[dict]:
    finder = FormFinder()
    finder.feed(html)
    finder.close()
    return finder.forms
