"""Persistence and the task rules: models, validation, the owner-scoped services, the store.

Knows no transport: errors are domain errors (db.errors) that REST and GraphQL each map once.

Services take an `Owner` (db.store): the store as one verified user sees it. The Owner binds
that user to every statement's `owner_id` parameter and names it to the connection where row
level security asks for it; statements are SQLAlchemy Core built once per shape
(db.statements) and run on asyncpg directly on PostgreSQL (db.postgres_store) or through
SQLAlchemy on SQLite (db.sqlite_store).

Transactions. Every read and write of the services is a single statement (a write is one
`UPDATE ... RETURNING` with its owner and version checks inside; a list's revision, count and
page are one SELECT), each in autocommit: one round trip, no BEGIN/COMMIT. Behind PgBouncer in
transaction mode and under row level security each statement runs in its own transaction
instead (a statement's parse and execute must reach one server connection; the owner is a
transaction-local setting). Work that must succeed or fail together (an idempotent create: the
task and its key) uses `async with owner.transaction() as tx:`, committed at the end of the
block and rolled back on an error.
"""
