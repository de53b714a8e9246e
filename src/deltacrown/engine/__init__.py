"""Engine layer: pure-Python competition engine (formats, seeding, progression, standings)."""
