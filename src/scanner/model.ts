/**
 * The scanner's internal model: facts extracted from files (input of the detectors and rules)
 * and what the detectors find (agents, groups, tools). Nothing here leaves the process: the
 * ping only carries counts and identifiers derived from it.
 */

/** A literal or a reference as written in a call argument, reduced to what the rules need. */
export type ArgValue =
  | { kind: 'str'; value: string }
  | { kind: 'num'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' }
  | { kind: 'name'; value: string }
  | { kind: 'list'; items: ArgValue[] }
  | { kind: 'dict'; keys: string[]; entries: Map<string, ArgValue> }
  | { kind: 'call'; callee: string; call: CallFact }
  | { kind: 'other' };

export interface ImportFact {
  /** Fully dotted module, e.g. `crewai.tools` (for `from . import x`: `.`). */
  module: string;
  /** Imported names with their local alias; empty for `import module`. */
  names: { name: string; alias: string }[];
  /** Local alias of `import a.b as c` (c), or the first segment for `import a.b`. */
  alias: string | null;
  line: number;
  dynamic: boolean;
}

export interface CallFact {
  /** The callee as written, dotted (`Agent`, `crewai.Agent`, `self.llm.invoke`); `` if not a plain name. */
  callee: string;
  /** The callee with its first segment resolved through the file's imports (`crewai.Agent`). */
  qualified: string;
  line: number;
  args: ArgValue[];
  kwargs: Map<string, ArgValue>;
  /** Inside a `try` body that has an `except` clause. */
  inTry: boolean;
  /** Innermost enclosing function name (null at module level). */
  fn: string | null;
  cls: string | null;
  /** `x = call(...)` → `x` (attribute targets keep their dotted text). */
  assignedTo: string | null;
  /** Inside a `for`/`while` loop or a comprehension. */
  inLoop: boolean;
  /**
   * What the enclosing loops (outermost first, within the enclosing function) run over, when
   * each is written out or a variable: `for n in ["a", "b"]` → `[2]`, `for s in AGENT_SPECS` →
   * `["AGENT_SPECS"]` (resolved against literal data by the analysis). Null outside loops, or
   * when a loop runs over anything else (a call's result, a `while`).
   */
  loopOver: LoopIterable[] | null;
  /** `agents.append(Agent(…))` → `agents`: the list this call's result is appended to. */
  appendedTo: string | null;
}

/** A loop's iterable: its length when written out (`[…]`, `range(3)`), or the variable's name. */
export type LoopIterable = number | string;

export interface FunctionFact {
  name: string;
  cls: string | null;
  line: number;
  /** Decorators as dotted names, resolved (`crewai.project.agent`, `tool`, `agent.tool`). */
  decorators: { name: string; qualified: string; args: ArgValue[]; kwargs: Map<string, ArgValue> }[];
  /** Simple names of functions called in its body (for helper resolution). */
  calledNames: string[];
  docstring: boolean;
}

export interface ClassFact {
  name: string;
  line: number;
  bases: { name: string; qualified: string }[];
}

export interface AssignFact {
  target: string;
  line: number;
  value: ArgValue;
}

export interface EnvRef {
  name: string;
  line: number;
  /** Default given to `os.getenv("X", "default")` when a string. */
  defaultValue: string | null;
}

/** Everything one Python source (a `.py` file or a notebook's code cells) yields. */
export interface PythonFacts {
  path: string;
  isTest: boolean;
  isNotebook: boolean;
  loc: number;
  imports: ImportFact[];
  calls: CallFact[];
  functions: FunctionFact[];
  classes: ClassFact[];
  assigns: AssignFact[];
  envRefs: EnvRef[];
  /** String literals that look like model ids (`gpt-4o`, `claude-3-5-sonnet…`). */
  modelLiterals: { value: string; line: number }[];
  /** `while True:` loops (line), for unbounded-loop rules. */
  whileTrueLines: number[];
  /** `input("Approve? (y/n)")` calls inside a function or loop: human approval gates. */
  inputInLoopLines: number[];
  /** Bare `except:` / `except Exception: pass` handlers that swallow errors. */
  swallowedExceptLines: number[];
  /** Kinds of sensitive data the code handles (`personal`, `financial`, `health`). */
  sensitiveData: string[];
}

export interface SiteRef {
  file: string;
  line: number;
}

export type Capability =
  | 'outbound'
  | 'data_access'
  | 'destructive'
  | 'code_execution'
  | 'financial'
  | 'retrieval'
  | 'communication'
  | 'compute';

export type TrustLevel = 'external' | 'internal' | 'privileged' | 'restricted';

export interface ToolDef {
  /** Local name used to reference the tool (variable, function or class name). */
  name: string;
  /** Class of a built-in tool instance (`SerperDevTool`), also a valid reference. */
  className?: string;
  /** How it was recognised. */
  source: 'builtin' | 'decorator' | 'subclass' | 'mcp' | 'function';
  capability: Capability;
  trust: TrustLevel;
  site: SiteRef;
}

export interface AgentDef {
  id: string;
  framework: string;
  /** Variable the agent is bound to, or role/name given to it. */
  name: string;
  site: SiteRef;
  /** Function (or method) whose body constructs it: a factory other modules call by name. */
  fn: string | null;
  /** Names of tools handed to it (resolved against ToolDefs by the analysis). */
  toolRefs: string[];
  /** Capabilities implied by the agent class itself (e.g. a CodeAgent executes code). */
  intrinsic: Capability[];
  /** Has an iteration/recursion bound configured. */
  bounded: boolean;
  /** Names of agents it may hand off / delegate to. */
  delegatesTo: string[];
  /** Delegation allowed (`allow_delegation=True`, handoffs, managed agents). */
  delegates: boolean;
  hitl: boolean;
}

export interface GroupDef {
  id: string;
  framework: string;
  kind: 'crew' | 'graph' | 'group_chat' | 'team' | 'managed';
  name: string;
  site: SiteRef;
  /** Agent names (variables) that belong to it. */
  memberRefs: string[];
  /**
   * The calls written in the member list itself (`agents=[make_agent("qa"), Agent(…)]`), by the
   * index of the reference they gave in `memberRefs`: a factory's call site says which of its
   * agents it made.
   */
  memberCalls: ReadonlyMap<number, CallFact>;
  /** Has a round/turn/recursion bound. */
  bounded: boolean;
  /** Hand-overs between members (`add_edge(a, b)`, sequential crew order), by member name. */
  flows: [string, string][];
  /** Pipeline-like (sequential process, linear edges) rather than orchestrated. */
  sequential: boolean;
}

export interface Detection {
  agents: AgentDef[];
  groups: GroupDef[];
  tools: ToolDef[];
  hitlSites: SiteRef[];
  /** Checkpointers / memory savers named by the framework code. */
  checkpoints: { kind: 'memory' | 'persistent'; site: SiteRef }[];
  /** Sites where a framework-specific dangerous opt-in was found. */
  dangerousFlags: { flag: string; site: SiteRef }[];
}

export function emptyDetection(): Detection {
  return { agents: [], groups: [], tools: [], hitlSites: [], checkpoints: [], dangerousFlags: [] };
}
