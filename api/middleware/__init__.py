"""The one pure ASGI layer around every request (edge.py: one spelling of a path, request id,
body limit, JSON 500, private cache headers, log line, metrics) and its rules, one module each."""
