import { createHash } from 'node:crypto';
import { mulberry32 } from '../../../src/core/random.js';

export { mulberry32 };

/**
 * A synthetic, deterministic population of GitHub repositories for the fake API server.
 * Shaped to exercise discovery: a recent-heavy creation curve, "hot days" with more than
 * 1,000 matching repositories created on one day (forcing `stars:` splits), forks of parents
 * inside and outside the population, repositories that match several strata, archived,
 * mirror and empty repositories.
 */
export interface FakeRepo {
  /** GraphQL node id. */
  nodeId: string;
  databaseId: number;
  owner: string;
  ownerType: 'User' | 'Organization';
  name: string;
  fullName: string;
  description: string;
  topics: string[];
  /** epoch ms */
  createdAt: number;
  pushedAt: number;
  stars: number;
  forks: number;
  diskUsageKb: number;
  language: string | null;
  languageBytes: Array<[string, number]>;
  license: string | null;
  isFork: boolean;
  parent: string | null;
  isArchived: boolean;
  isMirror: boolean;
  /** null for an empty repository (no commits). */
  defaultBranch: string | null;
  headSha: string | null;
  /** lowercased name + description + topics: what the text terms of a search match. */
  searchText: string;
  /** Files at HEAD that `object(expression: "HEAD:<path>")` serves (dependency files). */
  files?: Record<string, string>;
}

export interface PopulationOptions {
  size: number;
  seed?: number;
  /** Latest creation date (UTC, YYYY-MM-DD); repositories are created up to this day. */
  until?: string;
  /** Days with a burst of repositories sharing one keyword set (forces stars: splitting). */
  hotDays?: Array<{ day: string; count: number; words: string }>;
}

const DAY_MS = 86_400_000;

const FRAMEWORK_PHRASES: Array<[string, number]> = [
  ['langchain agent', 0.14],
  ['langchain tool', 0.08],
  ['langchain graph', 0.05],
  ['langchain rag demo', 0.06],
  ['langgraph agent', 0.08],
  ['langgraph workflow', 0.05],
  ['crewai crew of agents', 0.07],
  ['crewai example', 0.05],
  ['autogen agent', 0.04],
  ['autogen multi-agent chat', 0.03],
  ['llamaindex agent', 0.03],
  ['llama-index agent', 0.02],
  ['agno agent', 0.02],
  ['smolagents', 0.02],
  ['ai agent framework', 0.04],
  ['ai agent python', 0.06],
  ['llm agent', 0.07],
  ['autonomous agent', 0.04],
  ['chatbot with openai', 0.03],
  ['web scraper', 0.03],
];
const FILLER = ['simple', 'experimental', 'research', 'toolkit', 'demo', 'production', 'minimal', 'starter'];
const LANGUAGES: Array<[string | null, number]> = [
  ['Python', 0.7],
  ['TypeScript', 0.1],
  ['Jupyter Notebook', 0.08],
  ['JavaScript', 0.06],
  ['Go', 0.02],
  [null, 0.04],
];
const LICENSES: Array<[string | null, number]> = [
  ['MIT', 0.45],
  ['Apache-2.0', 0.25],
  ['NOASSERTION', 0.05],
  ['GPL-3.0', 0.05],
  [null, 0.2],
];

function pick<T>(rand: () => number, table: Array<[T, number]>): T {
  const total = table.reduce((s, [, w]) => s + w, 0);
  let r = rand() * total;
  for (const [value, weight] of table) {
    r -= weight;
    if (r < 0) return value;
  }
  return table[table.length - 1]![0];
}

function dayMs(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

export function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

function nodeIdFor(databaseId: number): string {
  return Buffer.from(`010:Repository${databaseId}`).toString('base64').replace(/=+$/, '');
}

export function generatePopulation(options: PopulationOptions): FakeRepo[] {
  const rand = mulberry32(options.seed ?? 42);
  const until = dayMs(options.until ?? '2026-11-20');
  const earliest = dayMs('2009-01-01');
  const spanDays = Math.floor((until - earliest) / DAY_MS);
  const owners = Array.from({ length: Math.max(50, Math.floor(options.size / 6)) }, (_, i) => ({
    login: `${FILLER[i % FILLER.length]}-dev${i}`,
    type: (i % 7 === 0 ? 'Organization' : 'User') as FakeRepo['ownerType'],
  }));
  const repos: FakeRepo[] = [];
  const names = new Set<string>();

  function makeRepo(createdAt: number, description: string, parentRepo: FakeRepo | null): FakeRepo {
    const databaseId = 100_000 + repos.length;
    const owner = owners[Math.floor(rand() * owners.length)]!;
    let name = parentRepo
      ? parentRepo.name
      : `${description.split(' ')[0]}-${FILLER[Math.floor(rand() * FILLER.length)]}-${databaseId.toString(36)}`;
    let fullName = `${owner.login}/${name}`;
    if (names.has(fullName.toLowerCase())) {
      name = `${name}-${databaseId}`;
      fullName = `${owner.login}/${name}`;
    }
    names.add(fullName.toLowerCase());
    const starExp = rand() * rand() * 4.6;
    const stars = Math.floor(10 ** starExp) - 1;
    const language = pick(rand, LANGUAGES);
    const size = Math.floor(50 + rand() * 40_000);
    const languageBytes: Array<[string, number]> = [];
    if (language) languageBytes.push([language, size * 700]);
    if (rand() < 0.5) languageBytes.push(['Shell', Math.floor(rand() * 5000) + 1]);
    if (rand() < 0.3) languageBytes.push(['Dockerfile', Math.floor(rand() * 800) + 1]);
    const topics = description
      .split(' ')
      .filter((w) =>
        ['langchain', 'langgraph', 'crewai', 'autogen', 'llamaindex', 'agent', 'llm'].includes(w),
      )
      .filter((w, i, all) => all.indexOf(w) === i);
    const pushedAt = createdAt + Math.floor(rand() * Math.max(1, until - createdAt));
    const empty = rand() < 0.005;
    const repo: FakeRepo = {
      nodeId: nodeIdFor(databaseId),
      databaseId,
      owner: owner.login,
      ownerType: owner.type,
      name,
      fullName,
      description,
      topics,
      createdAt,
      pushedAt,
      stars,
      forks: Math.floor(stars * rand() * 0.3),
      diskUsageKb: size,
      language,
      languageBytes,
      license: pick(rand, LICENSES),
      isFork: parentRepo !== null,
      parent: parentRepo ? parentRepo.fullName : null,
      isArchived: rand() < 0.03,
      isMirror: rand() < 0.01,
      defaultBranch: empty ? null : rand() < 0.8 ? 'main' : 'master',
      headSha: empty ? null : sha1(`${fullName}@head`),
      searchText: '',
    };
    repo.searchText = `${name} ${description} ${topics.join(' ')}`.toLowerCase();
    if (!empty) repo.files = dependencyFilesFor(fullName, description);
    repos.push(repo);
    return repo;
  }

  for (const hot of options.hotDays ?? []) {
    const base = dayMs(hot.day);
    for (let i = 0; i < hot.count; i++) {
      makeRepo(base + Math.floor(rand() * DAY_MS), `${hot.words} ${FILLER[i % FILLER.length]}`, null);
    }
  }
  // Parents of forks that are not in the population (their forks are found, they are not).
  const outsideParents: FakeRepo[] = Array.from({ length: 40 }, (_, i) => ({
    ...({} as FakeRepo),
    name: `upstream-agent-${i}`,
    fullName: `upstream-org${i}/upstream-agent-${i}`,
  }));
  while (repos.length < options.size) {
    const roll = rand();
    if (roll < 0.06 && repos.length > 100) {
      // a fork: same description as its parent, created after it
      const insideParent = rand() < 0.6;
      const parentRepo = insideParent
        ? repos[Math.floor(rand() * repos.length)]!
        : outsideParents[Math.floor(rand() * outsideParents.length)]!;
      const description = insideParent ? parentRepo.description : `langchain agent fork ${parentRepo.name}`;
      const created = until - Math.floor(rand() * rand() * spanDays) * DAY_MS - Math.floor(rand() * DAY_MS);
      makeRepo(Math.max(created, insideParent ? parentRepo.createdAt + 1000 : created), description, {
        ...parentRepo,
        isFork: false,
      });
      continue;
    }
    const phrase = pick(rand, FRAMEWORK_PHRASES);
    const extra = rand() < 0.25 ? ` and ${pick(rand, FRAMEWORK_PHRASES)}` : '';
    const description = `${phrase}${extra} ${FILLER[Math.floor(rand() * FILLER.length)]}`;
    // recent-heavy: most repositories are from the last two years
    const ageDays = Math.floor(rand() ** 3 * spanDays);
    makeRepo(until - ageDays * DAY_MS - Math.floor(rand() * DAY_MS) + DAY_MS - 1, description, null);
  }
  return repos;
}

/** Distribution names the fake writes for each framework word of a description. */
const PACKAGE_OF: Record<string, string> = {
  langchain: 'langchain>=0.2',
  langgraph: 'langgraph==0.2.1',
  crewai: 'crewai[tools]==0.80',
  autogen: 'autogen-agentchat~=0.4',
  llamaindex: 'llama-index-core>=0.11',
  'llama-index': 'llama_index==0.10',
  agno: 'agno',
  smolagents: 'smolagents>=1.0',
};

/**
 * A repository's dependency files, derived from a hash of its name (not the population's random
 * stream, so adding them moved no other property): most name the frameworks of the
 * description, some name none, some repositories have no dependency file at all.
 */
export function dependencyFilesFor(fullName: string, description: string): Record<string, string> {
  const h = Number.parseInt(sha1(`${fullName}#deps`).slice(0, 8), 16) / 0x1_0000_0000;
  const words = description.toLowerCase().split(/\s+/);
  const packages = [...new Set(words.map((w) => PACKAGE_OF[w]).filter((p): p is string => Boolean(p)))];
  if (h < 0.15) return {};
  const lines = h < 0.3 ? ['requests>=2', 'openai'] : [...packages, 'python-dotenv'];
  if (h < 0.6) return { 'requirements.txt': `${lines.join('\n')}\n` };
  return {
    'pyproject.toml': `[project]\nname = "x"\ndependencies = [\n${lines.map((l) => `  "${l}",`).join('\n')}\n]\n`,
  };
}
