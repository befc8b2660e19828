import { lastSegment } from '../frameworks/detect-context.js';
import type { AgentDef, ArgValue, CallFact, GroupDef, PythonFacts } from '../model.js';
import { builtInLoop } from './loop-iterations.js';

/**
 * Resolution of the names a group or an agent refers to (members, tools) across the
 * repository's own modules: through imports, factory functions and module-level lists.
 * Everything here is by name and bounded; nothing is executed.
 */

/** `src/pkg/agents.py` → `src.pkg.agents`; `pkg/__init__.py` → `pkg`. */
export function moduleOf(path: string): string {
  return path
    .replace(/\.(py|ipynb)$/, '')
    .replace(/\/__init__$/, '')
    .replace(/\//g, '.');
}

/** Whether `file` imports the module defined at `path` (absolute, by suffix, or relative). */
export function importsModuleAt(file: PythonFacts, path: string): boolean {
  const target = moduleOf(path);
  return file.imports.some((imp) => {
    const mod = imp.module.replace(/^\.+/, '');
    if (mod === '') return false;
    return (
      target === mod || target.endsWith(`.${mod}`) || imp.names.some((n) => target.endsWith(`.${n.name}`))
    );
  });
}

/** `from config import AGENT_SPECS as SPECS`: where the local name `SPECS` comes from. */
export function importedFrom(file: PythonFacts, local: string): { module: string; name: string } | null {
  for (const imp of file.imports)
    for (const n of imp.names) if (n.alias === local) return { module: imp.module, name: n.name };
  return null;
}

/** Prefers a candidate defined in `file` itself, then one in a module `file` imports. */
export function preferLocal<T>(candidates: readonly T[], file: PythonFacts, pathOf: (x: T) => string): T[] {
  if (candidates.length <= 1) return [...candidates];
  const here = candidates.filter((c) => pathOf(c) === file.path);
  if (here.length > 0) return here;
  const imported = candidates.filter((c) => importsModuleAt(file, pathOf(c)));
  return imported.length > 0 ? imported : [candidates[0] as T];
}

/** The key of a call site, `<file>:<line>:<callee>`: an agent's id is its construction call's. */
export function callSiteKey(file: PythonFacts, call: CallFact): string {
  return `${file.path}:${call.line}:${call.callee}`;
}

/** The last call bound to `name` in `file` at or before `line` (`x = factory(...)`). */
export function boundCall(file: PythonFacts, name: string, line: number): CallFact | null {
  let found: CallFact | null = null;
  for (const c of file.calls)
    if (c.assignedTo === name && c.line <= line && (found === null || c.line >= found.line)) found = c;
  return found;
}

/** Methods that run an agent or a model-backed runnable. */
const RUN_METHODS = new Set([
  'run',
  'arun',
  'run_sync',
  'run_stream',
  'invoke',
  'ainvoke',
  'stream',
  'astream',
  'kickoff',
  'kickoff_async',
  'chat',
  'achat',
  'print_response',
  'initiate_chat',
]);

export class AgentIndex {
  private readonly byName = new Map<string, AgentDef[]>();
  private readonly byFn = new Map<string, AgentDef[]>();

  /** Functions that run an agent (`async def gather_info(state): await info_agent.run(…)`). */
  private readonly runners = new Map<string, AgentDef[]>();

  constructor(
    readonly agents: readonly AgentDef[],
    files: readonly PythonFacts[] = [],
    /** The agents a factory call makes, by call site (`expandFactoryAgents`). */
    private readonly instancesAt: ReadonlyMap<string, readonly AgentDef[]> = new Map(),
  ) {
    for (const a of agents) {
      for (const key of new Set([a.name, lastSegment(a.name)])) push(this.byName, key, a);
      if (a.fn !== null) push(this.byFn, a.fn, a);
    }
    for (const file of files) {
      if (file.isTest) continue;
      for (const c of file.calls) {
        if (c.fn === null || !RUN_METHODS.has(lastSegment(c.callee))) continue;
        const receiver = c.callee.slice(0, c.callee.lastIndexOf('.'));
        const named = this.byName.get(receiver);
        const agent = named ? preferLocal(named, file, (a) => a.site.file)[0] : undefined;
        if (agent && !(this.runners.get(c.fn) ?? []).includes(agent)) push(this.runners, c.fn, agent);
      }
    }
  }

  /**
   * Agents a member reference written in `file` at `line` stands for: an agent bound to that
   * name; a variable bound to a call of a factory that builds an agent
   * (`analyst = crew_agents.analyst_agent()`); or the factory's own name (`[make_writer()]`).
   */
  resolve(ref: string, file: PythonFacts, line: number): AgentDef[] {
    const appended = this.appendedTo(ref, file);
    if (appended.length > 0) return appended;
    const named = this.byName.get(ref) ?? this.byName.get(lastSegment(ref));
    if (named) return preferLocal(named, file, (a) => a.site.file).slice(0, 1);
    const bound = boundCall(file, ref, line) ?? boundCall(file, ref, Number.MAX_SAFE_INTEGER);
    const made = bound ? this.instancesAt.get(callSiteKey(file, bound)) : undefined;
    if (made) return [...made];
    const factory = bound ? lastSegment(bound.callee) : lastSegment(ref);
    const built = this.byFn.get(factory);
    if (built) return preferLocal(built, file, (a) => a.site.file);
    const runs = this.runners.get(lastSegment(ref));
    if (runs && !bound) return runs.slice(0, 1);
    if (bound) {
      // `analyst = other_agent` or `analyst = agents["analyst"]`-style aliases are not followed.
      const viaName = this.byName.get(factory);
      if (viaName) return preferLocal(viaName, file, (a) => a.site.file).slice(0, 1);
    }
    return [];
  }

  /**
   * Agents a call written in a member list stands for: the instances its call site made (a
   * factory given the agent's name, `make_agent("qa")`), else the agents its function builds,
   * else what `ref`, the name the list gave it, resolves to (`Agent(role="QA")` built in place).
   */
  resolveCall(call: CallFact, ref: string, file: PythonFacts, line: number): AgentDef[] {
    const made = this.instancesAt.get(callSiteKey(file, call));
    if (made) return [...made];
    const factory = lastSegment(call.callee);
    if (factory !== ref && this.byFn.has(factory)) return this.resolve(factory, file, line);
    return this.resolve(ref, file, line);
  }

  /** Agents put into the list `ref` by `ref.append(Agent(…))` or `ref.append(make_agent(…))` in `file`. */
  private appendedTo(ref: string, file: PythonFacts): AgentDef[] {
    const found: AgentDef[] = [];
    for (const c of file.calls) {
      if (c.appendedTo !== ref) continue;
      const id = callSiteKey(file, c);
      const built = this.agents.filter((a) => a.id === id);
      const made =
        built.length > 0
          ? built
          : (this.instancesAt.get(id) ??
            preferLocal(this.byFn.get(lastSegment(c.callee)) ?? [], file, (a) => a.site.file));
      for (const a of made) if (!found.includes(a)) found.push(a);
    }
    return found;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Member agent ids of a group, in reference order, each agent once; an agent built in a loop
 * over literal data brings all its copies (`copies`, from `expandLoopAgents`), unless the group
 * itself is built in a loop (each iteration's group has that iteration's agents).
 */
export function groupMemberIds(
  group: GroupDef,
  index: AgentIndex,
  files: ReadonlyMap<string, PythonFacts>,
  copies: ReadonlyMap<string, readonly string[]> = new Map(),
): string[] {
  const file = files.get(group.site.file);
  const perIteration = builtInLoop(group, file);
  const ids: string[] = [];
  for (const [i, ref] of group.memberRefs.entries()) {
    const call = group.memberCalls.get(i);
    const found =
      file === undefined
        ? []
        : call === undefined
          ? index.resolve(ref, file, group.site.line)
          : index.resolveCall(call, ref, file, group.site.line);
    for (const a of found)
      for (const id of perIteration ? [a.id] : (copies.get(a.id) ?? [a.id]))
        if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

/**
 * Module-level lists bound to a name anywhere in the repository (`TOOLS = [a, b]` in
 * `tools.py`, imported where an agent gets `tools=TOOLS`), expanded to their item names.
 */
export function expandListRef(
  ref: string,
  file: PythonFacts,
  files: readonly PythonFacts[],
): string[] | null {
  const lists: { file: PythonFacts; value: ArgValue }[] = [];
  for (const f of files)
    if (!f.isTest)
      for (const a of f.assigns)
        if (a.target === ref && a.value.kind === 'list') lists.push({ file: f, value: a.value });
  if (lists.length === 0) return null;
  const pick = preferLocal(lists, file, (x) => x.file.path)[0];
  if (pick?.value.kind !== 'list') return null;
  return pick.value.items.flatMap((i) =>
    i.kind === 'name' ? [lastSegment(i.value)] : i.kind === 'call' ? [lastSegment(i.callee)] : [],
  );
}
