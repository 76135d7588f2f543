/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type CreateTagInput = {
  /** `#RRGGBB`; left out or null: `#6b7280`. */
  color?: string | null | undefined;
  name: string;
};

export type CreateTaskInput = {
  description?: string | null | undefined;
  dueDate?: string | null | undefined;
  /** Retries with the same key within 24 hours return the first task. */
  idempotencyKey?: string | null | undefined;
  priority?: Priority;
  /** An RRULE of RFC 5545: FREQ=DAILY|WEEKLY|MONTHLY|YEARLY with INTERVAL, BYDAY, BYMONTHDAY, COUNT or UNTIL, like FREQ=WEEKLY;BYDAY=MO. Needs a due date (the series starts there); completing the task creates its next occurrence. Null or empty: the task does not recur. */
  recurrence?: string | null | undefined;
  /** Your tags' ids: the task's tags. */
  tagIds?: Array<string | number> | null | undefined;
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

/** Tasks carrying any (or all) of these tags. */
export type TagFilter = {
  ids: Array<string | number>;
  match?: TagMatch;
};

/** Any of the tags named, or all of them. */
export type TagMatch =
  | 'ALL'
  | 'ANY';

export type TaskFilter = {
  priority?: Priority | null | undefined;
  /** Case-insensitive text in the title or description. */
  search?: string | null | undefined;
  status?: TaskStatus;
  tags?: TagFilter | null | undefined;
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

/** Only the fields given are changed. */
export type UpdateTagInput = {
  color?: string | null | undefined;
  name?: string | null | undefined;
};

/** Only the fields given are changed; null clears an optional one. */
export type UpdateTaskInput = {
  completed?: boolean | null | undefined;
  description?: string | null | undefined;
  dueDate?: string | null | undefined;
  priority?: Priority | null | undefined;
  /** An RRULE of RFC 5545: FREQ=DAILY|WEEKLY|MONTHLY|YEARLY with INTERVAL, BYDAY, BYMONTHDAY, COUNT or UNTIL, like FREQ=WEEKLY;BYDAY=MO. Needs a due date (the series starts there); completing the task creates its next occurrence. Null or empty: the task does not recur. */
  recurrence?: string | null | undefined;
  /** Replaces the task's tags; [] removes them. */
  tagIds?: Array<string | number> | null | undefined;
  /** The IANA time zone the rule is evaluated in, like Europe/Berlin (default UTC). */
  timeZone?: string | null | undefined;
  title?: string | null | undefined;
};

export type TaskFieldsFragment = { id: string, title: string, description: string | null, completed: boolean, priority: Priority, dueDate: string | null, createdAt: string, updatedAt: string, version: number, recurrence: string | null, timeZone: string, recurrenceStart: string | null, occurrence: number | null, recursFrom: string | null, tags: Array<{ id: string, name: string, color: string }> };

export type CreateTaskMutationVariables = Exact<{
  input: CreateTaskInput;
}>;


export type CreateTaskMutation = { createTask: { id: string, title: string, description: string | null, completed: boolean, priority: Priority, dueDate: string | null, createdAt: string, updatedAt: string, version: number, recurrence: string | null, timeZone: string, recurrenceStart: string | null, occurrence: number | null, recursFrom: string | null, tags: Array<{ id: string, name: string, color: string }> } };

export type ListTasksQueryVariables = Exact<{
  filter?: TaskFilter | null | undefined;
  orderBy?: TaskOrder | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ListTasksQuery = { tasks: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, title: string, description: string | null, completed: boolean, priority: Priority, dueDate: string | null, createdAt: string, updatedAt: string, version: number, recurrence: string | null, timeZone: string, recurrenceStart: string | null, occurrence: number | null, recursFrom: string | null, tags: Array<{ id: string, name: string, color: string }> } }> } };

export type GetTaskQueryVariables = Exact<{
  id: string | number;
}>;


export type GetTaskQuery = { task: { id: string, title: string, description: string | null, completed: boolean, priority: Priority, dueDate: string | null, createdAt: string, updatedAt: string, version: number, recurrence: string | null, timeZone: string, recurrenceStart: string | null, occurrence: number | null, recursFrom: string | null, tags: Array<{ id: string, name: string, color: string }> } | null };

export type UpdateTaskMutationVariables = Exact<{
  id: string | number;
  input: UpdateTaskInput;
  expectedVersion?: number | null | undefined;
}>;


export type UpdateTaskMutation = { updateTask: { id: string, title: string, description: string | null, completed: boolean, priority: Priority, dueDate: string | null, createdAt: string, updatedAt: string, version: number, recurrence: string | null, timeZone: string, recurrenceStart: string | null, occurrence: number | null, recursFrom: string | null, tags: Array<{ id: string, name: string, color: string }> } };

export type ToggleTaskMutationVariables = Exact<{
  id: string | number;
  completed?: boolean | null | undefined;
}>;


export type ToggleTaskMutation = { toggleTask: { id: string, title: string, description: string | null, completed: boolean, priority: Priority, dueDate: string | null, createdAt: string, updatedAt: string, version: number, recurrence: string | null, timeZone: string, recurrenceStart: string | null, occurrence: number | null, recursFrom: string | null, nextOccurrence: { id: string, title: string, description: string | null, completed: boolean, priority: Priority, dueDate: string | null, createdAt: string, updatedAt: string, version: number, recurrence: string | null, timeZone: string, recurrenceStart: string | null, occurrence: number | null, recursFrom: string | null, tags: Array<{ id: string, name: string, color: string }> } | null, tags: Array<{ id: string, name: string, color: string }> } };

export type DeleteTaskMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteTaskMutation = { deleteTask: string };

export type TagFieldsFragment = { id: string, name: string, color: string, createdAt: string, taskCount: number };

export type ListTagsQueryVariables = Exact<{ [key: string]: never; }>;


export type ListTagsQuery = { tags: Array<{ id: string, name: string, color: string, createdAt: string, taskCount: number }> };

export type CreateTagMutationVariables = Exact<{
  input: CreateTagInput;
}>;


export type CreateTagMutation = { createTag: { id: string, name: string, color: string, createdAt: string, taskCount: number } };

export type UpdateTagMutationVariables = Exact<{
  id: string | number;
  input: UpdateTagInput;
}>;


export type UpdateTagMutation = { updateTag: { id: string, name: string, color: string, createdAt: string, taskCount: number } };

export type DeleteTagMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteTagMutation = { deleteTag: string };

export type SetTaskTagsMutationVariables = Exact<{
  id: string | number;
  tagIds: Array<string | number> | string | number;
  expectedVersion?: number | null | undefined;
}>;


export type SetTaskTagsMutation = { setTaskTags: { id: string, title: string, description: string | null, completed: boolean, priority: Priority, dueDate: string | null, createdAt: string, updatedAt: string, version: number, recurrence: string | null, timeZone: string, recurrenceStart: string | null, occurrence: number | null, recursFrom: string | null, tags: Array<{ id: string, name: string, color: string }> } };

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
  tags {
    id
    name
    color
  }
}
    `, {"fragmentName":"TaskFields"}) as unknown as TypedDocumentString<TaskFieldsFragment, unknown>;
export const TagFieldsFragmentDoc = new TypedDocumentString(`
    fragment TagFields on Tag {
  id
  name
  color
  createdAt
  taskCount
}
    `, {"fragmentName":"TagFields"}) as unknown as TypedDocumentString<TagFieldsFragment, unknown>;
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
  tags {
    id
    name
    color
  }
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
  tags {
    id
    name
    color
  }
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
  tags {
    id
    name
    color
  }
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
  tags {
    id
    name
    color
  }
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
  tags {
    id
    name
    color
  }
}`) as unknown as TypedDocumentString<ToggleTaskMutation, ToggleTaskMutationVariables>;
export const DeleteTaskDocument = new TypedDocumentString(`
    mutation DeleteTask($id: ID!) {
  deleteTask(id: $id)
}
    `) as unknown as TypedDocumentString<DeleteTaskMutation, DeleteTaskMutationVariables>;
export const ListTagsDocument = new TypedDocumentString(`
    query ListTags {
  tags {
    ...TagFields
  }
}
    fragment TagFields on Tag {
  id
  name
  color
  createdAt
  taskCount
}`) as unknown as TypedDocumentString<ListTagsQuery, ListTagsQueryVariables>;
export const CreateTagDocument = new TypedDocumentString(`
    mutation CreateTag($input: CreateTagInput!) {
  createTag(input: $input) {
    ...TagFields
  }
}
    fragment TagFields on Tag {
  id
  name
  color
  createdAt
  taskCount
}`) as unknown as TypedDocumentString<CreateTagMutation, CreateTagMutationVariables>;
export const UpdateTagDocument = new TypedDocumentString(`
    mutation UpdateTag($id: ID!, $input: UpdateTagInput!) {
  updateTag(id: $id, input: $input) {
    ...TagFields
  }
}
    fragment TagFields on Tag {
  id
  name
  color
  createdAt
  taskCount
}`) as unknown as TypedDocumentString<UpdateTagMutation, UpdateTagMutationVariables>;
export const DeleteTagDocument = new TypedDocumentString(`
    mutation DeleteTag($id: ID!) {
  deleteTag(id: $id)
}
    `) as unknown as TypedDocumentString<DeleteTagMutation, DeleteTagMutationVariables>;
export const SetTaskTagsDocument = new TypedDocumentString(`
    mutation SetTaskTags($id: ID!, $tagIds: [ID!]!, $expectedVersion: Int) {
  setTaskTags(id: $id, tagIds: $tagIds, expectedVersion: $expectedVersion) {
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
  tags {
    id
    name
    color
  }
}`) as unknown as TypedDocumentString<SetTaskTagsMutation, SetTaskTagsMutationVariables>;