"""The recipients file of *Create*: ``email[,name]`` lines, read all or nothing."""

from __future__ import annotations

import csv
import io

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

MAX_RECIPIENT_LINES = 1000
MAX_UPLOAD_BYTES = 1024 * 1024
MAX_REPORTED_LINE_ERRORS = 20


def parse_recipients(upload) -> list[tuple[str, str]]:
    """``[(email, name), …]`` from a ``.txt``/``.csv`` file of ``email[,name]`` lines.

    All or nothing: any bad line raises one ValidationError naming every bad line (up to
    twenty). Blank lines are ignored; a first line ``email[,name]`` is taken as a header;
    without a name, the part of the address before ``@`` is used.
    """
    name = (upload.name or "").lower()
    if not name.endswith((".txt", ".csv")):
        raise ValidationError(_("Upload a .txt or .csv file."), code="extension")
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The file is larger than 1 MB."), code="size")
    raw = upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The file is not UTF-8 text."), code="encoding") from exc
    lines = text.splitlines()
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
    if numbered and numbered[0][1].strip().lower().replace(" ", "") in ("email", "email,name"):
        numbered = numbered[1:]
    if not numbered:
        raise ValidationError(_("The file holds no recipient."), code="empty")
    if len(numbered) > MAX_RECIPIENT_LINES:
        raise ValidationError(
            _("The file has %(count)d recipients; at most %(max)d are allowed."),
            code="too_many",
            params={"count": len(numbered), "max": MAX_RECIPIENT_LINES},
        )
    recipients, errors = [], []
    for number, line in numbered:
        try:
            fields = next(csv.reader(io.StringIO(line)))
        except csv.Error:
            fields = None
        fields = [f.strip() for f in fields or []]
        if not fields or len(fields) > 2 or not fields[0]:
            errors.append(
                _("Line %(line)d: expected email[,name].") % {"line": number},
            )
            continue
        email = fields[0]
        try:
            validate_email(email)
        except ValidationError:
            errors.append(
                _("Line %(line)d: “%(email)s” is not a valid email address.")
                % {"line": number, "email": email[:80]}
            )
            continue
        recipient_name = fields[1] if len(fields) == 2 and fields[1] else email.split("@")[0]
        if len(recipient_name) > 200:
            errors.append(_("Line %(line)d: the name is too long.") % {"line": number})
            continue
        recipients.append((email, recipient_name))
    if errors:
        shown = [ValidationError(str(e), code="line") for e in errors[:MAX_REPORTED_LINE_ERRORS]]
        if len(errors) > MAX_REPORTED_LINE_ERRORS:
            more = len(errors) - MAX_REPORTED_LINE_ERRORS
            shown.append(
                ValidationError(
                    ngettext("…and %(n)d more bad line.", "…and %(n)d more bad lines.", more)
                    % {"n": more},
                    code="line",
                )
            )
        shown.append(ValidationError(_("Nothing was created."), code="nothing"))
        raise ValidationError(shown)
    return recipients
