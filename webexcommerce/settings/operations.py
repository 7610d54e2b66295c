"""What operators read: logs (plain or JSON, request ids, redaction) and the /metrics endpoint
(docs/operations.md, "Health, metrics and logs"). Imported by ``base``.
"""

import os

from .env import env_bool, env_list

# Logs go to standard error, one line per record: plain text by default, JSON in production
# (LOG_FORMAT=json). Every line carries the request id (monitoring.log_filters.ContextFilter),
# and card numbers, security codes and the values of these settings are redacted first.
LOG_REDACTED_SETTINGS = [
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEYS",
    "PAYPAL_REST_TEST_SECRET",
    "PAYPAL_REST_LIVE_SECRET",
    "EMAIL_HOST_PASSWORD",
    "METRICS_BEARER_TOKEN",
]


def logging_config(log_format: str) -> dict:
    """The LOGGING dict for ``log_format`` "plain" or "json" (python-json-logger)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": "monitoring.log_filters.ContextFilter"},
            "redact": {"()": "monitoring.log_filters.RedactFilter"},
        },
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["context", "redact"],
            }
        },
        "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }


LOGGING = logging_config(os.environ.get("LOG_FORMAT", "plain"))

# /metrics: on or off, who may read it (networks; empty: any address) and an optional token.
METRICS_ENABLED = env_bool("METRICS_ENABLED", True)
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128")
METRICS_BEARER_TOKEN = os.environ.get("METRICS_BEARER_TOKEN", "")
# Where gunicorn workers share their samples (prometheus-client's multiprocess mode).
METRICS_MULTIPROCESS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
