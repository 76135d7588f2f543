// The operations the client sends. `graphql()` returns a typed document for each exact string
// below (see src/gql/gql.ts); an edited string has no types until `make typed-client` runs.
import { graphql } from "./gql/index.js";

export const TaskFields = graphql(`
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
`);

export const CreateTask = graphql(`
  mutation CreateTask($input: CreateTaskInput!) {
    createTask(input: $input) {
      ...TaskFields
    }
  }
`);

export const ListTasks = graphql(`
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
`);

export const GetTask = graphql(`
  query GetTask($id: ID!) {
    task(id: $id) {
      ...TaskFields
    }
  }
`);

export const UpdateTask = graphql(`
  mutation UpdateTask($id: ID!, $input: UpdateTaskInput!, $expectedVersion: Int) {
    updateTask(id: $id, input: $input, expectedVersion: $expectedVersion) {
      ...TaskFields
    }
  }
`);

export const ToggleTask = graphql(`
  mutation ToggleTask($id: ID!, $completed: Boolean) {
    toggleTask(id: $id, completed: $completed) {
      ...TaskFields
      nextOccurrence {
        ...TaskFields
      }
    }
  }
`);

export const DeleteTask = graphql(`
  mutation DeleteTask($id: ID!) {
    deleteTask(id: $id)
  }
`);

export const TagFields = graphql(`
  fragment TagFields on Tag {
    id
    name
    color
    createdAt
    taskCount
  }
`);

export const ListTags = graphql(`
  query ListTags {
    tags {
      ...TagFields
    }
  }
`);

export const CreateTag = graphql(`
  mutation CreateTag($input: CreateTagInput!) {
    createTag(input: $input) {
      ...TagFields
    }
  }
`);

export const UpdateTag = graphql(`
  mutation UpdateTag($id: ID!, $input: UpdateTagInput!) {
    updateTag(id: $id, input: $input) {
      ...TagFields
    }
  }
`);

export const DeleteTag = graphql(`
  mutation DeleteTag($id: ID!) {
    deleteTag(id: $id)
  }
`);

export const SetTaskTags = graphql(`
  mutation SetTaskTags($id: ID!, $tagIds: [ID!]!, $expectedVersion: Int) {
    setTaskTags(id: $id, tagIds: $tagIds, expectedVersion: $expectedVersion) {
      ...TaskFields
    }
  }
`);
