"""Persistence and the task rules: models, validation, the owner-scoped task service.

Knows no transport: errors are domain errors (db.errors) that REST and GraphQL each map once.

Transactions. Every read and write of the services is a single statement (a write is one
`UPDATE ... RETURNING` with its owner and version checks inside), so sessions normally run in
autocommit: each statement is its own transaction, with no BEGIN/COMMIT round trips. Real
transactions happen in two cases, set on the engine (db.session.create_engine): behind
PgBouncer in transaction mode (a statement's parse and execute must share a transaction to
reach one server connection) and under row level security (the owner is a per-transaction
setting). Either way the services commit after each write, so a write holds in both modes;
what a session leaves open is only reads. The few operations that need several statements to
succeed or fail together (an idempotent create: the task and its key) use
`async with db.session.transaction(session):`, which commits at the end of the block, rolls
back on an error, and refuses (RuntimeError) to start inside a transaction already open rather
than commit it or join it: whoever shares a session ends its own work first (see
schema.context).
"""
