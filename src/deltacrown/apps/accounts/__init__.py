"""Accounts app: users, profiles, authentication (sessions, JWT, personal API tokens)."""
