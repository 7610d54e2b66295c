"""Production settings refuse an unsafe start and pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "Q9v!x2#Lm7$Zp4^Rt8&Wy3*Nb6(Hd1)Fg5"


def run_check(**env):
    unset = {"SECRET_KEY", "DEBUG", "FIELD_ENCRYPTION_KEYS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env = {k: v for k, v in os.environ.items() if k not in unset}
    full_env.update(DJANGO_SETTINGS_MODULE="webexcommerce.settings.production", **env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def field_key():
    return Fernet.generate_key().decode()


def test_production_refuses_to_start_without_a_secret_key(field_key):
    result = run_check(FIELD_ENCRYPTION_KEYS=field_key)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_debug(field_key):
    result = run_check(SECRET_KEY=GOOD_KEY, DEBUG="1", FIELD_ENCRYPTION_KEYS=field_key)
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr


def test_production_refuses_missing_encryption_keys():
    result = run_check(SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr


def test_check_deploy_is_clean_with_production_settings(field_key):
    result = run_check(SECRET_KEY=GOOD_KEY, FIELD_ENCRYPTION_KEYS=field_key)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
