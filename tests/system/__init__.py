"""Real servers and processes: outages, TLS, PgBouncer, Node clients, browsers, logs, metrics."""
