"""The console's menus, filled by the apps above the ground floor.

``sites`` knows no app above it. Each app registers its ``Section`` headings and ``Link``
entries in its ``AppConfig.ready()``; two menus render whatever was registered:

* ``SIDEBAR``, the site navigation beside every console page (``sites/_site_nav.html``);
* ``HOME``, the cards of the site's home page (``sites/site_home.html``);
* ``ECOMMERCE``, the tabs of a service's E-Commerce pages (``sites/_ecommerce_tabs.html``),
  one bar shared by the settings, provider and promotional-code pages: their links take the
  page's service (``of_service``) and are filed under the ``tabs`` section.

A link names its URL (the site's slug first, then what ``url_args`` adds), the roles that see
it, whether the site must be provisioned for e-commerce, and when it is the current page
(``active``: a test on the page's template context, e.g. ``on_section("transactions")``).
Sections and links are shown by ``order``; a section without a visible link is not shown.
Registering the same key again replaces the entry, so ``ready()`` may run twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise

from .models import Role

SIDEBAR = "sidebar"
HOME = "home"
ECOMMERCE = "ecommerce"

ALL_ROLES = frozenset(Role.values)
ADMINS = frozenset({Role.ADMIN.value})

PageContext = Mapping[str, object]


def never(context: PageContext) -> bool:
    return False


def on_section(*sections: str) -> Callable[[PageContext], bool]:
    """Active when the page's ``section`` is one of ``sections``."""
    return lambda context: context.get("section") in sections


def on_service(service: str) -> Callable[[PageContext], bool]:
    """Active on every page of one service (``events`` or ``training``)."""
    return lambda context: context.get("service") == service


def of_service(context: PageContext) -> tuple:
    """The URL argument of a page of one service: the page's ``service``."""
    return (context["service"],)


def with_args(*args: str) -> Callable[[PageContext], tuple]:
    """URL arguments after the site's slug, the same on every page."""
    return lambda context: args


@dataclass(frozen=True)
class Section:
    menu: str
    key: str
    label: Promise | str
    order: int


@dataclass(frozen=True)
class Link:
    menu: str
    section: str
    key: str
    label: Promise | str
    url_name: str
    order: int
    roles: frozenset[str] = ALL_ROLES
    requires_provisioning: bool = True
    url_args: Callable[[PageContext], tuple] = with_args()
    active: Callable[[PageContext], bool] = never


@dataclass(frozen=True)
class ShownLink:
    label: Promise | str
    href: str
    active: bool


@dataclass(frozen=True)
class ShownSection:
    label: Promise | str
    links: list[ShownLink]


_sections: dict[tuple[str, str], Section] = {}
_links: dict[tuple[str, str], Link] = {}


def register(*entries: Section | Link) -> None:
    """Add (or replace, by menu and key) sections and links."""
    for entry in entries:
        registry = _sections if isinstance(entry, Section) else _links
        registry[(entry.menu, entry.key)] = entry


def menu(name: str, context: PageContext) -> list[ShownSection]:
    """The sections of menu ``name`` and their links, as the member of ``context`` sees them.

    ``context`` holds ``site`` and ``membership`` (a console page's context, see
    ``sites.scoping.SiteMemberMixin``); a link under a section nobody registered is an error.
    """
    site = context["site"]
    role = context["membership"].role
    shown: dict[str, list[tuple[int, ShownLink]]] = {}
    for link in _links.values():
        if link.menu != name or role not in link.roles:
            continue
        if link.requires_provisioning and not site.ecommerce_provisioned:
            continue
        if (name, link.section) not in _sections:
            raise LookupError(f"menu {name!r} has no section {link.section!r} for {link.key!r}")
        href = reverse(link.url_name, args=[site.slug, *link.url_args(context)])
        entry = ShownLink(link.label, href, bool(link.active(context)))
        shown.setdefault(link.section, []).append((link.order, entry))
    sections = sorted((_sections[(name, key)] for key in shown), key=lambda section: section.order)
    return [
        ShownSection(s.label, [entry for _order, entry in sorted(shown[s.key], key=_first)])
        for s in sections
    ]


def _first(pair: tuple[int, ShownLink]) -> int:
    return pair[0]
