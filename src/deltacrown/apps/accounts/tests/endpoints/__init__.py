"""Accounts app tests: the HTTP API through the test client."""
