"""Tournaments app: tournaments, their lifecycle, registration fields, templates and discovery."""
