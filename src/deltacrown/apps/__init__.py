"""Domain apps, layered low to high: accounts, games, tournaments, teams, registrations,
competition, moderation, realtime, web. Other code imports only an app's ``api`` and ``data``."""
