"""The FastAPI transport: app factory (app.py), settings, shared dependencies (deps.py), the CLI.

One subpackage per concern: rest/, graphql/, auth/, middleware/, ops/; errors.py maps domain errors,
error_bodies.py says what every error body holds (`detail` and `message`).
"""
