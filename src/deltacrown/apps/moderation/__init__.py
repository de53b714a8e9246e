"""Moderation app: sanctions, abuse reports, the moderation audit and the enforcement gates."""
