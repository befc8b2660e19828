import type { AgentDef, ArgValue, CallFact, FunctionFact, GroupDef, PythonFacts, SiteRef } from '../model.js';

export interface YamlDoc {
  path: string;
  data: unknown;
}

export interface CallSite {
  file: PythonFacts;
  call: CallFact;
}

/**
 * What every detector reads: the facts of all parsed sources, the YAML documents, and
 * indexes built once (calls by last name segment, functions by name, local modules).
 */
export class DetectContext {
  private readonly byName = new Map<string, CallSite[]>();
  private readonly fnByName = new Map<string, { file: PythonFacts; fn: FunctionFact }[]>();

  constructor(
    readonly files: readonly PythonFacts[],
    readonly yaml: readonly YamlDoc[],
    /** Top-level module names that exist in the repository itself (`agents/`, `agents.py`). */
    readonly localModules: ReadonlySet<string>,
  ) {
    for (const file of files) {
      for (const call of file.calls) {
        const key = lastSegment(call.callee);
        if (key === '') continue;
        const list = this.byName.get(key) ?? [];
        list.push({ file, call });
        this.byName.set(key, list);
      }
      for (const fn of file.functions) {
        const list = this.fnByName.get(fn.name) ?? [];
        list.push({ file, fn });
        this.fnByName.set(fn.name, list);
      }
    }
  }

  /** Calls (outside test code) whose callee ends in `name` and resolves into one of `roots`. */
  callsTo(roots: readonly string[], names: Iterable<string>): CallSite[] {
    const out: CallSite[] = [];
    for (const name of names) {
      for (const site of this.byName.get(name) ?? []) {
        if (site.file.isTest) continue;
        if (roots.length === 0 || inModules(site.call.qualified, roots)) out.push(site);
      }
    }
    return sortSites(out);
  }

  /** Calls by last name segment regardless of module (local subclasses, helpers). */
  callsNamed(name: string): CallSite[] {
    return (this.byName.get(name) ?? []).filter((s) => !s.file.isTest);
  }

  functionsNamed(name: string): { file: PythonFacts; fn: FunctionFact }[] {
    return (this.fnByName.get(name) ?? []).filter((f) => !f.file.isTest);
  }

  /** Whether any non-test source imports a module under one of `roots`. */
  importsAny(roots: readonly string[]): boolean {
    return this.files.some((f) => !f.isTest && f.imports.some((i) => inModules(i.module, roots)));
  }

  /** Classes (outside tests) that subclass, directly or transitively, one of `baseNames` from `roots`. */
  subclassesOf(roots: readonly string[], baseNames: readonly string[]): Set<string> {
    const found = new Set<string>();
    let grew = true;
    while (grew) {
      grew = false;
      for (const f of this.files) {
        if (f.isTest) continue;
        for (const c of f.classes) {
          if (found.has(c.name)) continue;
          const hit = c.bases.some(
            (b) =>
              (baseNames.includes(lastSegment(b.qualified)) && inModules(b.qualified, roots)) ||
              found.has(lastSegment(b.name)),
          );
          if (hit) {
            found.add(c.name);
            grew = true;
          }
        }
      }
    }
    return found;
  }
}

/**
 * Whether a dotted name lies under one of the module patterns: `crewai` matches `crewai` and
 * `crewai.x`; `google.adk` matches `google.adk.agents.Agent`; `langchain*` matches any name whose
 * first segment starts with `langchain` (`langchain_openai.ChatOpenAI`).
 */
export function inModules(qualified: string, patterns: readonly string[]): boolean {
  for (const p of patterns) {
    if (p.endsWith('*')) {
      if (rootOf(qualified).startsWith(p.slice(0, -1))) return true;
    } else if (qualified === p || qualified.startsWith(`${p}.`)) return true;
  }
  return false;
}

export function rootOf(qualified: string): string {
  const m = /[.(]/.exec(qualified);
  return m ? qualified.slice(0, m.index) : qualified;
}

export function lastSegment(dotted: string): string {
  const i = dotted.lastIndexOf('.');
  return i === -1 ? dotted : dotted.slice(i + 1);
}

export function site(cs: CallSite): SiteRef {
  return { file: cs.file.path, line: cs.call.line };
}

function sortSites(list: CallSite[]): CallSite[] {
  return list.sort((a, b) =>
    a.file.path < b.file.path ? -1 : a.file.path > b.file.path ? 1 : a.call.line - b.call.line,
  );
}

export function kw(call: CallFact, name: string): ArgValue | undefined {
  return call.kwargs.get(name);
}

export function isTrue(v: ArgValue | undefined): boolean {
  return v?.kind === 'bool' && v.value;
}

/** A keyword given with a value other than None/False/0 (a bound, a flag). */
export function hasSetting(call: CallFact, names: readonly string[]): boolean {
  return names.some((n) => {
    const v = call.kwargs.get(n);
    if (!v) return false;
    if (v.kind === 'none') return false;
    if (v.kind === 'bool') return v.value;
    return true;
  });
}

export function strArg(v: ArgValue | undefined): string | null {
  return v?.kind === 'str' ? v.value : null;
}

/** Names referenced by a `tools=[…]`-like argument; a list held in a variable is followed once. */
export function refNames(v: ArgValue | undefined, file: PythonFacts): string[] {
  if (!v) return [];
  if (v.kind === 'name') {
    const assigned = file.assigns.find((a) => a.target === v.value && a.value.kind === 'list');
    if (assigned) return refNames(assigned.value, file);
    return [lastSegment(v.value)];
  }
  if (v.kind === 'call') return [lastSegment(v.callee)];
  if (v.kind === 'list') return v.items.flatMap((i) => (i.kind === 'list' ? [] : refNames(i, file)));
  return [];
}

/**
 * Members named by a `agents=[…]`-like argument: like `refNames`, but an agent built in place
 * (`members=[Agent(name="Sarah", …)]`) is named as `agentName` names it, so it resolves to itself.
 * The calls written in the list are kept too, by the index of the name each gave: a factory's
 * call (`make_agent("qa")`) is resolved through its call site, not through that name.
 */
export function memberList(
  v: ArgValue | undefined,
  file: PythonFacts,
): { memberRefs: string[]; memberCalls: Map<number, CallFact> } {
  const memberRefs: string[] = [];
  const memberCalls = new Map<number, CallFact>();
  if (v?.kind === 'list') {
    for (const i of v.items) {
      if (i.kind !== 'call') {
        if (i.kind !== 'list') memberRefs.push(...refNames(i, file));
        continue;
      }
      const c = i.call;
      const named =
        c.assignedTo ?? strArg(c.kwargs.get('name')) ?? strArg(c.kwargs.get('role')) ?? strArg(c.args[0]);
      memberCalls.set(memberRefs.length, c);
      memberRefs.push(named ?? lastSegment(i.callee));
    }
    return { memberRefs, memberCalls };
  }
  // A list the code appends agents to (`agents = []` … `agents.append(Agent(…))`) is named as
  // such too: the analysis resolves it to what is appended.
  if (v?.kind === 'name' && file.calls.some((c) => c.appendedTo === v.value))
    return { memberRefs: [...refNames(v, file), v.value], memberCalls };
  return { memberRefs: refNames(v, file), memberCalls };
}

export function agentName(cs: CallSite, fallback: string): string {
  const c = cs.call;
  return (
    c.assignedTo ??
    strArg(c.kwargs.get('name')) ??
    strArg(c.kwargs.get('role')) ??
    (c.fn !== null ? c.fn : `${fallback}@${cs.file.path}:${c.line}`)
  );
}

export function newAgent(
  framework: string,
  cs: CallSite,
  fields: Partial<Omit<AgentDef, 'id' | 'framework' | 'site'>> = {},
): AgentDef {
  return {
    id: `${cs.file.path}:${cs.call.line}:${cs.call.callee}`,
    framework,
    name: fields.name ?? agentName(cs, framework),
    site: site(cs),
    fn: fields.fn !== undefined ? fields.fn : cs.call.fn,
    toolRefs: fields.toolRefs ?? refNames(cs.call.kwargs.get('tools'), cs.file),
    intrinsic: fields.intrinsic ?? [],
    bounded: fields.bounded ?? false,
    delegatesTo: fields.delegatesTo ?? [],
    delegates: fields.delegates ?? false,
    hitl: fields.hitl ?? false,
  };
}

export function newGroup(
  framework: string,
  kind: GroupDef['kind'],
  cs: CallSite,
  fields: Partial<Omit<GroupDef, 'id' | 'framework' | 'kind' | 'site'>> = {},
): GroupDef {
  return {
    id: `${cs.file.path}:${cs.call.line}:${cs.call.callee}`,
    framework,
    kind,
    name: fields.name ?? cs.call.assignedTo ?? cs.call.fn ?? `${kind}@${cs.file.path}:${cs.call.line}`,
    site: site(cs),
    memberRefs: fields.memberRefs ?? [],
    memberCalls: fields.memberCalls ?? new Map(),
    bounded: fields.bounded ?? false,
    flows: fields.flows ?? [],
    sequential: fields.sequential ?? false,
  };
}

/** Agent constructions `Class(...)` and `Class.from_tools(...)`-style factories under `roots`. */
export function agentConstructions(
  ctx: DetectContext,
  roots: readonly string[],
  classes: readonly string[],
  factories: readonly string[] = ['from_tools', 'from_llm', 'from_defaults', 'from_tools_or_functions'],
): CallSite[] {
  const direct = ctx.callsTo(roots, classes);
  const viaFactory = ctx
    .callsTo(roots, factories)
    .filter((cs) => classes.some((cls) => cs.call.callee.endsWith(`${cls}.${lastSegment(cs.call.callee)}`)));
  return [...direct, ...viaFactory];
}
