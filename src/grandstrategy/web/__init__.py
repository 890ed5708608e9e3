"""The web adapter: a JSON API under /api and server-rendered pages."""
