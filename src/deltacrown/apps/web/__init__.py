"""Web app: server-rendered pages and the demo data seeded by ``deltacrown demo``."""
