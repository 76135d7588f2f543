"""The one pure ASGI layer around every request (edge.py: request id, body limit, JSON 500,
private cache headers, log line, metrics) and the small rules it uses, one module each."""
