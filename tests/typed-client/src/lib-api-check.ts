// Runs lib-api.ts, the frontend's REST wrapper of docs/frontend.md, against a live server: the
// token refreshed on a 401 (it starts with an expired one) and cached afterwards, X-Total-Count,
// 304 from a list's ETag, 412 from a stale If-Match, the `message` of a 404 and a 422. Prints
// every mismatch and exits 1 if there was any; the last line says how many checks ran.
//
// Environment: API_BASE_URL, API_USER, API_TOKEN (valid for API_USER), API_EXPIRED_TOKEN.
import { ApiError, StaleTaskError, TasksApi } from "./lib-api.js";
import { check, runChecks } from "./checks.js";

function setting(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`missing environment variable ${name}`);
    process.exit(2);
  }
  return value;
}

const BASE_URL = setting("API_BASE_URL");
const USER = setting("API_USER");
const TOKEN = setting("API_TOKEN");
const EXPIRED_TOKEN = setting("API_EXPIRED_TOKEN");


/** A token source that hands out `tokens` in turn (the last one again once they run out). */
function tokenSource(...tokens: string[]): { next: () => Promise<string>; calls: () => number } {
  let calls = 0;
  const next = async (): Promise<string> => tokens[Math.min(calls++, tokens.length - 1)] ?? "";
  return { next, calls: () => calls };
}

async function main(): Promise<void> {
  // The session's token has expired: the first call gets 401, fetches another, retries once.
  const source = tokenSource(EXPIRED_TOKEN, TOKEN);
  const api = new TasksApi({ baseUrl: BASE_URL, userId: async () => USER, token: source.next });
  const milk = await api.create({ title: "Buy milk", priority: "high" });
  check(milk.title === "Buy milk" && milk.version === 1, "create after a 401: the task", milk);
  check(source.calls() === 2, "a 401: one more token fetched", source.calls());

  const first = await api.list();
  check(first.total === 1 && first.tasks.length === 1, "list: one task, X-Total-Count 1", first);
  check(!first.notModified && first.tasks[0]?.id === milk.id, "list: a fresh 200", first);
  const again = await api.list();
  check(again.notModified && again.tasks[0]?.id === milk.id, "list again: 304, the page", again);

  const bread = await api.create({ title: "Buy bread" });
  const changed = await api.list();
  check(!changed.notModified && changed.total === 2, "list after a create: 200, total 2", changed);
  const page = await api.list({ status: "pending", sort: "title", order: "asc", limit: 1 });
  check(page.total === 2 && page.tasks[0]?.id === bread.id, "one page of two, by title", page);

  // Writes at the version read; the same version again is stale: 412 with the current task.
  const done = await api.setCompleted(milk.id, true, milk.version);
  check(done.completed && done.version === 2, "complete at version 1", done);
  try {
    await api.update(milk.id, { title: "Buy oat milk" }, milk.version);
    check(false, "update at a stale version: refused");
  } catch (error) {
    const current = error instanceof StaleTaskError ? error.current : null;
    check(current?.version === 2 && current.title === "Buy milk", "stale: 412, current", current);
  }
  const renamed = await api.update(milk.id, { title: "Buy oat milk" }, done.version);
  check(renamed.title === "Buy oat milk" && renamed.version === 3, "update at version 2", renamed);

  await api.remove(bread.id, bread.version);
  await api.remove(renamed.id, renamed.version);
  try {
    await api.remove(renamed.id, renamed.version);
    check(false, "delete again: refused");
  } catch (error) {
    const said = error instanceof ApiError ? [error.status, error.message] : error;
    const gone = [404, `Task ${renamed.id} not found`];
    check(JSON.stringify(said) === JSON.stringify(gone), "delete again: 404, its message", said);
  }
  try {
    await api.create({ title: "" });
    check(false, "an empty title: refused");
  } catch (error) {
    const said = error instanceof ApiError ? [error.status, error.message] : error;
    const invalid = [422, "title: String should have at least 1 character"];
    check(JSON.stringify(said) === JSON.stringify(invalid), "empty title: 422, a sentence", said);
    check(error instanceof ApiError && Array.isArray(error.detail), "a 422's detail: a list");
  }
  const empty = await api.list();
  check(empty.total === 0 && empty.tasks.length === 0, "list at the end: empty", empty);
  check(source.calls() === 2, "the valid token was cached, not fetched again", source.calls());

  // A token within the refresh margin of its `exp` is replaced before it is sent again.
  const early = tokenSource(TOKEN);
  const eager = new TasksApi({
    baseUrl: BASE_URL,
    userId: async () => USER,
    token: early.next,
    refreshBeforeExpirySeconds: 24 * 3600,
  });
  await eager.list();
  await eager.list();
  check(early.calls() === 2, "a token near its exp: fetched again", early.calls());
}

await runChecks("lib-api", main);
