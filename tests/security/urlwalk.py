"""Walk the whole URLconf and turn every route into concrete URLs of one site.

Shared by the security suite, the form fuzzer and the accessibility scan, so that a page added
tomorrow is covered by all three without anyone keeping a list. At collection time the walk
needs no database: it yields ``UrlCase`` objects holding everything that can be known from
the URLconf (the view class, its role policy, the service and provider kind filled in). The
integer arguments (``pk``, ``session_id`` …) and unknown string arguments are resolved later,
against real rows of the site under test (``resolve``).
"""

from __future__ import annotations

import contextlib
import inspect
import itertools
import re
from dataclasses import dataclass, field

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

CONSOLE_PREFIX = "s/<slug:site_slug>/"
# The REST API: its site resources, and its document and readers (``api/v1/schema/`` …).
API_PREFIX = "api/v1/"
API_SITE_PREFIX = "api/v1/sites/<slug:site_slug>/"
PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
# Django's own admin (/ops/) is ops' tool, not the console: it has its own tests upstream.
SKIPPED_NAMESPACES = {"admin"}


@dataclass(frozen=True)
class Route:
    """One URL pattern of the URLconf, with every include's prefix joined in."""

    route: str
    name: str
    callback: object
    is_regex: bool = False

    @property
    def params(self) -> dict[str, str]:
        return {m["name"]: m["converter"] or "str" for m in PARAM.finditer(self.route)}

    @property
    def view_class(self):
        return getattr(self.callback, "view_class", None)

    @property
    def is_console(self) -> bool:
        return self.route.startswith(CONSOLE_PREFIX)

    @property
    def is_api(self) -> bool:
        return self.route.startswith(API_PREFIX)

    @property
    def is_api_site(self) -> bool:
        return self.route.startswith(API_SITE_PREFIX)

    def _allows(self, method: str) -> bool:
        view = self.view_class
        if view is None:  # a function view: it may answer anything
            return True
        return method in view.http_method_names and hasattr(view, method)

    @property
    def accepts_get(self) -> bool:
        return self._allows("get")

    @property
    def write_methods(self) -> list[str]:
        """The unsafe methods the view answers (POST, PUT, PATCH, DELETE)."""
        return [m for m in ("post", "put", "patch", "delete") if self._allows(m)]

    @property
    def accepts_post(self) -> bool:
        return self._allows("post")

    @property
    def admin_only(self) -> bool:
        return bool(getattr(self.view_class, "admin_only", True))

    @property
    def organizer_read_only(self) -> bool:
        return bool(getattr(self.view_class, "organizer_read_only", False))

    @property
    def csrf_exempt(self) -> bool:
        return bool(getattr(self.callback, "csrf_exempt", False))

    @property
    def authenticated_by_signature(self) -> bool:
        """A route called by another server (PayPal's webhooks): no session, no CSRF token,
        its caller's signature is the only way in."""
        return bool(getattr(self.view_class, "authenticated_by_signature", False))

    @property
    def unavailable_status(self) -> int | None:
        """The status a probe page (``/readyz``) gives when the service is not ready."""
        return getattr(self.view_class, "unavailable_status", None)


def walk(resolver: URLResolver | None = None, prefix: str = "", regex: bool = False):
    """Every ``Route`` of the URLconf, depth first, includes followed."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        is_regex = regex or not isinstance(entry.pattern, RoutePattern)
        joined = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            yield from walk(entry, joined, is_regex)
        elif isinstance(entry, URLPattern):
            yield Route(joined, entry.name or "", entry.callback, is_regex)


@dataclass(frozen=True)
class UrlCase:
    """A route with the arguments known before the database exists (service, kind)."""

    route: Route
    fixed: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def id(self) -> str:
        parts = [self.route.name or self.route.route]
        parts += [str(v) for k, v in self.fixed.items() if k != "site_slug"]
        return "/".join(parts)

    @property
    def deferred(self) -> list[str]:
        return [name for name in self.route.params if name not in self.fixed]


def _choices_for(name: str) -> list[str] | None:
    from payments.models import ProviderKind
    from sites.models import Service

    if name == "service":
        return list(Service.values)
    if name == "kind":
        return list(ProviderKind.values)
    return None


def cases(*, console: bool | None = None, regex: bool = False, api: bool = False) -> list[UrlCase]:
    """Every concrete case: one per combination of service and provider kind.

    ``console=True`` keeps console routes only, ``False`` the others, ``None`` all.
    The REST API (``api/v1/``: JSON for programs, not pages for people) is left out unless
    ``api=True``, which keeps the API routes only.
    Regex routes are left out unless asked for (none of the product's own routes are regex).
    """
    found = []
    for route in walk():
        if route.is_regex and not regex:
            continue
        if route.is_api != api:
            continue
        if console is not None and route.is_console != console:
            continue
        params = route.params
        choice_lists = {}
        for name in params:
            choices = _choices_for(name)
            if choices is not None:
                choice_lists[name] = choices
        names = list(choice_lists)
        for combo in itertools.product(*(choice_lists[n] for n in names)):
            found.append(UrlCase(route, dict(zip(names, combo, strict=True))))
    return found


# --- Resolution against the database ----------------------------------------------------


def site_scoped_models():
    """Models with a ``site`` foreign key to ``sites.Site`` (the site's own data)."""
    from sites.models import Site

    for model in apps.get_models():
        try:
            site_field = model._meta.get_field("site")
        except Exception:  # noqa: BLE001 - models without a site field
            continue
        if getattr(site_field, "related_model", None) is Site:
            yield model


def _sources(view_class) -> str:
    text = []
    for klass in inspect.getmro(view_class):
        module = getattr(klass, "__module__", "") or ""
        if module.split(".")[0] in {"sites", "payments", "promocodes", "api"}:
            with contextlib.suppress(OSError, TypeError):
                text.append(inspect.getsource(klass))
    return "\n".join(text)


def candidate_models(case: UrlCase, arg: str) -> list:
    """Site-scoped models in the order most likely to own ``arg`` of this view."""
    models = list(site_scoped_models())
    view = case.route.view_class
    ranked = []
    declared = getattr(view, "model", None)
    if declared in models:
        ranked.append(declared)
    stem = re.sub(r"_(id|pk)$", "", arg).replace("_", "")
    ranked += [m for m in models if m._meta.model_name == stem]
    if view is not None:
        source = _sources(view)
        mentioned = [m for m in models if re.search(rf"\b{m.__name__}\b", source)]
        # The model named in a lookup by pk comes first, then the others the view names.
        ranked += sorted(mentioned, key=lambda m: -len(re.findall(rf"\b{m.__name__}\b", source)))
    ranked += models
    seen, ordered = set(), []
    for model in ranked:
        if model not in seen:
            seen.add(model)
            ordered.append(model)
    return ordered


def build(case: UrlCase, site, values: dict | None = None) -> str:
    """The URL of ``case`` for ``site`` with ``values`` for the deferred arguments."""
    values = {**case.fixed, **(values or {}), "site_slug": site.slug}

    def fill(match):
        return str(values.get(match["name"], "1"))

    return "/" + PARAM.sub(fill, case.route.route)


def resolve(case: UrlCase, site, probe=None) -> str:
    """A concrete URL of ``case`` for ``site``, deferred arguments taken from its own rows.

    An integer argument gets the pk of a row of ``site`` (the model is guessed from the view
    and, when ``probe(url)`` is given, confirmed by the first candidate that answers 200);
    a string argument gets the value of a same-named field of one of the site's rows.
    Without any row, 1 (or "x").
    """
    values: dict = {}
    for arg in case.deferred:
        if arg == "site_slug":
            continue
        converter = case.route.params[arg]
        if converter == "int":
            pks = []
            for model in candidate_models(case, arg):
                pk = model.objects.filter(site=site).order_by("pk").values_list("pk", flat=True)
                pk = pk.first()
                if pk is not None:
                    pks.append(pk)
            values[arg] = pks[0] if pks else 1
            if probe is not None and len(pks) > 1:
                for pk in pks:
                    if probe(build(case, site, {**values, arg: pk})) == 200:
                        values[arg] = pk
                        break
        else:
            values[arg] = "x"
            for model in site_scoped_models():
                if any(f.name == arg for f in model._meta.get_fields()):
                    value = model.objects.filter(site=site).values_list(arg, flat=True).first()
                    if value:
                        values[arg] = value
                        break
    return build(case, site, values)
