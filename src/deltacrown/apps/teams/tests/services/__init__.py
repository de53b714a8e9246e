"""Teams services: flows, limits, expiry, roster lock and races."""
