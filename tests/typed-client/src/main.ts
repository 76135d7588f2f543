// Runs the whole task flow through the typed client against a live server. Prints every
// mismatch and exits 1 if there was any; the last line says how many checks ran.
//
// Usage: node dist/main.js [BASE_URL [TOKEN]], or API_BASE_URL and API_TOKEN in the environment.
import { randomUUID } from "node:crypto";

import { GraphQLClient, type GraphQLError } from "./client.js";
import type { TaskFieldsFragment } from "./gql/graphql.js";
import {
  CreateTag,
  CreateTask,
  DeleteTag,
  DeleteTask,
  GetTask,
  ListTags,
  ListTasks,
  SetTaskTags,
  ToggleTask,
  UpdateTag,
  UpdateTask,
} from "./operations.js";
import { check, runChecks } from "./checks.js";

function setting(position: number, name: string): string {
  const value = process.argv[position] ?? process.env[name];
  if (!value) {
    console.error(`usage: node main.js BASE_URL TOKEN (or set ${name})`);
    process.exit(2);
  }
  return value;
}

const BASE_URL = setting(2, "API_BASE_URL").replace(/\/+$/, "");
const TOKEN = setting(3, "API_TOKEN");


function errorCode(errors: readonly GraphQLError[] | undefined): string | undefined {
  return errors?.[0]?.extensions?.code;
}

async function main(): Promise<void> {
  const api = new GraphQLClient(`${BASE_URL}/graphql`, TOKEN);
  const run = randomUUID().slice(0, 8);
  const created: TaskFieldsFragment[] = [];
  const create = async (title: string): Promise<TaskFieldsFragment> => {
    const { createTask } = await api.data(CreateTask, { input: { title } });
    created.push(createTask);
    return createTask;
  };

  // createTask, then a retry with the same idempotency key: the same task, not a second one.
  const input = {
    title: `typed ${run} b`,
    description: "from the typed client",
    priority: "HIGH",
    dueDate: "2030-01-02T03:04:05+02:00",
    idempotencyKey: `typed-client-${run}`,
  } as const;
  const { createTask: first } = await api.data(CreateTask, { input });
  created.push(first);
  check(first.title === input.title && first.priority === "HIGH", "create: the fields", first);
  check(!first.completed && first.version === 1, "create: a fresh task", first);
  check(
    Date.parse(first.dueDate ?? "") === Date.parse("2030-01-02T01:04:05Z"),
    "create: dueDate in UTC",
    first.dueDate,
  );
  const { createTask: retried } = await api.data(CreateTask, { input });
  check(retried.id === first.id && retried.version === 1, "create retry: the same task", retried);

  // Two more matches, a completed match and an unrelated task: the filter keeps three.
  await create(`typed ${run} a`);
  await create(`typed ${run} c`);
  const done = await create(`typed ${run} d`);
  await api.data(ToggleTask, { id: done.id, completed: true });
  const unrelated = await create(`unrelated ${run}`);

  // tasks: filtered, ordered by title, two pages.
  const filter = { search: `typed ${run}`, status: "PENDING" } as const;
  const orderBy = { field: "TITLE", direction: "ASC" } as const;
  const page1 = (await api.data(ListTasks, { filter, orderBy, first: 2 })).tasks;
  check(page1.totalCount === 3, "page 1: totalCount", page1.totalCount);
  check(page1.edges.length === 2 && page1.pageInfo.hasNextPage, "page 1: two, more", page1);
  const after = page1.pageInfo.endCursor;
  const page2 = (await api.data(ListTasks, { filter, orderBy, first: 2, after })).tasks;
  check(page2.edges.length === 1 && !page2.pageInfo.hasNextPage, "page 2: the last", page2);
  const titles = [...page1.edges, ...page2.edges].map((edge) => edge.node.title);
  const expected = ["a", "b", "c"].map((suffix) => `typed ${run} ${suffix}`);
  check(titles.join("|") === expected.join("|"), "pages: each match once, by title", titles);
  const everything = (await api.data(ListTasks)).tasks;
  check(
    everything.totalCount >= 5 && everything.edges[0]?.node.id === unrelated.id,
    "tasks without arguments: all of them, newest first",
    everything.edges[0],
  );

  // task(id): what createTask returned.
  const { task: fetched } = await api.data(GetTask, { id: first.id });
  check(JSON.stringify(fetched) === JSON.stringify(first), "task(id): the created task", fetched);

  // updateTask at the version read, then again at that (now stale) version.
  const { updateTask: updated } = await api.data(UpdateTask, {
    id: first.id,
    input: { title: `typed ${run} b, renamed`, description: null },
    expectedVersion: first.version,
  });
  check(
    updated.title.endsWith("renamed") && updated.description === null && updated.version === 2,
    "update at the current version: applied",
    updated,
  );
  const stale = await api.execute(UpdateTask, {
    id: first.id,
    input: { title: "lost update" },
    expectedVersion: first.version,
  });
  check(errorCode(stale.errors) === "CONFLICT", "update at a stale version: CONFLICT", stale);
  check(stale.errors?.[0]?.extensions?.["currentVersion"] === 2, "CONFLICT: currentVersion", stale);

  // toggleTask: no value flips it; a value sets it (the value it has changes nothing).
  const { toggleTask: flipped } = await api.data(ToggleTask, { id: first.id });
  check(flipped.completed && flipped.version === 3, "toggle: flipped", flipped);
  const { toggleTask: kept } = await api.data(ToggleTask, { id: first.id, completed: true });
  check(kept.completed && kept.version === 3, "toggle to true when true: unchanged", kept);
  const { toggleTask: unset } = await api.data(ToggleTask, { id: first.id, completed: false });
  check(!unset.completed && unset.version === 4, "toggle to false: set", unset);

  // deleteTask, then the id is gone.
  const { deleteTask } = await api.data(DeleteTask, { id: first.id });
  check(deleteTask === first.id, "delete: returns the id", deleteTask);
  const gone = await api.execute(GetTask, { id: first.id });
  check(errorCode(gone.errors) === "NOT_FOUND", "task(id) after delete: NOT_FOUND", gone);
  check(gone.data?.task == null, "task(id) after delete: no task", gone.data);
  const again = await api.execute(DeleteTask, { id: first.id });
  check(errorCode(again.errors) === "NOT_FOUND", "delete again: NOT_FOUND", again);

  // A recurring task: every Monday 09:00 in New York. Completing it makes the next one, at
  // 09:00 after the clocks change (2030-03-10); completing it again makes no other.
  const { createTask: weekly } = await api.data(CreateTask, {
    input: {
      title: `typed ${run} weekly`,
      dueDate: "2030-03-04T14:00:00Z",
      recurrence: "FREQ=WEEKLY;BYDAY=MO",
      timeZone: "America/New_York",
    },
  });
  created.push(weekly);
  check(
    weekly.recurrence === "FREQ=WEEKLY;BYDAY=MO" && weekly.timeZone === "America/New_York" &&
      weekly.occurrence === 1 && weekly.recursFrom === null,
    "recurring create: the rule",
    weekly,
  );
  const { toggleTask: completed } = await api.data(ToggleTask, { id: weekly.id });
  const following = completed.nextOccurrence;
  check(
    completed.completed && following?.recursFrom === weekly.id && following.occurrence === 2 &&
      Date.parse(following.dueDate ?? "") === Date.parse("2030-03-11T13:00:00Z"),
    "recurring complete: the next occurrence, Monday 09:00 daylight time",
    completed,
  );
  if (following) created.push(following);
  const { toggleTask: retried2 } = await api.data(ToggleTask, { id: weekly.id, completed: true });
  check(retried2.nextOccurrence?.id === following?.id, "recurring complete again: the same", retried2);
  const { toggleTask: once } = await api.data(ToggleTask, { id: unrelated.id });
  check(once.nextOccurrence === null, "a task that does not recur: no next occurrence", once);

  for (const task of created.slice(1)) await api.data(DeleteTask, { id: task.id });

  await tags(api, run);
}

// Tags: create, attach on create and with setTaskTags, filter, rename, delete.
async function tags(api: GraphQLClient, run: string): Promise<void> {
  const { createTag: work } = await api.data(CreateTag, {
    input: { name: `work ${run}`, color: "#3B82F6" },
  });
  check(work.color === "#3b82f6" && work.taskCount === 0, "createTag: the fields", work);
  const { createTag: home } = await api.data(CreateTag, { input: { name: `Home ${run}` } });
  check(home.color === "#6b7280", "createTag: the default color", home);
  const taken = await api.execute(CreateTag, { input: { name: `WORK ${run}` } });
  check(errorCode(taken.errors) === "CONFLICT", "createTag, a name taken: CONFLICT", taken);

  const { createTask: tagged } = await api.data(CreateTask, {
    input: { title: `tagged ${run}`, tagIds: [work.id, home.id] },
  });
  const names = tagged.tags.map((tag) => tag.name).join("|");
  check(names === `Home ${run}|work ${run}`, "createTask with tagIds: by name", tagged.tags);
  const { createTask: plain } = await api.data(CreateTask, { input: { title: `plain ${run}` } });

  const filter = { tags: { ids: [work.id] } };
  const found = (await api.data(ListTasks, { filter })).tasks;
  check(
    found.totalCount === 1 && found.edges[0]?.node.id === tagged.id,
    "tasks(filter: {tags}): the tagged task",
    found,
  );
  const every = { tags: { ids: [work.id, plain.id], match: "ALL" as const } };
  check((await api.data(ListTasks, { filter: every })).tasks.totalCount === 0, "match ALL", every);

  const { setTaskTags: set } = await api.data(SetTaskTags, {
    id: tagged.id,
    tagIds: [home.id],
    expectedVersion: tagged.version,
  });
  check(set.tags.length === 1 && set.version === 2, "setTaskTags: replaced, a new version", set);
  const unknown = await api.execute(SetTaskTags, { id: tagged.id, tagIds: ["999999999"] });
  check(errorCode(unknown.errors) === "BAD_USER_INPUT", "setTaskTags, no such tag", unknown);

  const { updateTag: renamed } = await api.data(UpdateTag, {
    id: home.id,
    input: { name: `House ${run}` },
  });
  check(renamed.name === `House ${run}` && renamed.taskCount === 1, "updateTag", renamed);
  const { task: after } = await api.data(GetTask, { id: tagged.id });
  check(
    after?.tags[0]?.name === renamed.name && after.version === 3,
    "updateTag: the task carries the new name, at a new version",
    after,
  );
  const { tags: listed } = await api.data(ListTags);
  check(listed.some((tag) => tag.id === work.id), "tags: listed", listed);

  for (const tag of [work, home]) {
    const { deleteTag } = await api.data(DeleteTag, { id: tag.id });
    check(deleteTag === tag.id, "deleteTag: returns the id", deleteTag);
  }
  const { task: kept } = await api.data(GetTask, { id: tagged.id });
  check(kept?.tags.length === 0, "deleteTag: the task stays, without it", kept);
  for (const task of [tagged, plain]) await api.data(DeleteTask, { id: task.id });
}

await runChecks("typed client", main);
