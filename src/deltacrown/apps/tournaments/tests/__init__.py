"""Tournaments app tests."""
