"""FastAPI transport: settings, JWT auth, dependencies, REST routes, the GraphQL router."""
