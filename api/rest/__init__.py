"""REST compatibility routes under /api/{user_id}/tasks for existing `lib/api.ts` frontends.

Thin handlers over db: their payload models, the orjson task answers (a list as an array or an
envelope), ETag/If-Match handling, and the OpenAPI document as the settings shape it."""
