/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment TaskFields on Task {\n    id\n    title\n    description\n    completed\n    priority\n    dueDate\n    createdAt\n    updatedAt\n    version\n    recurrence\n    timeZone\n    recurrenceStart\n    occurrence\n    recursFrom\n    tags {\n      id\n      name\n      color\n    }\n  }\n": typeof types.TaskFieldsFragmentDoc,
    "\n  mutation CreateTask($input: CreateTaskInput!) {\n    createTask(input: $input) {\n      ...TaskFields\n    }\n  }\n": typeof types.CreateTaskDocument,
    "\n  query ListTasks($filter: TaskFilter, $orderBy: TaskOrder, $first: Int, $after: String) {\n    tasks(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...TaskFields\n        }\n      }\n    }\n  }\n": typeof types.ListTasksDocument,
    "\n  query GetTask($id: ID!) {\n    task(id: $id) {\n      ...TaskFields\n    }\n  }\n": typeof types.GetTaskDocument,
    "\n  mutation UpdateTask($id: ID!, $input: UpdateTaskInput!, $expectedVersion: Int) {\n    updateTask(id: $id, input: $input, expectedVersion: $expectedVersion) {\n      ...TaskFields\n    }\n  }\n": typeof types.UpdateTaskDocument,
    "\n  mutation ToggleTask($id: ID!, $completed: Boolean) {\n    toggleTask(id: $id, completed: $completed) {\n      ...TaskFields\n      nextOccurrence {\n        ...TaskFields\n      }\n    }\n  }\n": typeof types.ToggleTaskDocument,
    "\n  mutation DeleteTask($id: ID!) {\n    deleteTask(id: $id)\n  }\n": typeof types.DeleteTaskDocument,
    "\n  fragment TagFields on Tag {\n    id\n    name\n    color\n    createdAt\n    taskCount\n  }\n": typeof types.TagFieldsFragmentDoc,
    "\n  query ListTags {\n    tags {\n      ...TagFields\n    }\n  }\n": typeof types.ListTagsDocument,
    "\n  mutation CreateTag($input: CreateTagInput!) {\n    createTag(input: $input) {\n      ...TagFields\n    }\n  }\n": typeof types.CreateTagDocument,
    "\n  mutation UpdateTag($id: ID!, $input: UpdateTagInput!) {\n    updateTag(id: $id, input: $input) {\n      ...TagFields\n    }\n  }\n": typeof types.UpdateTagDocument,
    "\n  mutation DeleteTag($id: ID!) {\n    deleteTag(id: $id)\n  }\n": typeof types.DeleteTagDocument,
    "\n  mutation SetTaskTags($id: ID!, $tagIds: [ID!]!, $expectedVersion: Int) {\n    setTaskTags(id: $id, tagIds: $tagIds, expectedVersion: $expectedVersion) {\n      ...TaskFields\n    }\n  }\n": typeof types.SetTaskTagsDocument,
};
const documents: Documents = {
    "\n  fragment TaskFields on Task {\n    id\n    title\n    description\n    completed\n    priority\n    dueDate\n    createdAt\n    updatedAt\n    version\n    recurrence\n    timeZone\n    recurrenceStart\n    occurrence\n    recursFrom\n    tags {\n      id\n      name\n      color\n    }\n  }\n": types.TaskFieldsFragmentDoc,
    "\n  mutation CreateTask($input: CreateTaskInput!) {\n    createTask(input: $input) {\n      ...TaskFields\n    }\n  }\n": types.CreateTaskDocument,
    "\n  query ListTasks($filter: TaskFilter, $orderBy: TaskOrder, $first: Int, $after: String) {\n    tasks(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...TaskFields\n        }\n      }\n    }\n  }\n": types.ListTasksDocument,
    "\n  query GetTask($id: ID!) {\n    task(id: $id) {\n      ...TaskFields\n    }\n  }\n": types.GetTaskDocument,
    "\n  mutation UpdateTask($id: ID!, $input: UpdateTaskInput!, $expectedVersion: Int) {\n    updateTask(id: $id, input: $input, expectedVersion: $expectedVersion) {\n      ...TaskFields\n    }\n  }\n": types.UpdateTaskDocument,
    "\n  mutation ToggleTask($id: ID!, $completed: Boolean) {\n    toggleTask(id: $id, completed: $completed) {\n      ...TaskFields\n      nextOccurrence {\n        ...TaskFields\n      }\n    }\n  }\n": types.ToggleTaskDocument,
    "\n  mutation DeleteTask($id: ID!) {\n    deleteTask(id: $id)\n  }\n": types.DeleteTaskDocument,
    "\n  fragment TagFields on Tag {\n    id\n    name\n    color\n    createdAt\n    taskCount\n  }\n": types.TagFieldsFragmentDoc,
    "\n  query ListTags {\n    tags {\n      ...TagFields\n    }\n  }\n": types.ListTagsDocument,
    "\n  mutation CreateTag($input: CreateTagInput!) {\n    createTag(input: $input) {\n      ...TagFields\n    }\n  }\n": types.CreateTagDocument,
    "\n  mutation UpdateTag($id: ID!, $input: UpdateTagInput!) {\n    updateTag(id: $id, input: $input) {\n      ...TagFields\n    }\n  }\n": types.UpdateTagDocument,
    "\n  mutation DeleteTag($id: ID!) {\n    deleteTag(id: $id)\n  }\n": types.DeleteTagDocument,
    "\n  mutation SetTaskTags($id: ID!, $tagIds: [ID!]!, $expectedVersion: Int) {\n    setTaskTags(id: $id, tagIds: $tagIds, expectedVersion: $expectedVersion) {\n      ...TaskFields\n    }\n  }\n": types.SetTaskTagsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TaskFields on Task {\n    id\n    title\n    description\n    completed\n    priority\n    dueDate\n    createdAt\n    updatedAt\n    version\n    recurrence\n    timeZone\n    recurrenceStart\n    occurrence\n    recursFrom\n    tags {\n      id\n      name\n      color\n    }\n  }\n"): typeof import('./graphql.js').TaskFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateTask($input: CreateTaskInput!) {\n    createTask(input: $input) {\n      ...TaskFields\n    }\n  }\n"): typeof import('./graphql.js').CreateTaskDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListTasks($filter: TaskFilter, $orderBy: TaskOrder, $first: Int, $after: String) {\n    tasks(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...TaskFields\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.js').ListTasksDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GetTask($id: ID!) {\n    task(id: $id) {\n      ...TaskFields\n    }\n  }\n"): typeof import('./graphql.js').GetTaskDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateTask($id: ID!, $input: UpdateTaskInput!, $expectedVersion: Int) {\n    updateTask(id: $id, input: $input, expectedVersion: $expectedVersion) {\n      ...TaskFields\n    }\n  }\n"): typeof import('./graphql.js').UpdateTaskDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ToggleTask($id: ID!, $completed: Boolean) {\n    toggleTask(id: $id, completed: $completed) {\n      ...TaskFields\n      nextOccurrence {\n        ...TaskFields\n      }\n    }\n  }\n"): typeof import('./graphql.js').ToggleTaskDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteTask($id: ID!) {\n    deleteTask(id: $id)\n  }\n"): typeof import('./graphql.js').DeleteTaskDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TagFields on Tag {\n    id\n    name\n    color\n    createdAt\n    taskCount\n  }\n"): typeof import('./graphql.js').TagFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListTags {\n    tags {\n      ...TagFields\n    }\n  }\n"): typeof import('./graphql.js').ListTagsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateTag($input: CreateTagInput!) {\n    createTag(input: $input) {\n      ...TagFields\n    }\n  }\n"): typeof import('./graphql.js').CreateTagDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateTag($id: ID!, $input: UpdateTagInput!) {\n    updateTag(id: $id, input: $input) {\n      ...TagFields\n    }\n  }\n"): typeof import('./graphql.js').UpdateTagDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteTag($id: ID!) {\n    deleteTag(id: $id)\n  }\n"): typeof import('./graphql.js').DeleteTagDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetTaskTags($id: ID!, $tagIds: [ID!]!, $expectedVersion: Int) {\n    setTaskTags(id: $id, tagIds: $tagIds, expectedVersion: $expectedVersion) {\n      ...TaskFields\n    }\n  }\n"): typeof import('./graphql.js').SetTaskTagsDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
