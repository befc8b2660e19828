import type { DependencyIndex } from '../deps/dependency-versions.js';
import { DetectContext, hasSetting, inModules, isTrue, lastSegment } from '../frameworks/detect-context.js';
import type { FrameworkDetector } from '../frameworks/detector.js';
import { FRAMEWORK_DETECTORS } from '../frameworks/registry.js';
import { frameworkImportRoots, isFrameworkSource, selfRepository } from '../frameworks/self-repository.js';
import type {
  AgentDef,
  CallFact,
  Capability,
  Detection,
  GroupDef,
  PythonFacts,
  SiteRef,
  ToolDef,
} from '../model.js';
import type { RepoInputs } from '../read-repository.js';
import { isDockerfileName } from '../walk/file-kinds.js';
import { expandFactoryAgents } from './factory-instances.js';
import {
  CHAT_MODEL_PROVIDERS,
  isChatModelConstructor,
  isHttpCall,
  isLlmCall,
  llmVariables,
} from './llm-calls.js';
import { expandLoopAgents, LoopIterations } from './loop-iterations.js';
import { type McpServer, serversFromCode, serversFromConfig, uniqueServers } from './mcp.js';
import { AgentIndex, expandListRef, groupMemberIds } from './references.js';
import { classifyCustomTool, trustOf } from './tool-catalog.js';

export interface Guardrail {
  type: 'validation' | 'hitl' | 'output_filter' | 'input_filter' | 'rate_limit';
  site: SiteRef;
  /** The agent it is attached to, when it is attached to one. */
  agentId: string | null;
}

export interface ExternalCall {
  kind: 'llm' | 'http';
  site: SiteRef;
  inTry: boolean;
  /** A timeout is configured on the call or on the client it uses. */
  hasTimeout: boolean;
}

export interface Analysis {
  frameworks: { name: string; version: string | null; agents: number; importSites: number }[];
  primaryFramework: string;
  agents: AgentDef[];
  groups: GroupDef[];
  /** Tool definitions (one per definition site), including functions handed to agents as tools. */
  tools: ToolDef[];
  /** Per agent id: tools resolved from its references, plus its intrinsic capabilities. */
  agentCapabilities: Map<string, ToolDef[]>;
  /** Per group id: member agent ids. */
  groupMembers: Map<string, string[]>;
  hitlSites: SiteRef[];
  guardrails: Guardrail[];
  dangerousFlags: Detection['dangerousFlags'];
  checkpointType: 'none' | 'memory' | 'persistent';
  checkpointSites: Detection['checkpoints'];
  mcpServers: McpServer[];
  envVarNames: string[];
  envRefsByName: Map<string, Set<string>>;
  providers: string[];
  providerConfidence: 'detected' | 'inferred_env_var' | 'inferred_framework' | 'unknown';
  models: string[];
  externalCalls: ExternalCall[];
  /** Chat-model constructions, with whether they set a timeout. */
  modelClients: { site: SiteRef; hasTimeout: boolean; provider: string }[];
  deployment: {
    has_dockerfile: boolean;
    has_ci_config: boolean;
    has_tests: boolean;
    has_lockfile: boolean;
    has_env_example: boolean;
  };
  hasEnvInGitignore: boolean;
  memoryStoreTypes: string[];
  learningType: 'none' | 'context_level' | 'persistent';
  learningSites: SiteRef[];
  hasContextRollback: boolean;
  hasContextProvenance: boolean;
  telemetryDestinations: string[];
  tracingSites: SiteRef[];
  evalFrameworks: string[];
  sensitiveData: string[];
  verboseSites: SiteRef[];
  evalExecSites: { site: SiteRef; literal: boolean; modelish: boolean }[];
  shellSubprocessSites: SiteRef[];
  insecureHttpSites: SiteRef[];
  trustRemoteCodeSites: SiteRef[];
  inputLoopSites: SiteRef[];
  whileTrueLlmSites: SiteRef[];
  swallowedSites: SiteRef[];
  hardcodedSecretSites: SiteRef[];
  committedEnvFiles: string[];
  pythonFileCount: number;
  /** Display name of the framework whose own repository this is (scanned for its examples). */
  frameworkSelfScan: string | null;
  yamlConfigCount: number;
  totalLoc: number;
  inputs: RepoInputs;
}

const TIMEOUT_KWARGS = ['timeout', 'request_timeout', 'timeout_seconds', 'read_timeout', 'http_client'];

const TRACING_IMPORTS: [string, string][] = [
  ['langsmith', 'langsmith'],
  ['langfuse', 'langfuse'],
  ['agentops', 'agentops'],
  ['weave', 'wandb'],
  ['wandb', 'wandb'],
  ['phoenix', 'arize'],
  ['arize', 'arize'],
  ['openinference', 'arize'],
  ['logfire', 'logfire'],
  ['opentelemetry', 'opentelemetry'],
  ['mlflow', 'mlflow'],
  ['helicone', 'helicone'],
  ['braintrust', 'braintrust'],
  ['traceloop', 'traceloop'],
  ['lmnr', 'laminar'],
  ['opik', 'opik'],
];
const TRACING_ENV: [RegExp, string][] = [
  [/^(LANGCHAIN_TRACING_V2|LANGSMITH_TRACING|LANGSMITH_API_KEY|LANGCHAIN_API_KEY)$/, 'langsmith'],
  [/^LANGFUSE_/, 'langfuse'],
  [/^AGENTOPS_API_KEY$/, 'agentops'],
  [/^(WANDB_API_KEY)$/, 'wandb'],
  [/^(PHOENIX_|ARIZE_)/, 'arize'],
  [/^LOGFIRE_TOKEN$/, 'logfire'],
  [/^OTEL_EXPORTER_/, 'opentelemetry'],
];
const EVAL_IMPORTS = [
  'deepeval',
  'ragas',
  'trulens',
  'trulens_eval',
  'promptfoo',
  'inspect_ai',
  'pydantic_evals',
  'langsmith.evaluation',
  'phoenix.evals',
  'openai.evals',
];
const VECTOR_IMPORTS = [
  'chromadb',
  'pinecone',
  'qdrant_client',
  'weaviate',
  'faiss',
  'lancedb',
  'pgvector',
  'pymilvus',
  'langchain_chroma',
  'langchain_pinecone',
  'langchain_qdrant',
];
const MANAGED_MEMORY = ['mem0', 'zep_python', 'zep_cloud', 'letta', 'memgpt'];
const PROVIDER_IMPORTS: [string, string][] = [
  ['openai', 'openai'],
  ['anthropic', 'anthropic'],
  ['google.generativeai', 'google'],
  ['google.genai', 'google'],
  ['vertexai', 'google'],
  ['ollama', 'ollama'],
  ['groq', 'groq'],
  ['mistralai', 'mistral'],
  ['cohere', 'cohere'],
  ['boto3', 'aws_bedrock'],
  ['litellm', 'litellm'],
];
const PROVIDER_ENV: [RegExp, string][] = [
  [/^OPENAI_API_KEY$/, 'openai'],
  [/^AZURE_OPENAI_/, 'azure_openai'],
  [/^ANTHROPIC_API_KEY$/, 'anthropic'],
  [/^(GOOGLE_API_KEY|GEMINI_API_KEY)$/, 'google'],
  [/^GROQ_API_KEY$/, 'groq'],
  [/^MISTRAL_API_KEY$/, 'mistral'],
  [/^OLLAMA_(HOST|BASE_URL)$/, 'ollama'],
  [/^COHERE_API_KEY$/, 'cohere'],
  [/^DEEPSEEK_API_KEY$/, 'deepseek'],
];
/** Frameworks whose default model backend is OpenAI when none is configured. */
const OPENAI_DEFAULT = new Set(['CrewAI', 'OpenAI Agents', 'LangChain', 'AutoGen', 'LlamaIndex', 'Agno']);
const SECRET_LITERAL =
  /^(sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|xox[abposr]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35}|hf_[A-Za-z0-9]{30,}|gsk_[A-Za-z0-9]{30,}|tvly-[A-Za-z0-9]{20,})$/;
const SECRET_NAME = /(api[_-]?key|secret|token|password|passwd)$/i;
const CI_PATHS = [
  /^\.github\/workflows\/[^/]+\.ya?ml$/,
  /^\.gitlab-ci\.yml$/,
  /^\.circleci\/config\.ya?ml$/,
  /^azure-pipelines\.ya?ml$/,
  /^Jenkinsfile$/,
  /^\.travis\.yml$/,
  /^bitbucket-pipelines\.yml$/,
  /^\.buildkite\//,
];
const LOCKFILES = new Set([
  'poetry.lock',
  'uv.lock',
  'pipfile.lock',
  'pdm.lock',
  'package-lock.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lockb',
  'conda-lock.yml',
  'requirements.lock',
]);
const ENV_EXAMPLES = new Set([
  '.env.example',
  '.env.sample',
  '.env.template',
  'example.env',
  'sample.env',
  'env.example',
]);

function siteOf(file: PythonFacts, call: { line: number }): SiteRef {
  return { file: file.path, line: call.line };
}

function baseName(rel: string): string {
  return rel.slice(rel.lastIndexOf('/') + 1);
}

function isPresent(detector: FrameworkDetector, files: readonly PythonFacts[], ctx: DetectContext): number {
  let sites = 0;
  for (const f of files)
    for (const imp of f.imports) {
      const hit = detector.isPresentImport
        ? detector.isPresentImport(imp, ctx)
        : inModules(imp.module, detector.modules);
      if (hit) sites++;
    }
  return sites;
}

function versionOf(detector: FrameworkDetector, deps: DependencyIndex): string | null {
  for (const pkg of detector.packages) {
    const found = deps.get(pkg);
    if (found) return found.version;
  }
  return null;
}

function byId<T extends { id: string }>(list: T[]): T[] {
  const seen = new Map<string, T>();
  for (const x of list) if (!seen.has(x.id)) seen.set(x.id, x);
  return [...seen.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function compareSites(a: SiteRef, b: SiteRef): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line;
}

export function analyze(inputs: RepoInputs): Analysis {
  // A framework's own repository: its package is the implementation, its examples the uses.
  const self = selfRepository(
    inputs.ownPackages,
    inputs.python.map((f) => f.path),
  );
  const files = self ? inputs.python.filter((f) => !isFrameworkSource(f.path, self)) : inputs.python;
  const code = files.filter((f) => !f.isTest);
  const localModules = self
    ? new Set([...inputs.localModules].filter((m) => !frameworkImportRoots(self).includes(m)))
    : inputs.localModules;
  const ctx = new DetectContext(files, inputs.yaml, localModules);
  const filesByPath = new Map(files.map((f) => [f.path, f]));

  // 1. Frameworks present (imports) and what their detectors find.
  const frameworks: Analysis['frameworks'] = [];
  const detections: Detection[] = [];
  for (const detector of FRAMEWORK_DETECTORS) {
    const importSites = isPresent(detector, files, ctx);
    if (importSites === 0) continue;
    const detection = detector.detect(ctx);
    detections.push(detection);
    frameworks.push({
      name: detector.displayName,
      version: versionOf(detector, inputs.deps),
      agents: detection.agents.length,
      importSites,
    });
  }
  frameworks.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const primary = [...frameworks].sort(
    (a, b) => b.agents - a.agents || b.importSites - a.importSites || (a.name < b.name ? -1 : 1),
  )[0];

  const built = byId(detections.flatMap((d) => d.agents));
  // An agent built in a loop over literal data is one agent per iteration.
  const loops = new LoopIterations(files);
  const loopCopies = expandLoopAgents(built, filesByPath, loops);
  // An agent a function builds from its arguments is one agent per call of the function.
  const groups = byId(detections.flatMap((d) => d.groups));
  const memberCalls = groups.flatMap((g) => {
    const file = filesByPath.get(g.site.file);
    return file === undefined || file.isTest
      ? []
      : [...g.memberCalls.values()].map((call) => ({ file, call }));
  });
  const factoryCopies = expandFactoryAgents(
    loopCopies.agents,
    code,
    filesByPath,
    loops,
    loopCopies.copies,
    memberCalls,
  );
  const agents = byId(factoryCopies.agents);
  const toolMap = new Map<string, ToolDef>();
  for (const t of detections.flatMap((d) => d.tools))
    toolMap.set(`${t.site.file}:${t.site.line}:${t.name}`, t);

  // FastMCP servers defined here: their `@server.tool()` functions are tools too.
  for (const f of code) {
    const servers = new Set(
      f.calls
        .filter((c) => lastSegment(c.callee) === 'FastMCP' && c.assignedTo)
        .map((c) => c.assignedTo as string),
    );
    if (servers.size === 0) continue;
    for (const fn of f.functions) {
      if (
        !fn.decorators.some(
          (d) => /^(\w+)\.tool$/.test(d.name) && servers.has(d.name.split('.')[0] as string),
        )
      )
        continue;
      const capability = classifyCustomTool(
        fn.name,
        f.calls.filter((c) => c.fn === fn.name).map((c) => c.qualified),
      );
      const t: ToolDef = {
        name: fn.name,
        source: 'mcp',
        capability,
        trust: trustOf(capability),
        site: { file: f.path, line: fn.line },
      };
      toolMap.set(`${f.path}:${fn.line}:${fn.name}`, t);
    }
  }

  // 2. Resolve each agent's tool references; plain functions handed over become tools.
  const byName = new Map<string, ToolDef[]>();
  const index = (t: ToolDef) => {
    for (const n of new Set([t.name, t.className].filter((x): x is string => Boolean(x)))) {
      const list = byName.get(n) ?? [];
      list.push(t);
      byName.set(n, list);
    }
  };
  for (const t of toolMap.values()) index(t);
  const agentCapabilities = new Map<string, ToolDef[]>();
  for (const a of agents) {
    const caps: ToolDef[] = [];
    const agentFile = filesByPath.get(a.site.file);
    // `tools=TOOLS` where TOOLS is a list in another module: its items are the references.
    const refs = a.toolRefs.flatMap((r) =>
      byName.has(r) || ctx.functionsNamed(r).length > 0 || !agentFile
        ? [r]
        : (expandListRef(r, agentFile, code) ?? [r]),
    );
    for (const ref of [...new Set(refs)].sort()) {
      let candidates = byName.get(ref);
      if (!candidates) {
        const fns = ctx.functionsNamed(ref);
        const fn = fns.find((f) => f.file.path === a.site.file) ?? fns[0];
        if (!fn) continue;
        const capability = classifyCustomTool(
          ref,
          fn.file.calls.filter((c) => c.fn === ref).map((c) => c.qualified),
        );
        const t: ToolDef = {
          name: ref,
          source: 'function',
          capability,
          trust: trustOf(capability),
          site: { file: fn.file.path, line: fn.fn.line },
        };
        toolMap.set(`${t.site.file}:${t.site.line}:${t.name}`, t);
        index(t);
        candidates = [t];
      }
      const pick = candidates.find((t) => t.site.file === a.site.file) ?? candidates[0];
      if (pick && !caps.includes(pick)) caps.push(pick);
    }
    for (const cap of a.intrinsic) {
      caps.push({
        name: `${a.name}#${cap}`,
        source: 'builtin',
        capability: cap,
        trust: trustOf(cap),
        site: a.site,
      });
    }
    agentCapabilities.set(a.id, caps);
  }
  const tools = [...toolMap.values()].sort(
    (x, y) => compareSites(x.site, y.site) || (x.name < y.name ? -1 : 1),
  );

  // 3. Group membership: by agent name, through factory functions and imports (references.ts).
  const groupMembers = new Map<string, string[]>();
  const agentIndex = new AgentIndex(built, files, factoryCopies.atSite);
  for (const g of groups)
    groupMembers.set(g.id, groupMemberIds(g, agentIndex, filesByPath, loopCopies.copies));

  const hitlSites = detections.flatMap((d) => d.hitlSites);
  for (const f of code) for (const line of f.inputInLoopLines) hitlSites.push({ file: f.path, line });
  hitlSites.sort(compareSites);

  // 4. Guardrails.
  const guardrails: Guardrail[] = [];
  const agentAt = new Map(agents.map((a) => [`${a.site.file}:${a.site.line}`, a]));
  for (const f of code) {
    for (const c of f.calls) {
      const agent = agentAt.get(`${f.path}:${c.line}`) ?? null;
      const taskAgent = c.kwargs.get('agent');
      const linkedTo =
        agent?.id ??
        (taskAgent?.kind === 'name'
          ? (agents.find((a) => a.name === lastSegment(taskAgent.value))?.id ?? null)
          : null);
      const add = (type: Guardrail['type'], linked: string | null) =>
        guardrails.push({ type, site: siteOf(f, c), agentId: linked });
      if (
        hasSetting(c, [
          'output_pydantic',
          'output_json',
          'output_type',
          'response_format',
          'output_schema',
          'result_type',
        ])
      )
        add('validation', linkedTo);
      if (c.kwargs.has('guardrail') || c.kwargs.has('guardrails')) add('validation', linkedTo);
      if (c.kwargs.has('input_guardrails')) add('input_filter', linkedTo);
      if (c.kwargs.has('output_guardrails')) add('output_filter', linkedTo);
      if (hasSetting(c, ['max_rpm', 'rate_limiter'])) add('rate_limit', linkedTo);
      const last = lastSegment(c.callee);
      if (last === 'with_structured_output') add('validation', null);
      if (last === 'InMemoryRateLimiter' || last === 'RateLimiter') add('rate_limit', null);
      if (
        /^(nemoguardrails|guardrails|llm_guard|presidio_analyzer|presidio_anonymizer)\b/.test(c.qualified) &&
        c.qualified !== c.callee
      )
        add('output_filter', null);
    }
  }
  for (const s of hitlSites) {
    const agent = agentAt.get(`${s.file}:${s.line}`);
    guardrails.push({ type: 'hitl', site: s, agentId: agent?.id ?? null });
  }
  guardrails.sort((a, b) => compareSites(a.site, b.site) || (a.type < b.type ? -1 : 1));

  // 5. Calls to models and HTTP, timeouts and error handling.
  const externalCalls: ExternalCall[] = [];
  const modelClients: Analysis['modelClients'] = [];
  const providersDetected = new Set<string>();
  for (const f of code) {
    const vars = llmVariables(f);
    const clientTimeout = new Map<string, boolean>();
    for (const c of f.calls) {
      if (isChatModelConstructor(c)) {
        const hasTimeout = hasSetting(c, TIMEOUT_KWARGS);
        const provider = CHAT_MODEL_PROVIDERS[lastSegment(c.callee)];
        if (provider) providersDetected.add(provider);
        modelClients.push({ site: siteOf(f, c), hasTimeout, provider: provider ?? 'unknown' });
        if (c.assignedTo) clientTimeout.set(c.assignedTo, hasTimeout);
      }
    }
    for (const c of f.calls) {
      if (isLlmCall(c, vars)) {
        const receiver = c.callee.split('.')[0] as string;
        externalCalls.push({
          kind: 'llm',
          site: siteOf(f, c),
          inTry: c.inTry,
          hasTimeout: hasSetting(c, TIMEOUT_KWARGS) || clientTimeout.get(receiver) === true,
        });
      } else if (isHttpCall(c)) {
        externalCalls.push({
          kind: 'http',
          site: siteOf(f, c),
          inTry: c.inTry,
          hasTimeout: hasSetting(c, TIMEOUT_KWARGS),
        });
      }
    }
  }

  // 6. Providers and models.
  for (const f of code)
    for (const imp of f.imports)
      for (const [mod, provider] of PROVIDER_IMPORTS)
        if (inModules(imp.module, [mod])) providersDetected.add(provider);
  const models = new Set<string>();
  for (const f of code) for (const m of f.modelLiterals) models.add(m.value);
  for (const doc of inputs.yaml) collectYamlModels(doc.data, models, 0);
  for (const m of models) {
    const p = providerOfModel(m);
    if (p) providersDetected.add(p);
  }
  const envRefsByName = new Map<string, Set<string>>();
  for (const f of code)
    for (const e of f.envRefs) {
      const set = envRefsByName.get(e.name) ?? new Set<string>();
      set.add(f.path);
      envRefsByName.set(e.name, set);
    }
  const envNames = new Set<string>(envRefsByName.keys());
  for (const ef of inputs.envFiles) for (const n of ef.names) envNames.add(n);
  let providerConfidence: Analysis['providerConfidence'] = 'unknown';
  const providers = new Set(providersDetected);
  if (providers.size > 0) providerConfidence = 'detected';
  else {
    for (const n of envNames) for (const [re, p] of PROVIDER_ENV) if (re.test(n)) providers.add(p);
    if (providers.size > 0) providerConfidence = 'inferred_env_var';
    else if (frameworks.some((fw) => OPENAI_DEFAULT.has(fw.name))) {
      providers.add('openai');
      providerConfidence = 'inferred_framework';
    }
  }

  // 7. Repository posture: deployment, env hygiene, memory, tracing, evals.
  const paths = inputs.paths;
  const deployment = {
    has_dockerfile: paths.some((p) => isDockerfileName(baseName(p).toLowerCase())),
    has_ci_config: paths.some((p) => CI_PATHS.some((re) => re.test(p))),
    has_tests: files.some(
      (f) =>
        f.isTest &&
        !/(^|\/)(__init__|conftest)\.py$/.test(f.path) &&
        (f.functions.some((fn) => fn.name.startsWith('test')) ||
          f.classes.some((c) => c.name.startsWith('Test'))),
    ),
    has_lockfile: paths.some((p) => LOCKFILES.has(baseName(p).toLowerCase())),
    has_env_example: paths.some((p) => ENV_EXAMPLES.has(baseName(p).toLowerCase())),
  };
  const hasEnvInGitignore = inputs.gitignoreLines.some((l) =>
    /^(\/|\*\*\/)?(\.env|\.env\*|\*\.env|\.env\.\*|\.env\/?)$/.test(l),
  );

  const importRoots = (mods: readonly string[]) =>
    code.some((f) => f.imports.some((i) => inModules(i.module, mods)));
  const memoryStoreTypes = new Set<string>();
  if (importRoots(VECTOR_IMPORTS)) memoryStoreTypes.add('vector');
  if (importRoots(MANAGED_MEMORY)) memoryStoreTypes.add('managed');
  if (importRoots(['redis'])) memoryStoreTypes.add('key_value');
  const learningSites: SiteRef[] = [];
  let learningType: Analysis['learningType'] = 'none';
  for (const f of code) {
    for (const c of f.calls) {
      const last = lastSegment(c.callee);
      if (last === 'Crew' && isTrue(c.kwargs.get('memory'))) {
        memoryStoreTypes.add('framework');
        learningSites.push(siteOf(f, c));
        learningType = 'persistent';
      }
      if (isTrue(c.kwargs.get('enable_agentic_memory')) || isTrue(c.kwargs.get('enable_user_memories'))) {
        memoryStoreTypes.add('framework');
        learningSites.push(siteOf(f, c));
        learningType = 'persistent';
      }
      if ((last === 'put' || last === 'aput') && /store/i.test(c.callee)) {
        memoryStoreTypes.add('framework');
        learningSites.push(siteOf(f, c));
        if (learningType === 'none') learningType = 'context_level';
      }
      if (last === 'add' && /memory|mem0/i.test(c.callee) && importRoots(MANAGED_MEMORY)) {
        learningSites.push(siteOf(f, c));
        learningType = 'persistent';
      }
    }
  }
  const checkpointSites = detections.flatMap((d) => d.checkpoints);
  const checkpointType = checkpointSites.some((c) => c.kind === 'persistent')
    ? 'persistent'
    : checkpointSites.length > 0
      ? 'memory'
      : 'none';
  if (checkpointSites.length > 0) memoryStoreTypes.add('checkpoint');
  const hasContextRollback =
    checkpointType === 'persistent' ||
    code.some((f) => f.calls.some((c) => /\.(get_state_history|update_state)$/.test(c.callee)));
  const hasContextProvenance = code.some((f) =>
    f.calls.some(
      (c) => isTrue(c.kwargs.get('return_source_documents')) || isTrue(c.kwargs.get('include_sources')),
    ),
  );

  const telemetry = new Set<string>();
  const tracingSites: SiteRef[] = [];
  for (const f of code)
    for (const imp of f.imports)
      for (const [mod, dest] of TRACING_IMPORTS)
        if (
          inModules(imp.module, [mod]) &&
          !(mod === 'langsmith' && imp.module.startsWith('langsmith.evaluation'))
        ) {
          telemetry.add(dest);
          tracingSites.push({ file: f.path, line: imp.line });
        }
  for (const n of envNames) for (const [re, dest] of TRACING_ENV) if (re.test(n)) telemetry.add(dest);
  const evalFrameworks = EVAL_IMPORTS.filter((m) => importRoots([m]));

  const sensitive = new Set<string>();
  for (const f of code) for (const s of f.sensitiveData) sensitive.add(s);

  // 8. Code patterns the rules look at.
  const verboseSites: SiteRef[] = [];
  const evalExecSites: Analysis['evalExecSites'] = [];
  const shellSubprocessSites: SiteRef[] = [];
  const insecureHttpSites: SiteRef[] = [];
  const trustRemoteCodeSites: SiteRef[] = [];
  const whileTrueLlmSites: SiteRef[] = [];
  const swallowedSites: SiteRef[] = [];
  const hardcodedSecretSites: SiteRef[] = [];
  const agentFiles = new Set(agents.map((a) => a.site.file));
  for (const f of code) {
    for (const c of f.calls) {
      if (isTrue(c.kwargs.get('verbose')) && lastSegment(c.callee) !== 'print')
        verboseSites.push(siteOf(f, c));
      if (/^(langchain\.globals\.)?set_(debug|verbose)$/.test(c.qualified) && isTrue(c.args[0]))
        verboseSites.push(siteOf(f, c));
      if ((c.callee === 'eval' || c.callee === 'exec') && c.args.length > 0) {
        const arg = c.args[0] as CallFact['args'][number];
        const literal = arg.kind === 'str';
        const modelish =
          arg.kind === 'name' &&
          /(response|output|result|content|completion|answer|code|generated|llm)/i.test(arg.value);
        evalExecSites.push({ site: siteOf(f, c), literal, modelish });
      }
      if (
        /^subprocess\.(run|call|Popen|check_output|check_call)$/.test(c.qualified) &&
        isTrue(c.kwargs.get('shell'))
      )
        shellSubprocessSites.push(siteOf(f, c));
      if (c.qualified === 'os.system' || c.qualified === 'os.popen') shellSubprocessSites.push(siteOf(f, c));
      if (isHttpCall(c) && c.kwargs.get('verify')?.kind === 'bool' && !isTrue(c.kwargs.get('verify')))
        insecureHttpSites.push(siteOf(f, c));
      if (isTrue(c.kwargs.get('trust_remote_code'))) trustRemoteCodeSites.push(siteOf(f, c));
      for (const [name, v] of c.kwargs)
        if (
          v.kind === 'str' &&
          (SECRET_LITERAL.test(v.value) || (SECRET_NAME.test(name) && looksSecret(v.value)))
        )
          hardcodedSecretSites.push(siteOf(f, c));
    }
    for (const a of f.assigns)
      if (
        a.value.kind === 'str' &&
        (SECRET_LITERAL.test(a.value.value) || (SECRET_NAME.test(a.target) && looksSecret(a.value.value)))
      )
        hardcodedSecretSites.push({ file: f.path, line: a.line });
    for (const e of f.envRefs)
      if (e.defaultValue !== null && SECRET_LITERAL.test(e.defaultValue))
        hardcodedSecretSites.push({ file: f.path, line: e.line });
    if (f.whileTrueLines.length > 0) {
      const llmCalls = externalCalls
        .filter((x) => x.kind === 'llm' && x.site.file === f.path)
        .map((x) => x.site.line);
      for (const line of f.whileTrueLines)
        if (llmCalls.some((l) => l > line)) whileTrueLlmSites.push({ file: f.path, line });
    }
    if (agentFiles.has(f.path))
      for (const line of f.swallowedExceptLines) swallowedSites.push({ file: f.path, line });
  }
  const committedEnvFiles = inputs.envFiles
    .filter(
      (e) =>
        !ENV_EXAMPLES.has(baseName(e.path).toLowerCase()) &&
        /^\.env(\.(local|dev|development|prod|production))?$/.test(baseName(e.path)) &&
        e.hasValues,
    )
    .map((e) => e.path);

  const mcpServers = uniqueServers([
    ...inputs.mcpConfigs.flatMap((c) => serversFromConfig(c.path, c.data)),
    ...serversFromCode(files),
  ]);

  return {
    frameworks,
    primaryFramework: primary?.name ?? '',
    agents,
    groups,
    tools,
    agentCapabilities,
    groupMembers,
    hitlSites,
    guardrails,
    dangerousFlags: detections.flatMap((d) => d.dangerousFlags).sort((a, b) => compareSites(a.site, b.site)),
    checkpointType,
    checkpointSites,
    mcpServers,
    envVarNames: [...envNames].sort(),
    envRefsByName,
    providers: [...providers].sort(),
    providerConfidence,
    models: [...models].sort(),
    externalCalls,
    modelClients,
    deployment,
    hasEnvInGitignore,
    memoryStoreTypes: [...memoryStoreTypes].sort(),
    learningType,
    learningSites,
    hasContextRollback,
    hasContextProvenance,
    telemetryDestinations: [...telemetry].sort(),
    tracingSites,
    evalFrameworks,
    sensitiveData: [...sensitive].sort(),
    verboseSites,
    evalExecSites,
    shellSubprocessSites,
    insecureHttpSites,
    trustRemoteCodeSites,
    inputLoopSites: code.flatMap((f) => f.inputInLoopLines.map((line) => ({ file: f.path, line }))),
    whileTrueLlmSites,
    swallowedSites,
    hardcodedSecretSites,
    committedEnvFiles,
    pythonFileCount: inputs.python.length,
    yamlConfigCount: inputs.yaml.length,
    totalLoc: inputs.python.reduce((n, f) => n + f.loc, 0),
    frameworkSelfScan: self?.detector.displayName ?? null,
    inputs,
  };
}

/** A literal that is a plausible secret, not a placeholder or an env-var name. */
function looksSecret(value: string): boolean {
  if (value.length < 16 || /\s/.test(value)) return false;
  if (/^(your|<|\$\{|xxx|test|dummy|fake|example|placeholder|changeme|sk-\.\.\.)/i.test(value)) return false;
  if (/^[A-Z0-9_]+$/.test(value)) return false;
  return /[A-Za-z]/.test(value) && /\d/.test(value);
}

const MODEL_EXACT =
  /^(gpt-[\w.-]+|o[134](?:-mini|-preview|-pro)?(?:-[\w.-]+)?|claude-[\w.:-]+|gemini-[\w.-]+|llama[\w.:-]*|mistral[\w.:-]*|mixtral[\w.:-]*|deepseek-[\w.:-]+|qwen[\w.:-]*|command-r[\w.+-]*|(?:openai|anthropic|google|groq|ollama|mistralai|bedrock|azure|gemini|vertex_ai)[/:][\w.:/-]+)$/;

/** Model names among the strings of a YAML document (read-repository summarises big documents with it). */
export function collectYamlModels(v: unknown, out: Set<string>, depth: number): void {
  if (depth > 20 || out.size > 500) return;
  if (typeof v === 'string') {
    if (v.length < 100 && MODEL_EXACT.test(v)) out.add(v);
  } else if (Array.isArray(v)) for (const x of v.slice(0, 1000)) collectYamlModels(x, out, depth + 1);
  else if (v && typeof v === 'object')
    for (const x of Object.values(v).slice(0, 1000)) collectYamlModels(x, out, depth + 1);
}

function providerOfModel(model: string): string | null {
  const prefix = /^(openai|anthropic|google|groq|ollama|mistralai|bedrock|azure|gemini|vertex_ai)[/:]/.exec(
    model,
  )?.[1];
  if (prefix) {
    if (prefix === 'gemini' || prefix === 'vertex_ai') return 'google';
    if (prefix === 'mistralai') return 'mistral';
    if (prefix === 'bedrock') return 'aws_bedrock';
    if (prefix === 'azure') return 'azure_openai';
    return prefix;
  }
  if (/^(gpt-|o[134]\b|chatgpt-)/.test(model)) return 'openai';
  if (model.startsWith('claude-')) return 'anthropic';
  if (model.startsWith('gemini-')) return 'google';
  return null;
}

export type { Capability };
