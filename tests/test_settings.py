"""Settings come from the environment only, with safe embedded defaults."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import json
from deltacrown.config import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "options": db.get("OPTIONS", {}),
    "secret": s.SECRET_KEY, "debug": s.DEBUG, "hosts": s.ALLOWED_HOSTS,
    "session_secure": s.SESSION_COOKIE_SECURE, "csrf_secure": s.CSRF_COOKIE_SECURE,
    "hsts": s.SECURE_HSTS_SECONDS, "proxy_ssl": s.SECURE_PROXY_SSL_HEADER,
    "channels": s.CHANNEL_LAYERS["default"]["BACKEND"], "cache": s.CACHES["default"]["BACKEND"],
    "huey": s.HUEY["huey_class"], "ratelimit": s.RATELIMIT_STORAGE_URI,
    "access_lifetime": s.JWT_ACCESS_LIFETIME.total_seconds(),
}))
"""

KEEP = {"PATH", "HOME", "LANG", "PYTHONPATH", "VIRTUAL_ENV"}


def _settings(tmp_path: Path, **env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if k in KEEP}
    clean.update({"DELTACROWN_VAR_DIR": str(tmp_path / "var"), **env})
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=clean, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_embedded_defaults_need_no_service(tmp_path):
    s = _settings(tmp_path)
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["name"] == str(tmp_path / "var" / "deltacrown.sqlite3")
    assert "journal_mode=WAL" in s["options"]["init_command"]
    assert s["options"]["transaction_mode"] == "IMMEDIATE"
    assert s["options"]["timeout"] >= 5
    assert s["channels"] == "channels.layers.InMemoryChannelLayer"
    assert s["cache"].endswith("LocMemCache")
    assert s["huey"] == "huey.SqliteHuey"
    assert s["ratelimit"] == "memory://"
    assert s["debug"] is False


def test_secret_key_is_generated_once_into_var_and_kept(tmp_path):
    first = _settings(tmp_path)["secret"]
    second = _settings(tmp_path)["secret"]
    assert len(first) >= 50
    assert first == second
    key_file = tmp_path / "var" / "secret_key"
    assert key_file.read_text().strip() == first
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert _settings(tmp_path, SECRET_KEY="from-the-environment")["secret"] == (
        "from-the-environment"
    )


def test_postgres_and_redis_urls_move_everything_to_the_services(tmp_path):
    s = _settings(
        tmp_path,
        DATABASE_URL="postgres://dc:pw@db.internal:5432/deltacrown",
        REDIS_URL="redis://cache.internal:6379/0",
    )
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["name"] == "deltacrown"
    assert s["channels"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert s["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert s["huey"] == "huey.RedisHuey"
    assert s["ratelimit"] == "redis://cache.internal:6379/0"


def test_behind_tls_turns_on_secure_cookies_and_hsts(tmp_path):
    plain = _settings(tmp_path)
    assert (plain["session_secure"], plain["hsts"], plain["proxy_ssl"]) == (False, 0, None)
    tls = _settings(tmp_path, BEHIND_TLS="1")
    assert tls["session_secure"] is True
    assert tls["csrf_secure"] is True
    assert tls["hsts"] >= 31536000
    assert tls["proxy_ssl"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_lists_and_numbers_are_parsed(tmp_path):
    s = _settings(tmp_path, ALLOWED_HOSTS="a.example, b.example", JWT_ACCESS_LIFETIME="120")
    assert s["hosts"] == ["a.example", "b.example"]
    assert s["access_lifetime"] == 120


def test_a_malformed_value_fails_at_start_up_with_its_name(tmp_path):
    clean = {k: v for k, v in os.environ.items() if k in KEEP}
    clean.update({"DELTACROWN_VAR_DIR": str(tmp_path / "var"), "DEBUG": "perhaps"})
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=clean, capture_output=True, text=True, check=False
    )
    assert out.returncode != 0
    assert "DEBUG must be a boolean" in out.stderr
