"""The recipients file of *Create*: ``email[,name]`` lines, read all or nothing."""

from __future__ import annotations

import csv
import io
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sites.inputs import control_characters
from sites.money import format_number

from .models import PromoCode

MAX_RECIPIENT_LINES = 1000
MAX_UPLOAD_BYTES = 1024 * 1024
MAX_REPORTED_LINE_ERRORS = 20
# The columns' own limits: a longer value is a line error, never a database error.
MAX_EMAIL_LENGTH = PromoCode._meta.get_field("recipient_email").max_length
MAX_NAME_LENGTH = PromoCode._meta.get_field("recipient_name").max_length
# Only these end a line: str.splitlines() would also split on form feeds, separators and
# other control characters, and the line numbers shown would no longer be the file's.
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def parse_recipients(upload) -> list[tuple[str, str]]:
    """``[(email, name), …]`` from a ``.txt``/``.csv`` file of ``email[,name]`` lines.

    All or nothing: any bad line raises one ValidationError naming every bad line (up to
    twenty). Blank lines are ignored; a first line ``email[,name]`` is taken as a header;
    without a name, the part of the address before ``@`` is used. A line holding a control
    character (NUL, escape, tab…) is a bad line: it would reach the CSV export and the e-mail.
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
    lines = LINE_BREAK.split(text)
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
    if numbered and numbered[0][1].strip().lower().replace(" ", "") in ("email", "email,name"):
        numbered = numbered[1:]
    if not numbered:
        raise ValidationError(_("The file holds no recipient."), code="empty")
    if len(numbered) > MAX_RECIPIENT_LINES:
        raise ValidationError(
            _("The file has %(count)s recipients; at most %(max)s are allowed."),
            code="too_many",
            params={
                "count": format_number(len(numbered)),
                "max": format_number(MAX_RECIPIENT_LINES),
            },
        )
    recipients, errors = [], []
    for number, line in numbered:
        if control_characters(line):
            errors.append(
                _("Line %(line)d: remove the invisible control characters (such as NUL).")
                % {"line": number}
            )
            continue
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
        if len(email) > MAX_EMAIL_LENGTH:
            errors.append(
                _("Line %(line)d: the email address is longer than %(max)d characters.")
                % {"line": number, "max": MAX_EMAIL_LENGTH}
            )
            continue
        try:
            validate_email(email)
        except ValidationError:
            errors.append(
                _("Line %(line)d: “%(email)s” is not a valid email address.")
                % {"line": number, "email": email[:80]}
            )
            continue
        recipient_name = fields[1] if len(fields) == 2 and fields[1] else email.split("@")[0]
        if len(recipient_name) > MAX_NAME_LENGTH:
            errors.append(_("Line %(line)d: the name is too long.") % {"line": number})
            continue
        recipients.append((email, recipient_name))
    if errors:
        shown = [ValidationError(str(e), code="line") for e in errors[:MAX_REPORTED_LINE_ERRORS]]
        if len(errors) > MAX_REPORTED_LINE_ERRORS:
            more = len(errors) - MAX_REPORTED_LINE_ERRORS
            shown.append(
                ValidationError(
                    ngettext("…and %(n)s more bad line.", "…and %(n)s more bad lines.", more)
                    % {"n": format_number(more)},
                    code="line",
                )
            )
        shown.append(ValidationError(_("Nothing was created."), code="nothing"))
        raise ValidationError(shown)
    return recipients
