"""Embedded defaults for ``make run``: SQLite, file broker, console e-mail, DEBUG off.

The demo answers like the product: its own 404/403/500 pages, never Django's technical pages
(which list every URL). A developer asks for DEBUG with ``DEBUG=1 make run``. Static files are
served by WhiteNoise straight from the apps' and the project's static folders, so the demo
needs no ``collectstatic`` and works the same with DEBUG on or off.

A demo secret key and a demo field-encryption key are used when none is given; production
settings refuse both.
"""

from .base import *  # noqa: F403
from .base import FIELD_ENCRYPTION_KEYS, SECRET_KEY
from .env import env_bool

DEBUG = env_bool("DEBUG", False)
# ``load_demo`` loads its sites and logins only here, never with the production settings.
ALLOW_DEMO_DATA = True
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
SECRET_KEY = SECRET_KEY or "local-demo-key-not-for-production-7f3a9c2e1b"
# A fixed demo key so that the demo database stays readable across restarts.
FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or ["Zm9yLWRlbW8tb25seS1ub3QtYS1yZWFsLWtleS0wMDA="]
