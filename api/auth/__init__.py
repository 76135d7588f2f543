"""Who is calling: bearer JWT verification (HS256 secret or a Better Auth JWKS), the cache of
verified tokens, the development signing secret and the tokens the CLI mints."""
