// A frontend's lib/api.ts for the REST routes, as docs/frontend.md describes it: the user id
// from the session, a token from an injected source (Better Auth's `authClient.token()`) cached
// until shortly before its `exp` and fetched again once on a 401, the total from X-Total-Count,
// ETags both ways (If-None-Match on lists: 304 answers from the last page; If-Match on writes:
// 412 carries the current task). Plain `fetch`, no dependency; lib-api-check.ts runs it against
// a live server in tests/system/test_typed_client.py.

/** A task as the REST routes answer it. */
export interface Task {
  id: number;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  priority: "low" | "medium" | "high";
  due_date: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export type TaskCreate = Partial<Pick<Task, "description" | "priority" | "due_date">> & {
  title: string;
};
export type TaskUpdate = Partial<Pick<Task, "title" | "description" | "priority" | "due_date">>;

/** GET /api/{user_id}/tasks query parameters (see the README's REST table). */
export interface ListQuery {
  status?: "all" | "pending" | "completed";
  search?: string;
  priority?: Task["priority"];
  sort?: "created" | "updated_at" | "title" | "due_date" | "priority";
  order?: "asc" | "desc";
  limit?: number;
  offset?: number;
}

export interface TaskPage {
  tasks: Task[];
  /** All the user's tasks that match, from X-Total-Count. */
  total: number;
  /** True when the server answered 304 and this is the page it gave last time. */
  notModified: boolean;
}

export interface ApiOptions {
  baseUrl: string;
  /** The signed-in user's id, from the session (`session.user.id`). */
  userId: () => Promise<string>;
  /** A fresh JWT for that user, e.g. `(await authClient.token()).data.token`. */
  token: () => Promise<string>;
  /** Fetch a new token this long before the cached one's `exp` (default 60 s). */
  refreshBeforeExpirySeconds?: number;
}

/** A non-2xx answer: its status, its body's `message` (one sentence to show) and `detail`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly detail: unknown = message,
  ) {
    super(message);
  }
}

/** 412: someone changed the task since `If-Match`'s version; `current` is it now. */
export class StaleTaskError extends ApiError {
  constructor(readonly current: Task) {
    super(412, "The task has changed since you read it");
  }
}

/** Caches a token until shortly before its `exp`; concurrent refreshes share one fetch. */
export class TokenCache {
  private token: string | null = null;
  private expiresAtMs = 0;
  private pending: Promise<string> | null = null;

  constructor(
    private readonly source: () => Promise<string>,
    private readonly marginMs: number,
  ) {}

  async get(): Promise<string> {
    if (this.token !== null && Date.now() < this.expiresAtMs - this.marginMs) return this.token;
    return this.refresh();
  }

  refresh(): Promise<string> {
    this.pending ??= this.source()
      .then((token) => {
        this.token = token;
        this.expiresAtMs = expiryMs(token);
        return token;
      })
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }
}

/** A JWT's `exp` in milliseconds (0 when it has none: the token is then never reused). */
function expiryMs(token: string): number {
  const payload = token.split(".")[1] ?? "";
  try {
    const claims: unknown = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/")));
    const exp = (claims as { exp?: unknown }).exp;
    return typeof exp === "number" ? exp * 1000 : 0;
  } catch {
    return 0;
  }
}

export class TasksApi {
  private readonly tokens: TokenCache;
  private readonly pages = new Map<string, { etag: string; page: TaskPage }>();

  constructor(private readonly options: ApiOptions) {
    const margin = (options.refreshBeforeExpirySeconds ?? 60) * 1000;
    this.tokens = new TokenCache(options.token, margin);
  }

  /** A page of tasks; repeated with the last answer's ETag, a 304 returns that page again. */
  async list(query: ListQuery = {}): Promise<TaskPage> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) search.set(name, String(value));
    }
    const path = `/tasks?${search}`;
    const cached = this.pages.get(path);
    const headers: Record<string, string> = cached ? { "If-None-Match": cached.etag } : {};
    const response = await this.send("GET", path, { headers });
    if (response.status === 304 && cached) return { ...cached.page, notModified: true };
    const tasks = (await this.parse(response)) as Task[];
    const page = { tasks, total: Number(response.headers.get("X-Total-Count")), notModified: false };
    const etag = response.headers.get("ETag");
    if (etag !== null) this.pages.set(path, { etag, page });
    return page;
  }

  /** Creates a task; the Idempotency-Key makes the 401 retry (or yours) create it once. */
  async create(input: TaskCreate, idempotencyKey = crypto.randomUUID()): Promise<Task> {
    const headers = { "Idempotency-Key": idempotencyKey };
    return (await this.parse(await this.send("POST", "/tasks", { headers, body: input }))) as Task;
  }

  /** Changes the fields given, only if the task is still at `version` (else StaleTaskError). */
  async update(id: number, changes: TaskUpdate, version: number): Promise<Task> {
    const init = { headers: ifMatch(version), body: changes };
    return (await this.parse(await this.send("PATCH", `/tasks/${id}`, init))) as Task;
  }

  /** Sets `completed`, only if the task is still at `version` (else StaleTaskError). */
  async setCompleted(id: number, completed: boolean, version: number): Promise<Task> {
    const init = { headers: ifMatch(version), body: { completed } };
    return (await this.parse(await this.send("PATCH", `/tasks/${id}/complete`, init))) as Task;
  }

  async remove(id: number, version: number): Promise<void> {
    await this.parse(await this.send("DELETE", `/tasks/${id}`, { headers: ifMatch(version) }));
  }

  /** One request with the cached token; on 401, once more with a fresh one. */
  private async send(
    method: string,
    path: string,
    { headers = {}, body }: { headers?: Record<string, string>; body?: unknown },
  ): Promise<Response> {
    const userId = encodeURIComponent(await this.options.userId());
    const url = `${this.options.baseUrl.replace(/\/+$/, "")}/api/${userId}${path}`;
    const attempt = async (token: string): Promise<Response> =>
      fetch(url, {
        method,
        headers: {
          ...headers,
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
          Authorization: `Bearer ${token}`,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const response = await attempt(await this.tokens.get());
    if (response.status !== 401) return response;
    await response.body?.cancel();
    return attempt(await this.tokens.refresh());
  }

  private async parse(response: Response): Promise<unknown> {
    const body: unknown = await response.json();
    if (response.ok) return body;
    if (response.status === 412) throw new StaleTaskError(body as Task);
    const { message, detail } = body as { message?: string; detail?: unknown };
    throw new ApiError(response.status, message ?? `HTTP ${response.status}`, detail);
  }
}

function ifMatch(version: number): Record<string, string> {
  return { "If-Match": `"${version}"` };
}
