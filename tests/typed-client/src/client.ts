// A typed GraphQL client over Node's fetch: the document's generated types decide what
// variables a call takes and what data it returns, so tsc rejects calls the schema does not allow.
import type { TypedDocumentString } from "./gql/graphql.js";

/** A GraphQL error as the API sends it: every one carries an `extensions.code`. */
export interface GraphQLError {
  message: string;
  path?: readonly (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

/** The body of a GraphQL answer: data, errors, or (for partial failures) both. */
export interface Outcome<TResult> {
  data: TResult | null;
  errors?: readonly GraphQLError[];
}

// Operations without variables may be called without them; the others must get them.
type VariablesArgument<TVariables> =
  Record<string, never> extends TVariables ? [variables?: TVariables] : [variables: TVariables];

export class GraphQLClient {
  constructor(
    private readonly endpoint: string,
    private readonly token: string,
  ) {}

  /** Runs one operation and returns the whole answer; throws if it is not a GraphQL answer. */
  async execute<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    ...[variables]: VariablesArgument<TVariables>
  ): Promise<Outcome<TResult>> {
    const response = await fetch(this.endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/graphql-response+json, application/json",
        Authorization: `Bearer ${this.token}`,
      },
      body: JSON.stringify({ query: document.toString(), variables: variables ?? {} }),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`HTTP ${response.status} from ${this.endpoint}: ${text}`);
    }
    return JSON.parse(text) as Outcome<TResult>;
  }

  /** Runs one operation that must succeed; throws with the errors otherwise. */
  async data<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    ...variables: VariablesArgument<TVariables>
  ): Promise<TResult> {
    const outcome = await this.execute(document, ...variables);
    if ((outcome.errors?.length ?? 0) > 0 || outcome.data === null) {
      throw new Error(`GraphQL errors: ${JSON.stringify(outcome.errors)}`);
    }
    return outcome.data;
  }
}
