"""Pure ASGI layers around every request: one spelling of a path (no trailing slash), the request
log and id, private cache headers, the JSON 500 for an unhandled exception, the body size limit."""
