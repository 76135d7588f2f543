"""Pure ASGI layers around every request: the request log and id, private cache headers, the
body size limit."""
