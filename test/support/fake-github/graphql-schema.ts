import { buildSchema, type GraphQLSchema } from 'graphql';

/**
 * The subset of GitHub's GraphQL schema (https://docs.github.com/graphql) that the fake
 * serves, with GitHub's type and field names, so a query that works here has the same shape
 * on the real API. graphql-js validates every query against it.
 */
export const FAKE_GITHUB_SDL = /* GraphQL */ `
  scalar DateTime
  scalar URI
  scalar GitObjectID

  enum SearchType { ISSUE ISSUE_ADVANCED REPOSITORY USER DISCUSSION }
  enum OrderDirection { ASC DESC }
  enum LanguageOrderField { SIZE }
  input LanguageOrder { field: LanguageOrderField! direction: OrderDirection! }

  type PageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }

  interface Node { id: ID! }
  interface RepositoryOwner { login: String! url: URI! }
  type User implements Node & RepositoryOwner { id: ID! login: String! url: URI! }
  type Organization implements Node & RepositoryOwner { id: ID! login: String! url: URI! }

  type License { spdxId: String key: String! name: String! }
  type Language { name: String! color: String }
  type LanguageEdge { size: Int! node: Language! cursor: String! }
  type LanguageConnection { totalCount: Int! totalSize: Int! edges: [LanguageEdge] nodes: [Language] }
  type Topic { name: String! }
  type RepositoryTopic { topic: Topic! }
  type RepositoryTopicConnection { totalCount: Int! nodes: [RepositoryTopic] }
  interface GitObject { oid: GitObjectID! }
  type Commit implements GitObject { oid: GitObjectID! committedDate: DateTime! }
  type Blob implements GitObject {
    oid: GitObjectID!
    abbreviatedOid: String!
    byteSize: Int!
    isBinary: Boolean
    isTruncated: Boolean!
    text: String
  }
  type TreeEntry { name: String! path: String type: String! }
  type Tree implements GitObject { oid: GitObjectID! entries: [TreeEntry!] }
  type Ref { name: String! prefix: String! target: GitObject }

  type Repository implements Node {
    id: ID!
    databaseId: Int
    name: String!
    nameWithOwner: String!
    description: String
    url: URI!
    owner: RepositoryOwner!
    stargazerCount: Int!
    forkCount: Int!
    diskUsage: Int
    createdAt: DateTime!
    pushedAt: DateTime
    updatedAt: DateTime!
    isFork: Boolean!
    isArchived: Boolean!
    isMirror: Boolean!
    isPrivate: Boolean!
    isEmpty: Boolean!
    mirrorUrl: URI
    parent: Repository
    licenseInfo: License
    primaryLanguage: Language
    languages(first: Int, after: String, orderBy: LanguageOrder): LanguageConnection
    repositoryTopics(first: Int, after: String): RepositoryTopicConnection!
    defaultBranchRef: Ref
    object(expression: String, oid: GitObjectID): GitObject
  }

  union SearchResultItem = Repository | User | Organization

  type SearchResultItemEdge { cursor: String! node: SearchResultItem }
  type SearchResultItemConnection {
    repositoryCount: Int!
    userCount: Int!
    issueCount: Int!
    codeCount: Int!
    discussionCount: Int!
    wikiCount: Int!
    pageInfo: PageInfo!
    edges: [SearchResultItemEdge]
    nodes: [SearchResultItem]
  }

  type RateLimit { cost: Int! limit: Int! nodeCount: Int! remaining: Int! resetAt: DateTime! used: Int! }

  type Query {
    search(query: String!, type: SearchType!, first: Int, after: String, last: Int, before: String): SearchResultItemConnection!
    rateLimit(dryRun: Boolean = false): RateLimit
    node(id: ID!): Node
    nodes(ids: [ID!]!): [Node]!
    repository(owner: String!, name: String!): Repository
  }
`;

let schema: GraphQLSchema | undefined;

export function fakeGitHubSchema(): GraphQLSchema {
  schema ??= buildSchema(FAKE_GITHUB_SDL);
  return schema;
}
