// Drives the REST routes the way a frontend's lib/api.ts does with the browser's fetch:
// `Authorization: Bearer <JWT>`, snake_case JSON, `response.json()` on every answer, errors
// read from `detail` and `message`, and the CORS checks a browser would make before letting
// the page see an answer. Prints every mismatch and exits 1 if there was any.
//
// Environment: API_BASE_URL, ORIGIN, USER_A, TOKEN_A, USER_B, TOKEN_B, EXPIRED_TOKEN.

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`missing environment variable ${name}`);
    process.exit(2);
  }
  return value;
};

const BASE = env("API_BASE_URL");
const ORIGIN = env("ORIGIN");
const USER_A = env("USER_A");
const TOKEN_A = env("TOKEN_A");
const USER_B = env("USER_B");
const TOKEN_B = env("TOKEN_B");
const EXPIRED_TOKEN = env("EXPIRED_TOKEN");

const TASK_KEYS = [
  "completed", "created_at", "description", "due_date", "id", "occurrence", "priority",
  "recurrence", "recurrence_start", "recurs_from", "tags", "time_zone", "title", "updated_at",
  "user_id", "version",
].join(",");
const TAG_KEYS = ["color", "created_at", "id", "name", "task_count"].join(",");

const failures = [];
let checks = 0;

function check(condition, message, extra) {
  checks += 1;
  if (!condition) {
    failures.push(extra === undefined ? message : `${message}: ${JSON.stringify(extra)}`);
  }
  return condition;
}

// What a browser checks before the page may read a cross-origin answer.
function checkCors(response, what) {
  check(response.headers.get("access-control-allow-origin") === ORIGIN,
    `${what}: Access-Control-Allow-Origin`, response.headers.get("access-control-allow-origin"));
  check(response.headers.get("access-control-allow-credentials") === "true",
    `${what}: Access-Control-Allow-Credentials`);
}

// The preflight a browser sends before a request with Authorization / a JSON body.
async function preflight(method, path) {
  const response = await fetch(`${BASE}${path}`, {
    method: "OPTIONS",
    headers: {
      Origin: ORIGIN,
      "Access-Control-Request-Method": method,
      "Access-Control-Request-Headers": "authorization,content-type",
    },
  });
  const what = `preflight ${method} ${path}`;
  check(response.status === 200, `${what}: status`, response.status);
  checkCors(response, what);
  const methods = (response.headers.get("access-control-allow-methods") ?? "").split(/,\s*/);
  check(methods.includes(method), `${what}: method allowed`, methods);
  const headers = (response.headers.get("access-control-allow-headers") ?? "").toLowerCase();
  check(headers.includes("authorization") && headers.includes("content-type"),
    `${what}: headers allowed`, headers);
}

// lib/api.ts: every call sends JSON headers and parses the answer as JSON.
async function api(path, { method = "GET", body, token = TOKEN_A, rawBody } = {}) {
  const headers = { "Content-Type": "application/json", Origin: ORIGIN };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`${BASE}${path}`, {
    method,
    headers,
    credentials: "include",
    body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  checkCors(response, `${method} ${path}`);
  let data;
  try {
    data = await response.json();
  } catch (error) {
    check(false, `${method} ${path}: answer is not JSON (status ${response.status})`);
  }
  return { status: response.status, headers: response.headers, data };
}

function isUtcTimestamp(value) {
  return typeof value === "string" && /(Z|\+00:00)$/.test(value) && !Number.isNaN(Date.parse(value));
}

// An update's or a toggle's answer also names the task's next occurrence (`next_task_id`).
function checkTask(task, what, { written = false } = {}) {
  if (!check(task && typeof task === "object" && !Array.isArray(task), `${what}: a task object`, task)) {
    return;
  }
  const keys = Object.keys(task).filter((key) => !(written && key === "next_task_id"));
  check(keys.sort().join(",") === TASK_KEYS, `${what}: task keys`, Object.keys(task));
  if (written) {
    check(task.next_task_id === null || Number.isInteger(task.next_task_id),
      `${what}: next_task_id`, task.next_task_id);
  }
  check(Number.isInteger(task.id), `${what}: id is an integer`, task.id);
  check(task.user_id === USER_A, `${what}: user_id`, task.user_id);
  check(typeof task.title === "string", `${what}: title`, task.title);
  check(typeof task.completed === "boolean", `${what}: completed`, task.completed);
  check(["low", "medium", "high"].includes(task.priority), `${what}: priority`, task.priority);
  check(Number.isInteger(task.version), `${what}: version`, task.version);
  for (const key of ["created_at", "updated_at"]) {
    check(isUtcTimestamp(task[key]), `${what}: ${key} is ISO-8601 UTC`, task[key]);
  }
  check(task.due_date === null || isUtcTimestamp(task.due_date), `${what}: due_date`, task.due_date);
  check(Array.isArray(task.tags) && task.tags.every((tag) =>
    Object.keys(tag).join(",") === "id,name,color" && Number.isInteger(tag.id)),
  `${what}: tags are {id, name, color}`, task.tags);
}

function checkTag(tag, what) {
  check(tag && Object.keys(tag).sort().join(",") === TAG_KEYS, `${what}: tag keys`, tag);
  check(/^#[0-9a-f]{6}$/.test(tag?.color), `${what}: color #rrggbb`, tag?.color);
  check(isUtcTimestamp(tag?.created_at), `${what}: created_at`, tag?.created_at);
}

function checkError(answer, status, what, word) {
  check(answer.status === status, `${what}: status ${status}`, [answer.status, answer.data]);
  const detail = answer.data?.detail;
  check(typeof detail === "string" && detail.length > 0, `${what}: detail is a message`, detail);
  if (word) check(String(detail).toLowerCase().includes(word), `${what}: detail says ${word}`, detail);
  check(answer.data?.message === detail, `${what}: message is the same sentence`, answer.data);
}

const tasksPath = (user = USER_A) => `/api/${encodeURIComponent(user)}/tasks`;
const taskPath = (id, user = USER_A) => `${tasksPath(user)}/${id}`;
const tagsPath = (user = USER_A) => `/api/${encodeURIComponent(user)}/tags`;
const tagPath = (id, user = USER_A) => `${tagsPath(user)}/${id}`;

// Tags as a frontend with labels uses them: create, attach, filter, rename, delete.
async function tags() {
  for (const [method, path] of [
    ["GET", tagsPath()], ["POST", tagsPath()], ["PUT", tagPath(1)], ["PATCH", tagPath(1)],
    ["DELETE", tagPath(1)], ["PUT", `${taskPath(1)}/tags`],
  ]) {
    await preflight(method, path);
  }
  const work = await api(tagsPath(), { method: "POST", body: { name: "Work", color: "#3B82F6" } });
  check(work.status === 201, "create tag: 201", [work.status, work.data]);
  checkTag(work.data, "create tag");
  check(work.data?.color === "#3b82f6" && work.data?.task_count === 0, "create tag: fields", work.data);
  const home = await api(tagsPath(), { method: "POST", body: { name: "home" } });
  check(home.data?.color === "#6b7280", "create tag: the default color", home.data);
  checkError(await api(tagsPath(), { method: "POST", body: { name: "WORK" } }), 409,
    "a tag named like another, in capitals", "already exists");

  const made = await api(tasksPath(), {
    method: "POST", body: { title: "Tagged", tag_ids: [work.data.id, home.data.id] },
  });
  check(made.status === 201, "create with tag_ids: 201", [made.status, made.data]);
  checkTask(made.data, "create with tag_ids");
  check(made.data?.tags.map((tag) => tag.name).join(",") === "home,Work",
    "create with tag_ids: the tags, by name ignoring case", made.data?.tags);
  await api(tasksPath(), { method: "POST", body: { title: "Untagged" } });

  const listed = await api(tagsPath());
  check(listed.status === 200 && Array.isArray(listed.data) && listed.data.length === 2,
    "list tags: a bare array", listed.data);
  listed.data?.forEach((tag) => checkTag(tag, "list tags item"));
  check(listed.headers.get("x-total-count") === "2", "list tags: X-Total-Count",
    listed.headers.get("x-total-count"));
  check(listed.data?.every((tag) => tag.task_count === 1), "list tags: task_count", listed.data);

  const onlyWork = await api(`${tasksPath()}?tag_ids=${work.data.id}`);
  check(onlyWork.data?.length === 1 && onlyWork.data[0].id === made.data.id,
    "list ?tag_ids=: the tagged task only", onlyWork.data);
  const both = await api(`${tasksPath()}?tag_ids=${work.data.id}&tag_ids=999999&tag_match=all`);
  check(both.status === 200 && both.data?.length === 0, "list tag_match=all: none has both",
    both.data);

  const set = await api(`${taskPath(made.data.id)}/tags`, {
    method: "PUT", body: { tag_ids: [work.data.id] },
  });
  check(set.status === 200 && set.data?.tags.length === 1 && set.data?.version === 2,
    "PUT .../tags: replaced, a new version", set.data);
  const unknown = await api(`${taskPath(made.data.id)}/tags`, {
    method: "PUT", body: { tag_ids: [999999] },
  });
  check(unknown.status === 422 && unknown.data?.message === "tag_ids: tag 999999 not found",
    "PUT .../tags with an unknown tag: 422 naming it", unknown.data);
  checkError(await api(tagPath(work.data.id, USER_B), {
    token: TOKEN_B, method: "PATCH", body: { name: "stolen" },
  }), 404, "A's tag renamed under B's path", "not found");

  const renamed = await api(tagPath(work.data.id), { method: "PATCH", body: { name: "Job" } });
  check(renamed.status === 200 && renamed.data?.name === "Job", "rename tag", renamed.data);
  const carried = await api(taskPath(made.data.id));
  check(carried.data?.tags[0]?.name === "Job" && carried.data?.version === 3,
    "rename tag: the task carries the new name, at a new version", carried.data);

  const removed = await api(tagPath(work.data.id), { method: "DELETE" });
  check(removed.status === 200 && removed.data?.deleted_id === work.data.id, "delete tag",
    removed.data);
  const kept = await api(taskPath(made.data.id));
  check(kept.status === 200 && kept.data?.tags.length === 0, "delete tag: the task stays, untagged",
    kept.data);
}

async function main() {
  for (const [method, path] of [
    ["GET", tasksPath()], ["POST", tasksPath()], ["GET", taskPath(1)], ["PUT", taskPath(1)],
    ["PATCH", taskPath(1)], ["DELETE", taskPath(1)], ["PATCH", `${taskPath(1)}/complete`],
    ["PATCH", `${taskPath(1)}/toggle`],
  ]) {
    await preflight(method, path);
  }

  const created = await api(tasksPath(), {
    method: "POST",
    body: { title: "Write the report", description: "for Monday", priority: "high",
            due_date: "2030-01-02T03:04:05+02:00", id: 0, user_id: "someone-else" },
  });
  check(created.status === 201, "create: status 201", [created.status, created.data]);
  checkTask(created.data, "create");
  const task = created.data;
  check(task.completed === false && task.version === 1, "create: a fresh task", task);
  check(Date.parse(task.due_date) === Date.parse("2030-01-02T01:04:05Z"), "create: due_date", task.due_date);

  const listing = await api(`${tasksPath()}?url_user_id=${USER_A}&status=incomplete&sort=created&order=desc&limit=10&offset=0`);
  check(listing.status === 200 && Array.isArray(listing.data), "list: a bare array", listing.data);
  check(listing.headers.get("x-total-count") === "1", "list: X-Total-Count",
    listing.headers.get("x-total-count"));
  const exposed = (listing.headers.get("access-control-expose-headers") ?? "").toLowerCase();
  check(exposed.includes("x-total-count"), "list: X-Total-Count is exposed to the page", exposed);
  check(listing.data?.length === 1 && listing.data[0].id === task.id, "list: the task", listing.data);
  listing.data?.forEach((item) => checkTask(item, "list item"));
  const filtered = await api(`${tasksPath()}?status_filter=completed`);
  check(filtered.status === 200 && filtered.data?.length === 0, "list: status_filter", filtered.data);

  const fetched = await api(taskPath(task.id));
  check(fetched.status === 200, "get: status", fetched.status);
  check(JSON.stringify(fetched.data) === JSON.stringify(task), "get: the created task", fetched.data);

  const put = await api(taskPath(task.id), { method: "PUT", body: { title: "Write the summary" } });
  check(put.status === 200, "put: status", [put.status, put.data]);
  checkTask(put.data, "put", { written: true });
  check(put.data?.title === "Write the summary" && put.data?.description === "for Monday",
    "put: partial update", put.data);

  const patched = await api(taskPath(task.id), {
    method: "PATCH", body: { description: null, priority: "low", due_date: null },
  });
  check(patched.status === 200, "patch: status", [patched.status, patched.data]);
  checkTask(patched.data, "patch", { written: true });
  check(patched.data?.description === null && patched.data?.priority === "low" &&
    patched.data?.due_date === null && patched.data?.version === 3, "patch: applied", patched.data);

  const completions = [
    ["complete, no body", "complete", undefined, true],
    ["complete, {}", "complete", {}, false],
    ['complete, {"completed": true}', "complete", { completed: true }, true],
    ['complete, {"completed": true} again', "complete", { completed: true }, true],
    ["toggle, no body", "toggle", undefined, false],
    ['toggle, {"completed": false}', "toggle", { completed: false }, false],
  ];
  for (const [what, action, body, expected] of completions) {
    const answer = await api(`${taskPath(task.id)}/${action}`, { method: "PATCH", body });
    check(answer.status === 200, `${what}: status`, [answer.status, answer.data]);
    checkTask(answer.data, what, { written: true });
    check(answer.data?.completed === expected, `${what}: completed is ${expected}`, answer.data);
  }
  const badCompletion = await api(`${taskPath(task.id)}/complete`, {
    method: "PATCH", body: { completed: "yes" },
  });
  check(badCompletion.status === 422, 'complete, {"completed": "yes"}: 422', badCompletion.status);

  checkError(await api(tasksPath(), { token: TOKEN_B }), 403, "B's token on A's list");
  checkError(await api(taskPath(task.id), { token: TOKEN_B, method: "DELETE" }), 403,
    "B's token deleting on A's path");
  checkError(await api(taskPath(task.id, USER_B), { token: TOKEN_B }), 404,
    "A's task under B's path", "not found");
  checkError(await api(taskPath(task.id, USER_B), {
    token: TOKEN_B, method: "PUT", body: { title: "stolen" },
  }), 404, "A's task updated under B's path", "not found");

  for (const [token, word] of [[null, "missing"], [EXPIRED_TOKEN, "expired"], ["x.y", "malformed"]]) {
    const answer = await api(tasksPath(), { token });
    checkError(answer, 401, `token ${word}`, word);
    check((answer.headers.get("www-authenticate") ?? "").startsWith("Bearer"),
      `token ${word}: WWW-Authenticate`, answer.headers.get("www-authenticate"));
  }

  const invalid = await api(tasksPath(), { method: "POST", body: { title: "" } });
  check(invalid.status === 422, "blank title: 422", invalid.status);
  check(Array.isArray(invalid.data?.detail) && invalid.data.detail[0].loc.includes("title"),
    "blank title: detail names the field", invalid.data);
  check(invalid.data?.message === "title: String should have at least 1 character",
    "blank title: message is one sentence naming the field", invalid.data);
  const malformed = await api(tasksPath(), { method: "POST", rawBody: "{not json" });
  check(malformed.status === 422, "malformed JSON: 422", malformed.status);
  checkError(await api(taskPath(987654321)), 404, "a task that never existed", "not found");

  const unchanged = await api(taskPath(task.id));
  check(unchanged.data?.title === "Write the summary" && unchanged.data?.version === 7,
    "A's task unchanged by B", unchanged.data);

  const deleted = await api(taskPath(task.id), { method: "DELETE" });
  check(deleted.status === 200, "delete: status 200 (not 204)", deleted.status);
  check(deleted.data?.deleted_id === task.id && typeof deleted.data?.message === "string",
    "delete: message and deleted_id", deleted.data);
  checkError(await api(taskPath(task.id)), 404, "get after delete", "not found");
  const after = await api(tasksPath());
  check(after.status === 200 && Array.isArray(after.data) && after.data.length === 0,
    "list after delete: empty", after.data);
  check(after.headers.get("x-total-count") === "0", "list after delete: X-Total-Count 0",
    after.headers.get("x-total-count"));

  await tags();
  await recurring();
}

// A weekly stand-up, Mondays 09:00 in Berlin: completing it makes next Monday's, still at 09:00
// local time after the clocks change (2030-03-31), and completing it again makes no other.
async function recurring() {
  const created = await api(tasksPath(), {
    method: "POST",
    body: { title: "Stand-up", due_date: "2030-03-25T08:00:00Z", recurrence: "rrule:freq=weekly;byday=mo",
            time_zone: "europe/berlin" },
  });
  check(created.status === 201, "recurring create: status 201", [created.status, created.data]);
  checkTask(created.data, "recurring create");
  const task = created.data;
  check(task.recurrence === "FREQ=WEEKLY;BYDAY=MO" && task.time_zone === "Europe/Berlin" &&
    task.occurrence === 1 && task.recurs_from === null, "recurring create: the rule", task);
  const noDue = await api(tasksPath(), {
    method: "POST", body: { title: "Stand-up", recurrence: "FREQ=DAILY" },
  });
  check(noDue.status === 422 && noDue.data?.message === "due_date: is required for a recurring task",
    "recurring create without a due date: 422", noDue.data);

  const done = await api(`${taskPath(task.id)}/complete`, { method: "PATCH", body: { completed: true } });
  check(done.status === 200, "recurring complete: status", [done.status, done.data]);
  checkTask(done.data, "recurring complete", { written: true });
  const nextId = done.data?.next_task_id;
  check(done.data?.completed === true && Number.isInteger(nextId), "recurring complete: next_task_id",
    done.data);
  const again = await api(`${taskPath(task.id)}/complete`, { method: "PATCH", body: { completed: true } });
  check(again.data?.next_task_id === nextId, "recurring complete again: the same next task", again.data);

  const next = await api(taskPath(nextId));
  check(next.status === 200, "next occurrence: status", [next.status, next.data]);
  checkTask(next.data, "next occurrence");
  check(next.data?.due_date === "2030-04-01T07:00:00Z" && next.data?.title === "Stand-up" &&
    next.data?.completed === false && next.data?.occurrence === 2 && next.data?.recurs_from === task.id,
    "next occurrence: Monday 09:00 Berlin summer time", next.data);

  const listing = await api(tasksPath());
  const series = (listing.data ?? []).filter((t) => t.title === "Stand-up").map((t) => t.id);
  check(series.length === 2 && series.includes(task.id) && series.includes(nextId),
    "recurring: the task and its next occurrence, no other", listing.data);
  for (const id of [task.id, nextId]) {
    const deleted = await api(taskPath(id), { method: "DELETE" });
    check(deleted.status === 200, "recurring delete: status 200", deleted.status);
  }
}

try {
  await main();
} catch (error) {
  failures.push(`unexpected error: ${error?.stack ?? error}`);
}
if (failures.length > 0) {
  for (const failure of failures) console.log(`FAIL ${failure}`);
  console.log(`${failures.length} of ${checks} checks failed`);
  process.exit(1);
}
console.log(`OK ${checks} checks passed`);
