import type { AgentDef, CallFact, GroupDef, PythonFacts } from '../model.js';
import { importedFrom, moduleOf } from './references.js';

/**
 * How many times a call inside loops runs, when the loops run over literal data: a literal
 * written in the loop (`for n in ["a", "b"]`, `range(3)`), or a variable bound to a literal
 * list, tuple or dict (`AGENT_SPECS = […]` in the same module, or imported from another module
 * of the repository: `from config import AGENT_SPECS`, `import config` … `config.AGENT_SPECS`).
 * Nothing is executed; anything else (a call's result, a list some code appends to, a name
 * bound twice to different things) is unknown.
 */

/** Copies one definition site in a loop stands for, at most: a huge literal is not a huge team. */
export const MAX_LOOP_COPIES = 100;

export class LoopIterations {
  private readonly byModule = new Map<string, PythonFacts[]>();

  constructor(files: readonly PythonFacts[]) {
    for (const f of files) {
      if (f.isTest) continue;
      const mod = moduleOf(f.path);
      const list = this.byModule.get(mod);
      if (list) list.push(f);
      else this.byModule.set(mod, [f]);
    }
  }

  /** Iterations of `call` in `file` (1 outside loops), capped; null when a loop is not over literal data. */
  of(call: CallFact, file: PythonFacts): number | null {
    if (call.loopOver === null) return call.inLoop ? null : 1;
    let n = 1;
    for (const it of call.loopOver) {
      const len = typeof it === 'number' ? it : this.lengthOf(it, file, call.line);
      if (len === null) return null;
      n = Math.min(n * len, MAX_LOOP_COPIES);
    }
    return n;
  }

  /** Items of the literal a name is bound to, seen from `line` of `file`. */
  private lengthOf(name: string, file: PythonFacts, line: number): number | null {
    const dot = name.indexOf('.');
    if (dot === -1) {
      if (boundHere(file, name)) return literalLength(file, name, line);
      const from = importedFrom(file, name);
      return from === null ? null : this.exported(from.module, from.name, file);
    }
    // `config.AGENT_SPECS` with `import config` (or `from pkg import config`).
    const head = name.slice(0, dot);
    const rest = name.slice(dot + 1);
    if (rest.includes('.')) return null;
    const imp = file.imports.find((i) => i.alias === head || i.names.some((n) => n.alias === head));
    if (!imp) return null;
    const named = imp.names.find((n) => n.alias === head);
    const module = named ? `${imp.module}.${named.name}` : imp.module;
    return this.exported(module, rest, file);
  }

  /** The length of the literal `name` is bound to in the repository's module `module`. */
  private exported(module: string, name: string, from: PythonFacts): number | null {
    const target = module.replace(/^\.+/, '');
    if (target === '') return null;
    const candidates: PythonFacts[] = [];
    for (const [mod, files] of this.byModule)
      if (mod === target || mod.endsWith(`.${target}`)) candidates.push(...files);
    // A relative import (`from .config import X`) means the importing file's own package.
    const pkg = moduleOf(from.path).split('.').slice(0, -1).join('.');
    const near = candidates.filter((f) => moduleOf(f.path).startsWith(`${pkg}.`));
    const pool = module.startsWith('.') && near.length > 0 ? near : candidates;
    const lengths = new Set(
      pool.filter((f) => boundHere(f, name)).map((f) => literalLength(f, name, Infinity)),
    );
    if (lengths.size !== 1) return null;
    return [...lengths][0] ?? null;
  }
}

/** Whether `file` binds `name` itself (a literal or a call's result), rather than importing it. */
function boundHere(file: PythonFacts, name: string): boolean {
  return file.assigns.some((a) => a.target === name) || file.calls.some((c) => c.assignedTo === name);
}

/**
 * The number of items of the literal list, tuple or dict `name` is bound to in `file` (the last
 * binding at or before `line`, else the first); null when it is also bound to a call's result or
 * appended to, or bound to something else.
 */
function literalLength(file: PythonFacts, name: string, line: number): number | null {
  if (file.calls.some((c) => c.assignedTo === name || c.appendedTo === name)) return null;
  const bindings = file.assigns.filter((a) => a.target === name);
  const before = bindings.filter((a) => a.line <= line);
  const pick = before.length > 0 ? before[before.length - 1] : bindings[0];
  const value = pick?.value;
  if (value?.kind === 'list') return value.items.length;
  if (value?.kind === 'dict') return value.keys.length;
  return null;
}

/**
 * Agents built in a loop over literal data stand for one agent per iteration (`for spec in
 * AGENT_SPECS: agents.append(Agent(**spec))` with three specs is three agents), when what names
 * them varies with the iteration (`variesByIteration`): an agent given a literal role
 * (`for table in TABLES: Agent(role="Extractor", …)`) is the same agent run once per item.
 * Each copy is a new agent with the id `<id>#<n>`; `copies` maps an agent's id to the ids of all
 * its copies. LangGraph nodes added in loops are copied by the LangGraph detector itself (a node
 * is not a construction call).
 */
export function expandLoopAgents(
  agents: readonly AgentDef[],
  files: ReadonlyMap<string, PythonFacts>,
  loops: LoopIterations,
): { agents: AgentDef[]; copies: Map<string, string[]> } {
  const out: AgentDef[] = [];
  const copies = new Map<string, string[]>();
  for (const agent of agents) {
    out.push(agent);
    const n = loopCopies(agent, files.get(agent.site.file), loops);
    if (n <= 1) continue;
    const ids = [agent.id];
    for (let i = 2; i <= n; i++) {
      const copy: AgentDef = { ...agent, id: `${agent.id}#${i}` };
      out.push(copy);
      ids.push(copy.id);
    }
    copies.set(agent.id, ids);
  }
  return { agents: out, copies };
}

/** How many agents one agent's construction site stands for (1 outside loops over literal data). */
export function loopCopies(agent: AgentDef, file: PythonFacts | undefined, loops: LoopIterations): number {
  const call = constructionCall(agent, file);
  if (call === null || file === undefined || call.callee.endsWith('.add_node') || !variesByIteration(call))
    return 1;
  return loops.of(call, file) ?? 1;
}

/** Identity arguments of agent constructors. */
export const IDENTITY_KWARGS = ['name', 'role', 'agent_name'];

/**
 * Whether the agent a call builds differs from one iteration to the next: its name or role is
 * not a literal (`role=spec["role"]`, `name=r`), or it is given positionally or spread from the
 * loop's data (`AssistantAgent(r)`, `Agent(**spec)`). An agent named literally, or not named at
 * all (`Agent(model=…, knowledge=kb)` per knowledge base), is the same agent each time.
 */
function variesByIteration(call: CallFact): boolean {
  const named = IDENTITY_KWARGS.map((k) => call.kwargs.get(k)).filter((v) => v !== undefined);
  if (named.length > 0) return named.every((v) => v.kind !== 'str');
  const first = call.args[0];
  return first?.kind === 'name' || first?.kind === 'other';
}

/** Whether a group is constructed inside a loop (one group, whatever the iterations). */
export function builtInLoop(group: GroupDef, file: PythonFacts | undefined): boolean {
  return file?.calls.some((c) => c.line === group.site.line && c.inLoop) ?? false;
}

/** The call that constructs an agent (its id is `<file>:<line>:<callee>`), if it is one. */
export function constructionCall(agent: AgentDef, file: PythonFacts | undefined): CallFact | null {
  if (!file) return null;
  for (const c of file.calls)
    if (c.line === agent.site.line && agent.id === `${file.path}:${c.line}:${c.callee}`) return c;
  return null;
}
