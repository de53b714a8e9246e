"""Configuration layer: settings for the test suite (the production settings plus speed-ups).

Only what makes tests fast or hermetic differs: a throwaway var/ directory, a fast password
hasher (the production Argon2 choice is asserted by its own test) and tasks run inline.
"""

from __future__ import annotations

import os
import re
import tempfile

os.environ.setdefault("DELTACROWN_VAR_DIR", tempfile.mkdtemp(prefix="deltacrown-test-"))

# Parallel test workers (pytest-xdist) share one Redis server: give each its own database number
# so rate-limit counters, cache entries and queued tasks of one worker never leak into another.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if os.environ.get("REDIS_URL") and _worker.startswith("gw"):
    _db = 1 + int(_worker[2:]) % 15
    os.environ["REDIS_URL"] = re.sub(r"(/\d*)?$", f"/{_db}", os.environ["REDIS_URL"], count=1)

from deltacrown.config.settings import *  # noqa: E402, F403 - after the environment is prepared
from deltacrown.config.settings import HUEY, PASSWORD_HASHERS  # noqa: E402

PRODUCTION_PASSWORD_HASHERS = list(PASSWORD_HASHERS)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PRODUCTION_PASSWORD_HASHERS]
HUEY = {**HUEY, "immediate": True}
