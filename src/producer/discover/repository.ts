import { type DependencyEvidence, evidenceOfNode } from './dependency-evidence.js';

/**
 * A repository as discovery knows it, narrowed from a GraphQL search node to the fields the
 * manifest needs. Everything comes from the search page itself (metadata, fork parent,
 * language bytes, topics, default-branch head), so no request is spent per repository.
 */
export interface DiscoveredRepo {
  fullName: string;
  url: string;
  owner: string;
  stars: number;
  forks: number;
  diskUsageKb: number;
  pushedAt: string | null;
  createdAt: string | null;
  isFork: boolean;
  parent: string | null;
  license: string | null;
  topics: string[];
  primaryLanguage: string | null;
  languageBytes: Record<string, number>;
  defaultBranch: string | null;
  headSha: string | null;
  isArchived: boolean;
  isMirror: boolean;
  /** Dependency-file evidence, when the search page asked for it. */
  evidence?: DependencyEvidence;
}

/** The selection set of one repository in the search query (GitHub GraphQL names). */
export const REPOSITORY_FIELDS = /* GraphQL */ `
  nameWithOwner
  url
  owner { login }
  stargazerCount
  forkCount
  diskUsage
  pushedAt
  createdAt
  isFork
  isArchived
  isMirror
  parent { nameWithOwner }
  licenseInfo { spdxId }
  primaryLanguage { name }
  languages(first: 20, orderBy: { field: SIZE, direction: DESC }) { edges { size node { name } } }
  repositoryTopics(first: 20) { nodes { topic { name } } }
  defaultBranchRef { name target { oid } }
`;

export type Narrowed = { ok: true; repo: DiscoveredRepo } | { ok: false; reason: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const count = (v: unknown): number | null =>
  Number.isInteger(v) && (v as number) >= 0 ? (v as number) : null;

export function narrowRepository(node: unknown): Narrowed {
  if (!isObj(node)) return { ok: false, reason: 'search node is not an object' };
  const fullName = str(node.nameWithOwner);
  if (!fullName || !/^[^/\s]+\/[^/\s]+$/.test(fullName))
    return { ok: false, reason: 'nameWithOwner missing or malformed' };
  const fail = (field: string): Narrowed => ({
    ok: false,
    reason: `${fullName}: ${field} missing or malformed`,
  });
  const url = str(node.url);
  if (!url) return fail('url');
  const owner = isObj(node.owner) ? str(node.owner.login) : null;
  if (!owner) return fail('owner.login');
  const stars = count(node.stargazerCount);
  if (stars === null) return fail('stargazerCount');
  const forks = count(node.forkCount);
  if (forks === null) return fail('forkCount');
  if (typeof node.isFork !== 'boolean') return fail('isFork');
  if (typeof node.isArchived !== 'boolean') return fail('isArchived');
  const languageBytes: Record<string, number> = {};
  const languages = isObj(node.languages) && Array.isArray(node.languages.edges) ? node.languages.edges : [];
  for (const edge of languages) {
    if (!isObj(edge) || !isObj(edge.node)) continue;
    const name = str(edge.node.name);
    const size = count(edge.size);
    if (name && size !== null) languageBytes[name] = size;
  }
  const topics: string[] = [];
  const topicNodes =
    isObj(node.repositoryTopics) && Array.isArray(node.repositoryTopics.nodes)
      ? node.repositoryTopics.nodes
      : [];
  for (const t of topicNodes) {
    const name = isObj(t) && isObj(t.topic) ? str(t.topic.name) : null;
    if (name && !topics.includes(name)) topics.push(name);
  }
  const ref = isObj(node.defaultBranchRef) ? node.defaultBranchRef : null;
  const evidence = evidenceOfNode(node);
  return {
    ok: true,
    repo: {
      fullName,
      url,
      owner,
      stars,
      forks,
      diskUsageKb: count(node.diskUsage) ?? 0,
      pushedAt: str(node.pushedAt),
      createdAt: str(node.createdAt),
      isFork: node.isFork,
      parent: isObj(node.parent) ? str(node.parent.nameWithOwner) : null,
      license: isObj(node.licenseInfo) ? str(node.licenseInfo.spdxId) : null,
      topics,
      primaryLanguage: isObj(node.primaryLanguage) ? str(node.primaryLanguage.name) : null,
      languageBytes,
      defaultBranch: ref ? str(ref.name) : null,
      headSha: ref && isObj(ref.target) ? str(ref.target.oid) : null,
      isArchived: node.isArchived,
      isMirror: node.isMirror === true,
      ...(evidence ? { evidence } : {}),
    },
  };
}
