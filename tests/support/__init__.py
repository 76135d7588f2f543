"""What tests share and do not test: clients, tokens, databases, live servers, PostgreSQL
clusters, PgBouncer and a JWKS server. Fixtures stay in tests/conftest.py."""
