"""Registrations through the services and the public interface."""
