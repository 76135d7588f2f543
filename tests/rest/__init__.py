"""The REST compatibility routes over ASGI, on SQLite and PostgreSQL."""
