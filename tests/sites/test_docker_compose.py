"""docker-compose.yml agrees with the settings, the Dockerfile and the Makefile.

The production shape (docs/operations.md, "Docker Compose"): PostgreSQL, Redis, web
(gunicorn), worker and beat, every application service on the production settings, and no
environment variable that nothing reads (a typo there fails silently in production). Test mode
reaches PayPal's own sandbox hosts; the PayPal simulator is an opt-in profile
(``compose.simulator.env``) published on loopback only.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[2]
SIMULATOR_ENV = ROOT / "compose.simulator.env"
# Every settings module that reads the environment (not local.py and test.py: the demo's and
# the tests' own).
SETTINGS_FILES = [
    ROOT / "webexcommerce" / "settings" / name
    for name in ("base.py", "env.py", "operations.py", "paypal.py", "production.py")
]
# Read by Django itself (manage.py, wsgi.py, celery.py) to pick the settings module.
DJANGO_VARIABLES = {"DJANGO_SETTINGS_MODULE"}
# Read by the PayPal simulator (payments/sandbox/rest_common.py).
SIMULATOR_VARIABLES = {"PAYPAL_SANDBOX_CLIENT_ID", "PAYPAL_SANDBOX_SECRET"}
READ = re.compile(
    r"""(?:os\.environ\.get|os\.environ\.setdefault|os\.getenv|env_bool|env_list)\(\s*["']([A-Z0-9_]+)["']"""
    r"""|os\.environ\[\s*["']([A-Z0-9_]+)["']\s*\]"""
)


def variables_read(*paths: Path) -> set[str]:
    names = set()
    for path in paths:
        for match in READ.finditer(path.read_text()):
            names.add(match.group(1) or match.group(2))
    return names


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def env_file(path: Path) -> dict[str, str]:
    """``NAME=value`` lines of a Compose env file (comments and blank lines skipped)."""
    pairs = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


INTERPOLATION = re.compile(r"\$\{([A-Z0-9_]+)(?::?([-?])([^}]*))?\}")


def interpolate(value: str, env: dict[str, str]) -> str:
    """What Compose makes of ``${NAME}``, ``${NAME:-default}`` with ``env`` as its variables."""

    def fill(match):
        name, kind, default = match.groups()
        if env.get(name):
            return env[name]
        return default if kind == "-" else ""

    return INTERPOLATION.sub(fill, str(value))


def setting_defaults() -> dict[str, str]:
    """The embedded default of each ``os.environ.get("NAME", "default")`` of the settings."""
    text = "\n".join(path.read_text() for path in SETTINGS_FILES)
    return dict(re.findall(r'os\.environ\.get\(\s*"([A-Z0-9_]+)",\s*"([^"]*)"\s*\)', text))


def app_services(services) -> dict:
    """The services that run this project's image (built here, not a stock image)."""
    return {name: svc for name, svc in services.items() if "build" in svc}


def command_of(service: dict) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else list(command)


def test_every_service_of_the_production_shape_exists(services):
    assert {"db", "redis", "web", "worker", "beat", "paypal-sandbox"} <= set(services)
    assert services["db"]["image"].startswith("postgres")
    assert services["redis"]["image"].startswith("redis")


def test_the_simulator_is_opt_in_and_nothing_else_is(services):
    """``docker compose up`` starts the production shape; only the simulator needs its profile."""
    assert services["paypal-sandbox"]["profiles"] == ["simulator"]
    for name, service in services.items():
        if name != "paypal-sandbox":
            assert "profiles" not in service, name
    assert env_file(SIMULATOR_ENV)["COMPOSE_PROFILES"] == "simulator"


def test_web_runs_gunicorn_on_the_wsgi_application(services):
    command = command_of(services["web"])
    assert command[0] == "gunicorn"
    assert "webexcommerce.wsgi" in command or "webexcommerce.wsgi:application" in command
    bind = command[command.index("--bind") + 1]
    port = bind.rsplit(":", 1)[1]
    assert any(str(mapping).endswith(f":{port}") for mapping in services["web"]["ports"])


@pytest.mark.parametrize("role", ["worker", "beat"])
def test_worker_and_beat_run_the_project_celery_app(services, role):
    command = command_of(services[role])
    assert command[:3] == ["celery", "-A", "webexcommerce"], command
    assert role in command


def test_beat_keeps_its_schedule_where_the_image_may_write(services):
    command = command_of(services["beat"])
    if "--schedule" not in command:
        return
    schedule = Path(command[command.index("--schedule") + 1])
    dockerfile = (ROOT / "Dockerfile").read_text()
    var_dir = re.search(r"VAR_DIR=(\S+)", dockerfile)
    assert var_dir, "the Dockerfile creates a writable VAR_DIR"
    assert str(schedule.parent) == var_dir.group(1)


def test_application_services_use_the_production_settings(services):
    apps = app_services(services)
    assert {"web", "worker", "beat", "paypal-sandbox"} <= set(apps)
    for name, service in apps.items():
        env = service.get("environment", {})
        assert env.get("DJANGO_SETTINGS_MODULE") == "webexcommerce.settings.production", name
        # Production refuses to start without these (webexcommerce/settings/production.py).
        assert "SECRET_KEY" in env and "FIELD_ENCRYPTION_KEYS" in env, name
        assert str(env.get("DEBUG", "false")).lower() in ("0", "false", "no", "off"), name


def test_every_variable_set_is_one_something_reads(services):
    known = variables_read(*SETTINGS_FILES) | DJANGO_VARIABLES
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"} <= known, "the grep works"
    simulator_source = "\n".join(
        p.read_text() for p in (ROOT / "payments" / "sandbox").rglob("*.py")
    )
    for name in SIMULATOR_VARIABLES:
        assert name in simulator_source, f"the simulator reads {name}"
    for service_name, service in app_services(services).items():
        allowed = known | (SIMULATOR_VARIABLES if service_name == "paypal-sandbox" else set())
        unknown = set(service.get("environment", {})) - allowed
        assert not unknown, f"{service_name} sets variables nothing reads: {sorted(unknown)}"


def test_database_and_redis_urls_point_at_the_compose_services(services):
    db_env = services["db"]["environment"]
    for name, service in app_services(services).items():
        env = service["environment"]
        database = urlsplit(env["DATABASE_URL"])
        assert database.hostname == "db", name
        assert database.username == db_env["POSTGRES_USER"], name
        assert database.password == db_env["POSTGRES_PASSWORD"], name
        assert database.path.lstrip("/") == db_env["POSTGRES_DB"], name
        for key in ("CELERY_BROKER_URL", "CACHE_URL"):
            if key in env:
                assert urlsplit(env[key]).hostname == "redis", (name, key)


TEST_ENDPOINTS = ("PAYPAL_PAYFLOW_TEST_URL", "PAYPAL_EC_TEST_REDIRECT_URL", "PAYPAL_REST_TEST_URL")


def test_test_mode_reaches_paypals_own_sandbox_by_default(services):
    """Without the simulator's env file, Test mode uses the settings' defaults: PayPal's
    sandbox and pilot hosts, where merchants rehearse with their real pilot credentials."""
    defaults = setting_defaults()
    for name, service in app_services(services).items():
        env = service["environment"]
        for key in TEST_ENDPOINTS:
            value = interpolate(env[key], {})
            assert value == defaults[key], (name, key)
            assert urlsplit(value).scheme == "https", (name, key)
            host = urlsplit(value).hostname
            assert host.endswith(".paypal.com") and ("sandbox" in host or "pilot" in host), host


def test_the_simulator_profile_points_test_mode_at_the_simulator(services):
    sandbox = services["paypal-sandbox"]
    command = command_of(sandbox)
    assert command[:3] == ["python", "manage.py", "paypal_sandbox"]
    assert (ROOT / "payments" / "management" / "commands" / "paypal_sandbox.py").exists()
    port = command[command.index("--port") + 1]
    simulator_env = env_file(SIMULATOR_ENV)
    assert set(simulator_env) - {"COMPOSE_PROFILES"} <= variables_read(*SETTINGS_FILES)
    for name, service in app_services(services).items():
        env = service["environment"]
        for key in ("PAYPAL_PAYFLOW_TEST_URL", "PAYPAL_REST_TEST_URL"):
            url = urlsplit(interpolate(env[key], simulator_env))
            assert (url.hostname, str(url.port)) == ("paypal-sandbox", port), (name, key)
        browser = urlsplit(interpolate(env["PAYPAL_EC_TEST_REDIRECT_URL"], simulator_env))
        assert (browser.hostname, str(browser.port)) == ("localhost", port), name
        client_id = interpolate(env["PAYPAL_REST_TEST_CLIENT_ID"], simulator_env)
        assert client_id == sandbox["environment"]["PAYPAL_SANDBOX_CLIENT_ID"], name


def test_the_simulator_is_published_on_the_hosts_loopback_only(services):
    """Its /_sandbox/ control routes reset and rig it: never reachable from outside the host."""
    published = [str(mapping) for mapping in services["paypal-sandbox"].get("ports", [])]
    assert published, "the approval pages must reach a browser on the host"
    for mapping in published:
        assert mapping.startswith("127.0.0.1:"), mapping


def test_web_healthcheck_asks_the_readiness_probe(services):
    """docker compose marks web healthy only when /readyz answers 200 (issue 12)."""
    from django.urls import resolve

    from monitoring.views import ReadinessView

    test = services["web"]["healthcheck"]["test"]
    assert test[0] == "CMD", test
    assert test[1:4] == ["python", "manage.py", "probe"], test
    assert (ROOT / "monitoring" / "management" / "commands" / "probe.py").exists()
    path = test[4]
    assert path == "/readyz/"
    assert resolve(path).func.view_class is ReadinessView
    port = test[test.index("--port") + 1]
    bind = command_of(services["web"])[command_of(services["web"]).index("--bind") + 1]
    assert bind.rsplit(":", 1)[1] == port


def test_gunicorn_workers_share_metrics(services):
    """Several gunicorn workers: prometheus-client's multiprocess directory and its hooks."""
    command = command_of(services["web"])
    assert command[command.index("--config") + 1] == "python:webexcommerce.gunicorn_conf"
    assert (ROOT / "webexcommerce" / "gunicorn_conf.py").exists()
    assert services["web"]["environment"]["PROMETHEUS_MULTIPROC_DIR"].startswith("/")


def test_makefile_has_the_two_readme_commands():
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([A-Za-z0-9_-]+):", makefile, re.MULTILINE))
    assert {"run", "test"} <= targets
    test_recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "DJANGO_SETTINGS_MODULE=webexcommerce.settings.test" in test_recipe
    assert "pytest" in test_recipe
