"""Settings for the test suite: PostgreSQL and Redis from the environment (127.0.0.1 default)."""

import os

import dj_database_url

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key-3b1d7e0a9f"
FIELD_ENCRYPTION_KEYS = [
    "dGVzdC1vbmx5LWZpZWxkLWVuY3J5cHRpb24ta2V5LTE=",
]
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/webexcommerce"),
        conn_max_age=0,
    )
}
CELERY_BROKER_URL = os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(CELERY_BROKER_URL)  # noqa: F405
CELERY_RESULT_BACKEND = os.environ.get("TEST_CELERY_RESULT_BACKEND", "redis://127.0.0.1:6379/14")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("TEST_CACHE_URL", "redis://127.0.0.1:6379/13"),
    }
}
CELERY_TASK_ALWAYS_EAGER = False
# A worker started by a test may get a queue of its own (it publishes there too), so that
# workers of concurrent test runs on the same Redis database never take each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("TEST_CELERY_QUEUE", "celery")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A worker subprocess started by a test writes its e-mail to files the test can read.
EMAIL_BACKEND = os.environ.get(
    "TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
)
if os.environ.get("TEST_EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = os.environ["TEST_EMAIL_FILE_PATH"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = True
# Every test client comes from 127.0.0.1 and the cache outlives a test: the payment attempt
# limits are out of the way here, and the tests of the limits set their own.
PAYMENT_ATTEMPTS_PER_CLIENT = 100_000
PAYMENT_ATTEMPTS_PER_CODE = 100_000
