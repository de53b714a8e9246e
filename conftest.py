"""Test-suite wiring shared by every app's tests."""
