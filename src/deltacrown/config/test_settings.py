"""Configuration layer: settings for the test suite (the production settings plus speed-ups).

Only what makes tests fast or hermetic differs: a throwaway var/ directory, a fast password
hasher (the production Argon2 choice is asserted by its own test) and tasks run inline.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("DELTACROWN_VAR_DIR", tempfile.mkdtemp(prefix="deltacrown-test-"))

from deltacrown.config.settings import *  # noqa: F403
from deltacrown.config.settings import HUEY, PASSWORD_HASHERS

PRODUCTION_PASSWORD_HASHERS = list(PASSWORD_HASHERS)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PRODUCTION_PASSWORD_HASHERS]
HUEY = {**HUEY, "immediate": True}
