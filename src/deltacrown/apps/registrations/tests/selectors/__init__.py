"""Reads of registrations and the hooks other apps consult."""
