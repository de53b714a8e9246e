"""Registrations: registering, the waitlist, payments and check-in, tested."""
