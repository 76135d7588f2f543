"""The REST docs: Swagger UI at /docs over /openapi.json, its files served by this service under a
strict Content-Security-Policy (swagger.py), never from a CDN; ReDoc is not served."""
