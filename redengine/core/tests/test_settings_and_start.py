"""Settings from the environment, production checks and clear start-up errors (run as real processes)."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def manage(*args, **env):
    full_env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDENGINE_"))
    }
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(tmp_path):
    return {
        "REDENGINE_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_KEY": secrets.token_urlsafe(32),
        "PERSONAL_DATA_KEY": secrets.token_hex(16),
        "BLIND_INDEX_KEY": secrets.token_hex(32),
        "ALLOWED_HOSTS": "redengine.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    }


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_needs_its_secrets(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_names_the_setting():
    result = manage("migrate", DATABASE_URL="postgres://nobody:secret@127.0.0.1:9/redengine")
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_database_directory_names_the_setting(tmp_path):
    result = manage("runserver", DATABASE_URL=f"sqlite:///{tmp_path / 'absent' / 'db.sqlite3'}")
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr


def test_demo_data_refuses_to_load_in_production(tmp_path):
    env = production_env(tmp_path)
    assert manage("migrate", "--noinput", **env).returncode == 0
    result = manage("seed_demo", **env)
    assert result.returncode != 0
    assert "production" in result.stderr
    users = manage(
        "shell", "-c", "from redengine.accounts.models import User; print(User.objects.count())", **env
    )
    assert users.stdout.strip().splitlines()[-1] == "0"


@pytest.mark.django_db
def test_security_headers_on_real_responses(client):
    response = client.get("/accounts/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert len(response["X-Request-ID"]) == 32


def test_defaults_are_chinese_and_shanghai(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert ("en", "English") in settings.LANGUAGES


def database_settings(**env):
    """What settings.py makes of the database variables (read by a process of its own, no connection)."""
    code = (
        "import json; from redengine import settings as s; "
        "print(json.dumps({'databases': s.DATABASES, 'routers': s.DATABASE_ROUTERS, "
        "'after_write': s.REPLICA_AFTER_WRITE_SECONDS}, default=str))"
    )
    full_env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDENGINE_"))
    }
    full_env.update(env)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=60
    )
    return result, (json.loads(result.stdout) if result.returncode == 0 else None)


def test_a_read_replica_comes_from_its_own_address(tmp_path):
    primary = "postgres://redengine:secret@db1.example.org:5432/redengine"
    standby = "postgres://redengine:secret@db2.example.org:5432/redengine?connect_timeout=3"
    env = {**production_env(tmp_path), "DATABASE_URL": primary}

    result, found = database_settings(**env)
    assert result.returncode == 0, result.stderr
    assert set(found["databases"]) == {"default"}
    default = found["databases"]["default"]
    assert (default["CONN_MAX_AGE"], default["CONN_HEALTH_CHECKS"], default["ATOMIC_REQUESTS"]) == (
        60,
        True,
        True,
    )
    assert found["routers"] == ["redengine.core.dbrouting.ReplicaRouter"]

    result, found = database_settings(
        **env, DATABASE_REPLICA_URL=standby, DATABASE_CONN_MAX_AGE="300", REPLICA_AFTER_WRITE_SECONDS="45"
    )
    assert result.returncode == 0, result.stderr
    default, replica = found["databases"]["default"], found["databases"]["replica"]
    assert (replica["HOST"], replica["NAME"], default["HOST"]) == (
        "db2.example.org",
        "redengine",
        "db1.example.org",
    )
    assert replica["TEST"] == {"MIRROR": "default"}  # tests never create a database on it
    assert (default["CONN_MAX_AGE"], replica["CONN_MAX_AGE"]) == (300, 300)
    assert replica["CONN_HEALTH_CHECKS"] is True
    assert replica["ATOMIC_REQUESTS"] is False
    assert replica["OPTIONS"] == {
        "connect_timeout": 3,
        "options": "-c jit=off -c default_transaction_read_only=on",
    }
    assert default["OPTIONS"] == {"options": "-c jit=off"}
    assert found["after_write"] == 45

    result, found = database_settings(DATABASE_URL=primary)  # development: one connection per request
    assert found["databases"]["default"]["CONN_MAX_AGE"] == 0
    result, found = database_settings(DATABASE_URL=primary, DATABASE_JIT="on")
    assert found["databases"]["default"]["OPTIONS"] == {"options": "-c jit=on"}


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    """The finding: the figures' queries crossed the JIT's cost thresholds, and PostgreSQL spent 250-300 ms
    compiling each for 10-15 ms of execution. The app's connections turn it off."""
    from django.db import connection

    if connection.vendor != "postgresql":
        assert "jit" not in str(connection.settings_dict.get("OPTIONS", {}))  # SQLite has none
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_wrong_replica_settings_stop_start_up(tmp_path):
    standby = "postgres://redengine@db2.example.org/redengine"
    beside_sqlite, _found = database_settings(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", DATABASE_REPLICA_URL=standby
    )
    assert beside_sqlite.returncode != 0
    assert "DATABASE_REPLICA_URL" in beside_sqlite.stderr
    for name in ("DATABASE_CONN_MAX_AGE", "REPLICA_AFTER_WRITE_SECONDS"):
        wrong, _found = database_settings(**{name: "a minute"})
        assert wrong.returncode != 0
        assert name in wrong.stderr
