// Apollo Client with its persisted-query link against a live server: automatic persisted
// queries as a real client runs them. A recording fetch checks what each step puts on the wire.
// Prints every mismatch and exits 1 if there was any; the last line says how many checks ran.
//
// Usage: node dist/apq.js [BASE_URL [TOKEN]], or API_BASE_URL and API_TOKEN in the environment.
import { createHash, randomUUID } from "node:crypto";

import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { Kind, parse, visit } from "graphql";

import type { TypedDocumentString } from "./gql/graphql.js";
import { CreateTask, ListTasks } from "./operations.js";
import { check, runChecks } from "./checks.js";

const BASE_URL = (process.argv[2] ?? process.env["API_BASE_URL"] ?? "").replace(/\/+$/, "");
const TOKEN = process.argv[3] ?? process.env["API_TOKEN"] ?? "";
if (!BASE_URL || !TOKEN) {
  console.error("usage: node apq.js BASE_URL TOKEN (or set API_BASE_URL and API_TOKEN)");
  process.exit(2);
}


/** One request as it went out and came back, e.g. "GET hash: data". */
type Exchange = string;

// The link's own hashing input is print(document); Node's crypto does the SHA-256.
const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** fetch that records each exchange: method, whether the query text went along, the answer. */
function recording(wire: Exchange[]): typeof fetch {
  return async (input, init) => {
    const method = init?.method ?? "GET";
    const url = new URL(input instanceof Request ? input.url : String(input));
    const sent: Record<string, unknown> =
      method === "GET" ? Object.fromEntries(url.searchParams) : JSON.parse(String(init?.body));
    const response = await fetch(input, init);
    const answer = await response.clone().text();
    const kind = typeof sent["query"] === "string" ? "query+hash" : "hash";
    const outcome = answer.includes("PERSISTED_QUERY_NOT_FOUND") ? "NOT_FOUND" : "data";
    wire.push(`${method} ${kind}: ${response.status === 200 ? outcome : answer}`);
    return response;
  };
}

function client(wire: Exchange[], useGETForHashedQueries: boolean): ApolloClient {
  const persisted = new PersistedQueryLink({ sha256, useGETForHashedQueries });
  const http = new HttpLink({
    uri: `${BASE_URL}/graphql`,
    headers: { Authorization: `Bearer ${TOKEN}` },
    fetch: recording(wire),
  });
  return new ApolloClient({
    link: ApolloLink.from([persisted, http]),
    cache: new InMemoryCache(),
    // Every query to the server: what is checked here is the wire, not Apollo's cache.
    defaultOptions: { query: { fetchPolicy: "network-only" } },
  });
}

/** The typed operation under a name of this run's: its hash is new to the server. */
function fresh<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  run: string,
): TypedDocumentNode<TResult, TVariables> {
  return visit(parse(document.toString()), {
    OperationDefinition: (node) => ({
      ...node,
      name: { kind: Kind.NAME, value: `${node.name?.value ?? "Operation"}_${run}` },
    }),
  }) as TypedDocumentNode<TResult, TVariables>;
}

async function main(): Promise<void> {
  const run = randomUUID().slice(0, 8);
  const create = fresh(CreateTask, run);
  const list = fresh(ListTasks, run);
  const filter = { search: `apq ${run}` };

  // POST: the hash alone, PersistedQueryNotFound, then the query and hash; next time the hash.
  const wire: Exchange[] = [];
  const apollo = client(wire, false);
  const first = await apollo.mutate({ mutation: create, variables: { input: { title: `apq ${run} 1` } } });
  check(first.data?.createTask.title === `apq ${run} 1`, "mutation: created", first.data);
  check(wire.join(" | ") === "POST hash: NOT_FOUND | POST query+hash: data", "mutation: wire", wire);
  wire.length = 0;
  const second = await apollo.mutate({ mutation: create, variables: { input: { title: `apq ${run} 2` } } });
  check(second.data?.createTask.title === `apq ${run} 2`, "mutation by hash: created", second.data);
  check(wire.join(" | ") === "POST hash: data", "mutation by hash: wire", wire);
  wire.length = 0;
  const posted = await apollo.query({ query: list, variables: { filter } });
  check(posted.data?.tasks.totalCount === 2, "query: both tasks", posted.data);
  check(wire.join(" | ") === "POST hash: NOT_FOUND | POST query+hash: data", "query: wire", wire);

  // useGETForHashedQueries: a known hash is one GET; an unknown one falls back to a POST.
  const getWire: Exchange[] = [];
  const getter = client(getWire, true);
  const got = await getter.query({ query: list, variables: { filter } });
  check(got.data?.tasks.totalCount === 2, "GET by hash: both tasks", got.data);
  check(getWire.join(" | ") === "GET hash: data", "GET by hash: wire", getWire);
  getWire.length = 0;
  const other = await getter.query({ query: list, variables: { filter, first: 1 } });
  check(other.data?.tasks.edges.length === 1, "GET, other variables: one edge", other.data);
  check(getWire.join(" | ") === "GET hash: data", "GET, other variables: wire", getWire);
  getWire.length = 0;
  const unknown = fresh(ListTasks, `${run}_get`);
  const fallback = await getter.query({ query: unknown, variables: { filter } });
  check(fallback.data?.tasks.totalCount === 2, "GET, unknown hash: both tasks", fallback.data);
  const expected = "GET hash: NOT_FOUND | POST query+hash: data";
  check(getWire.join(" | ") === expected, "GET, unknown hash: wire", getWire);
  getWire.length = 0;
  // Mutations are never sent with GET: a POST with the hash the first client stored.
  await getter.mutate({ mutation: create, variables: { input: { title: `apq ${run} 3` } } });
  check(getWire.join(" | ") === "POST hash: data", "mutation, GET client: wire", getWire);
}

await runChecks("apq client", main);
