"""The /graphql endpoint: Strawberry's router as this service runs it, its context, and the
self-hosted GraphiQL explorer with its npm-pinned assets (graphiql/)."""
