/**
 * Framework evidence read before any clone: the text of a repository's `requirements.txt` and
 * `pyproject.toml` at HEAD, fetched in the same GraphQL search page as its metadata
 * (`object(expression: "HEAD:requirements.txt")`), reduced to the agent frameworks they name.
 * The texts are untrusted: only the first MAX_SCANNED_CHARS are read, and only framework ids
 * from a fixed list can come out.
 */
export interface DependencyEvidence {
  files: Array<'requirements.txt' | 'pyproject.toml'>;
  frameworks: string[];
}

export const EVIDENCE_FILES = ['requirements.txt', 'pyproject.toml'] as const;

/** GraphQL aliases of the two blobs in the search query. */
export const EVIDENCE_FIELDS = /* GraphQL */ `
  requirementsTxt: object(expression: "HEAD:requirements.txt") { ... on Blob { text isTruncated } }
  pyprojectToml: object(expression: "HEAD:pyproject.toml") { ... on Blob { text isTruncated } }
`;

const MAX_SCANNED_CHARS = 64 * 1024;

/** Framework id → the distribution names that install it (PEP 503 normalised: lower case, `-`). */
const PACKAGES: ReadonlyArray<[string, readonly string[]]> = [
  ['langgraph', ['langgraph']],
  ['langchain', ['langchain', 'langchain-core', 'langchain-community', 'langchain-openai']],
  ['crewai', ['crewai', 'crewai-tools']],
  ['autogen', ['autogen', 'pyautogen', 'autogen-agentchat', 'autogen-core', 'ag2']],
  ['llamaindex', ['llama-index', 'llama-index-core', 'llama-index-agent-openai']],
  ['agno', ['agno', 'phidata']],
  ['smolagents', ['smolagents']],
  ['openai_agents', ['openai-agents']],
  ['pydantic_ai', ['pydantic-ai', 'pydantic-ai-slim']],
  ['dspy', ['dspy', 'dspy-ai']],
  ['haystack', ['haystack-ai', 'farm-haystack']],
  ['google_adk', ['google-adk']],
  ['semantic_kernel', ['semantic-kernel']],
];

const FRAMEWORK_OF = new Map<string, string>();
for (const [framework, names] of PACKAGES) for (const n of names) FRAMEWORK_OF.set(n, framework);

/** Every framework id evidence can name (what a stratum's `evidence:` list may hold, besides `any`). */
export const EVIDENCE_FRAMEWORKS: readonly string[] = PACKAGES.map(([f]) => f);

/**
 * Requirement names at the start of a line or inside a quoted TOML string:
 * `crewai==0.8`, `"langchain-core>=0.2"`, `llama_index[all]`, `autogen-agentchat ; python_version…`.
 */
const NAME_PATTERN = /(?:^|["'\s,[])([A-Za-z0-9][A-Za-z0-9._-]*)(?=\s*(?:\[|[<>=!~;,"'\s]|$))/gm;

export function frameworksIn(text: string): string[] {
  const found = new Set<string>();
  const scanned = text.slice(0, MAX_SCANNED_CHARS);
  for (const m of scanned.matchAll(NAME_PATTERN)) {
    const normalised = m[1]!.toLowerCase().replace(/[._]+/g, '-');
    const framework = FRAMEWORK_OF.get(normalised);
    if (framework) found.add(framework);
  }
  return [...found].sort();
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The evidence of one search node, or undefined when the node carries no evidence fields. */
export function evidenceOfNode(node: Obj): DependencyEvidence | undefined {
  if (!('requirementsTxt' in node) && !('pyprojectToml' in node)) return undefined;
  const files: DependencyEvidence['files'] = [];
  const frameworks = new Set<string>();
  const read = (value: unknown, file: DependencyEvidence['files'][number]) => {
    if (!isObj(value)) return;
    files.push(file);
    if (typeof value.text === 'string') for (const f of frameworksIn(value.text)) frameworks.add(f);
  };
  read(node.requirementsTxt, 'requirements.txt');
  read(node.pyprojectToml, 'pyproject.toml');
  return { files, frameworks: [...frameworks].sort() };
}

/**
 * How much a repository's evidence speaks for a stratum (lower is better): 0 it names one of
 * the stratum's frameworks; 1 nothing is known (not fetched, or no dependency file); 2 its
 * dependency files name no agent framework the stratum accepts (the likeliest empty scans).
 */
export function evidenceTier(
  evidence: DependencyEvidence | undefined,
  accepted: readonly string[],
): 0 | 1 | 2 {
  if (!evidence || evidence.files.length === 0) return 1;
  const any = accepted.length === 0 || accepted.includes('any');
  const match = evidence.frameworks.some((f) => any || accepted.includes(f));
  return match ? 0 : 2;
}
