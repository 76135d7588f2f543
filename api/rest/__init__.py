"""REST compatibility routes under /api/{user_id}/tasks for existing `lib/api.ts` frontends.

Thin handlers over db: their payload models, the orjson task answers, ETag/If-Match handling."""
