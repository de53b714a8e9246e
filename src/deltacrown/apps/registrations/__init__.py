"""Registrations app: registrations and the waitlist, entry-fee payments and check-in."""
