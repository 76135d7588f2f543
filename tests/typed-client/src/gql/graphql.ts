/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type CreateTaskInput = {
  description?: string | null | undefined;
  dueDate?: string | null | undefined;
  /** Retries with the same key within 24 hours return the first task. */
  idempotencyKey?: string | null | undefined;
  priority?: Priority;
  /** An RRULE of RFC 5545: FREQ=DAILY|WEEKLY|MONTHLY|YEARLY with INTERVAL, BYDAY, BYMONTHDAY, COUNT or UNTIL, like FREQ=WEEKLY;BYDAY=MO. Needs a due date (the series starts there); completing the task creates its next occurrence. Null or empty: the task does not recur. */
  recurrence?: string | null | undefined;
  /** The IANA time zone the rule is evaluated in, like Europe/Berlin (default UTC). */
  timeZone?: string;
  title: string;
};

export type OrderDirection =
  | 'ASC'
  | 'DESC';

export type Priority =
  | 'HIGH'
  | 'LOW'
  | 'MEDIUM';

export type TaskFilter = {
  priority?: Priority | null | undefined;
  /** Case-insensitive text in the title or description. */
  search?: string | null | undefined;
  status?: TaskStatus;
};

export type TaskOrder = {
  direction?: OrderDirection;
  field?: TaskOrderField;
};

export type TaskOrderField =
  | 'CREATED_AT'
  | 'DUE_DATE'
  | 'PRIORITY'
  | 'TITLE'
  | 'UPDATED_AT';

export type TaskStatus =
  | 'ALL'
  | 'COMPLETED'
  | 'PENDING';

/** Only the fields given are changed; null clears an optional one. */
export type UpdateTaskInput = {
  completed?: boolean | null | undefined;
  description?: string | null | undefined;
  dueDate?: string | null | undefined;
  priority?: Priority | null | undefined;
  /** An RRULE of RFC 5545: FREQ=DAILY|WEEKLY|MONTHLY|YEARLY with INTERVAL, BYDAY, BYMONTHDAY, COUNT or UNTIL, like FREQ=WEEKLY;BYDAY=MO. Needs a due date (the series starts there); completing the task creates its next occurrence. Null or empty: the task does not recur. */
  recurrence?: string | null | undefined;
  /** The IANA time zone the rule is evaluated in, like Europe/Berlin (default UTC). */
  timeZone?: string | null | undefined;
  title?: string | null | undefined;
};

export type TaskFieldsFragment = { id: string, title: string, description: string | null, completed: boolean, priority: Priority, dueDate: string | null, createdAt: string, updatedAt: string, version: number, recurrence: string | null, timeZone: string, recurrenceStart: string | null, occurrence: number | null, recursFrom: string | null };

export type CreateTaskMutationVariables = Exact<{
  input: CreateTaskInput;
}>;


export type CreateTaskMutation = { createTask: { id: string, title: string, description: string | null, completed: boolean, priority: Priority, dueDate: string | null, createdAt: string, updatedAt: string, version: number, recurrence: string | null, timeZone: string, recurrenceStart: string | null, occurrence: number | null, recursFrom: string | null } };

export type ListTasksQueryVariables = Exact<{
  filter?: TaskFilter | null | undefined;
  orderBy?: TaskOrder | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ListTasksQuery = { tasks: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, title: string, description: string | null, completed: boolean, priority: Priority, dueDate: string | null, createdAt: string, updatedAt: string, version: number, recurrence: string | null, timeZone: string, recurrenceStart: string | null, occurrence: number | null, recursFrom: string | null } }> } };

export type GetTaskQueryVariables = Exact<{
  id: string | number;
}>;


export type GetTaskQuery = { task: { id: string, title: string, description: string | null, completed: boolean, priority: Priority, dueDate: string | null, createdAt: string, updatedAt: string, version: number, recurrence: string | null, timeZone: string, recurrenceStart: string | null, occurrence: number | null, recursFrom: string | null } | null };

export type UpdateTaskMutationVariables = Exact<{
  id: string | number;
  input: UpdateTaskInput;
  expectedVersion?: number | null | undefined;
}>;


export type UpdateTaskMutation = { updateTask: { id: string, title: string, description: string | null, completed: boolean, priority: Priority, dueDate: string | null, createdAt: string, updatedAt: string, version: number, recurrence: string | null, timeZone: string, recurrenceStart: string | null, occurrence: number | null, recursFrom: string | null } };

export type ToggleTaskMutationVariables = Exact<{
  id: string | number;
  completed?: boolean | null | undefined;
}>;


export type ToggleTaskMutation = { toggleTask: { id: string, title: string, description: string | null, completed: boolean, priority: Priority, dueDate: string | null, createdAt: string, updatedAt: string, version: number, recurrence: string | null, timeZone: string, recurrenceStart: string | null, occurrence: number | null, recursFrom: string | null, nextOccurrence: { id: string, title: string, description: string | null, completed: boolean, priority: Priority, dueDate: string | null, createdAt: string, updatedAt: string, version: number, recurrence: string | null, timeZone: string, recurrenceStart: string | null, occurrence: number | null, recursFrom: string | null } | null } };

export type DeleteTaskMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteTaskMutation = { deleteTask: string };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const TaskFieldsFragmentDoc = new TypedDocumentString(`
    fragment TaskFields on Task {
  id
  title
  description
  completed
  priority
  dueDate
  createdAt
  updatedAt
  version
  recurrence
  timeZone
  recurrenceStart
  occurrence
  recursFrom
}
    `, {"fragmentName":"TaskFields"}) as unknown as TypedDocumentString<TaskFieldsFragment, unknown>;
export const CreateTaskDocument = new TypedDocumentString(`
    mutation CreateTask($input: CreateTaskInput!) {
  createTask(input: $input) {
    ...TaskFields
  }
}
    fragment TaskFields on Task {
  id
  title
  description
  completed
  priority
  dueDate
  createdAt
  updatedAt
  version
  recurrence
  timeZone
  recurrenceStart
  occurrence
  recursFrom
}`) as unknown as TypedDocumentString<CreateTaskMutation, CreateTaskMutationVariables>;
export const ListTasksDocument = new TypedDocumentString(`
    query ListTasks($filter: TaskFilter, $orderBy: TaskOrder, $first: Int, $after: String) {
  tasks(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      cursor
      node {
        ...TaskFields
      }
    }
  }
}
    fragment TaskFields on Task {
  id
  title
  description
  completed
  priority
  dueDate
  createdAt
  updatedAt
  version
  recurrence
  timeZone
  recurrenceStart
  occurrence
  recursFrom
}`) as unknown as TypedDocumentString<ListTasksQuery, ListTasksQueryVariables>;
export const GetTaskDocument = new TypedDocumentString(`
    query GetTask($id: ID!) {
  task(id: $id) {
    ...TaskFields
  }
}
    fragment TaskFields on Task {
  id
  title
  description
  completed
  priority
  dueDate
  createdAt
  updatedAt
  version
  recurrence
  timeZone
  recurrenceStart
  occurrence
  recursFrom
}`) as unknown as TypedDocumentString<GetTaskQuery, GetTaskQueryVariables>;
export const UpdateTaskDocument = new TypedDocumentString(`
    mutation UpdateTask($id: ID!, $input: UpdateTaskInput!, $expectedVersion: Int) {
  updateTask(id: $id, input: $input, expectedVersion: $expectedVersion) {
    ...TaskFields
  }
}
    fragment TaskFields on Task {
  id
  title
  description
  completed
  priority
  dueDate
  createdAt
  updatedAt
  version
  recurrence
  timeZone
  recurrenceStart
  occurrence
  recursFrom
}`) as unknown as TypedDocumentString<UpdateTaskMutation, UpdateTaskMutationVariables>;
export const ToggleTaskDocument = new TypedDocumentString(`
    mutation ToggleTask($id: ID!, $completed: Boolean) {
  toggleTask(id: $id, completed: $completed) {
    ...TaskFields
    nextOccurrence {
      ...TaskFields
    }
  }
}
    fragment TaskFields on Task {
  id
  title
  description
  completed
  priority
  dueDate
  createdAt
  updatedAt
  version
  recurrence
  timeZone
  recurrenceStart
  occurrence
  recursFrom
}`) as unknown as TypedDocumentString<ToggleTaskMutation, ToggleTaskMutationVariables>;
export const DeleteTaskDocument = new TypedDocumentString(`
    mutation DeleteTask($id: ID!) {
  deleteTask(id: $id)
}
    `) as unknown as TypedDocumentString<DeleteTaskMutation, DeleteTaskMutationVariables>;