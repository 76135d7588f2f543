"""The GraphQL API over ASGI: flows, limits, pagination, validation, the explorer."""
