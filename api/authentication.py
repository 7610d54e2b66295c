"""``Authorization: Bearer wxk_…``: the API key authentication (no CSRF: nothing ambient).

A request with such a header is authenticated as the key's holder (``request.user``) with
the key as ``request.auth``; an unknown or revoked key, or one whose holder left the site,
answers 401. A console session is accepted too (``SessionAuthentication``, which enforces
CSRF on every unsafe method, so a page of another origin cannot write through a logged-in
browser).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from . import keys

SCHEME = "Bearer"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != SCHEME.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give the API key after “Bearer ”."))
        try:
            plain = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid API key.")) from exc
        key = keys.find_active_key(plain)
        role = keys.effective_role(key) if key is not None else None
        if key is None or role is None or not key.holder.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        key.role = role
        keys.note_use(key)
        return key.holder, key

    def authenticate_header(self, request):
        return f'{SCHEME} realm="api"'
