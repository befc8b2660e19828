import type { Node, Tree } from 'web-tree-sitter';
import type {
  ArgValue,
  AssignFact,
  CallFact,
  ClassFact,
  EnvRef,
  FunctionFact,
  ImportFact,
  LoopIterable,
  PythonFacts,
} from '../model.js';
import { looksLikeCredential } from '../values/credential-shape.js';

interface WalkContext {
  fn: string | null;
  cls: string | null;
  inTry: boolean;
  inLoop: boolean;
  loopOver: LoopIterable[] | null;
}

const MAX_LIST_ITEMS = 200;
const MAX_NAME_CHARS = 200;
/**
 * Argument values (literals, names, nested lists and dicts) kept per file, and their nesting
 * depth. A literal of a few source bytes becomes an object of ~100 bytes of heap: without a
 * bound a test file of big inline snapshots (`snapshot({...})`) costs tens of megabytes.
 * Beyond either bound a value is `other`, which no detector reads as anything.
 */
const MAX_ARG_VALUES_PER_FILE = 20_000;
const MAX_ARG_DEPTH = 8;
/** Model-name literals kept per file, and the longest one kept (a model id is short). */
const MAX_MODEL_LITERALS = 1000;
const MAX_MODEL_CHARS = 120;
/** Nodes visited between two looks at the clock. */
const DEADLINE_CHECK_EVERY = 512;

/** Extraction stopped at the scan's deadline: the file's facts are incomplete. */
export class ExtractionDeadlineError extends Error {
  override name = 'ExtractionDeadlineError';
}

/** Model ids as string literals: the families the providers publish. */
const MODEL_LITERAL =
  /["']((?:gpt-[\w.-]+|o[134](?:-mini|-preview|-pro)?(?:-[\w.-]+)?|claude-[\w.:-]+|gemini-[\w.-]+|gemma[\w.:-]*|llama[\w.:-]*|mistral[\w.:-]*|mixtral[\w.:-]*|codestral[\w.:-]*|command-r[\w.+-]*|deepseek-[\w.:-]+|qwen[\w.:-]*|phi-?\d[\w.:-]*|text-embedding-[\w.-]+|chatgpt-[\w.-]+|grok-[\w.-]+|(?:openai|anthropic|google|groq|ollama|mistralai|bedrock|azure|gemini|vertex_ai)[/:][\w.:/-]+))["']/g;

/** An `input()` prompt that asks a person to approve an action, not for the next question. */
const APPROVAL_PROMPT = /approv|confirm|proceed|allow|\(y\/n\)|\[y\/n\]|yes\/no|y\/n/i;

/** Words that name sensitive data, by kind (whole words, any case). */
const SENSITIVE_WORDS: [string, string][] = [
  [
    'personal',
    'email_address|phone_number|ssn|social_security|date_of_birth|passport_number|home_address|personal_data|pii',
  ],
  [
    'financial',
    'credit_card|card_number|iban|account_number|bank_account|routing_number|transaction_amount|payment_method',
  ],
  ['health', 'patient|diagnosis|medical_record|health_record|prescription|hipaa'],
];
/** All kinds in one scan: matches are whole words, so one kind's match never hides another's. */
const SENSITIVE = new RegExp(
  SENSITIVE_WORDS.map(([kind, words]) => `\\b(?<${kind}>${words})\\b`).join('|'),
  'gi',
);

/**
 * Any of the words, without telling the kinds apart: twice as fast as `SENSITIVE` on sources
 * that name none, which are most.
 */
const ANY_SENSITIVE = new RegExp(`\\b(?:${SENSITIVE_WORDS.map(([, words]) => words).join('|')})\\b`, 'i');

/** The kinds of sensitive data the source names, in `SENSITIVE_WORDS` order. */
export function sensitiveKinds(source: string): string[] {
  if (!ANY_SENSITIVE.test(source)) return [];
  const found = new Set<string>();
  for (const m of source.matchAll(SENSITIVE)) {
    for (const [kind] of SENSITIVE_WORDS) if (m.groups?.[kind] !== undefined) found.add(kind);
    if (found.size === SENSITIVE_WORDS.length) break;
  }
  return SENSITIVE_WORDS.filter(([kind]) => found.has(kind)).map(([kind]) => kind);
}

/**
 * Extracts what the detectors and rules need from one parsed Python source. Of test code only
 * its outline is read: imports (framework presence), functions and classes (`has_tests`, size)
 * and what the whole text says (lines of code, sensitive data). No detector or rule reads a test
 * file's calls, assignments, literals or decorators, and test suites are often most of a
 * repository's code.
 */
export function extractPythonFacts(
  tree: Tree,
  source: string,
  meta: { path: string; isTest: boolean; isNotebook: boolean; deadline?: number },
): PythonFacts {
  const facts: PythonFacts = {
    path: meta.path,
    isTest: meta.isTest,
    isNotebook: meta.isNotebook,
    loc: countLoc(source),
    imports: [],
    calls: [],
    functions: [],
    classes: [],
    assigns: [],
    envRefs: [],
    modelLiterals: [],
    whileTrueLines: [],
    inputInLoopLines: [],
    swallowedExceptLines: [],
    sensitiveData: sensitiveKinds(source),
  };
  const deadline = meta.deadline ?? Number.POSITIVE_INFINITY;
  const extractor = new Extractor(facts, source, deadline, meta.isTest);
  extractor.run(tree.rootNode);
  if (meta.isTest) return facts;
  const lineOf = lineCursor(source);
  extractor.environSubscripts(source, lineOf);
  extractor.finish();
  let matched = 0;
  for (const m of source.matchAll(MODEL_LITERAL)) {
    if (++matched % DEADLINE_CHECK_EVERY === 0 && Date.now() > deadline) throw new ExtractionDeadlineError();
    const value = m[1] as string;
    if (value.length > MAX_MODEL_CHARS || looksLikeCredential(value)) continue;
    facts.modelLiterals.push({ value, line: lineOf(m.index ?? 0) });
    if (facts.modelLiterals.length >= MAX_MODEL_LITERALS) break;
  }
  return facts;
}

/**
 * Lines (split at `\n`) that hold something other than white space (as `String.prototype.trim`
 * strips it) and do not start with `#`. Read character by character, so no line becomes a string.
 */
export function countLoc(source: string): number {
  let n = 0;
  let lineStart = true;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 10) lineStart = true;
    else if (lineStart && !isTrimmedSpace(c)) {
      lineStart = false;
      if (c !== 35) n++;
    }
  }
  return n;
}

/** The characters `trim()` strips: ECMAScript's WhiteSpace and LineTerminator (but `\n`). */
function isTrimmedSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * The 1-based line of an offset, for offsets asked in increasing order (regex matches): each
 * newline is counted once, so a file costs linear time whatever its number of matches. An
 * offset before the previous one starts the count again.
 */
export function lineCursor(source: string): (offset: number) => number {
  let line = 1;
  let next = source.indexOf('\n');
  let last = 0;
  return (offset) => {
    if (offset < last) {
      line = 1;
      next = source.indexOf('\n');
    }
    last = offset;
    while (next !== -1 && next < offset) {
      line++;
      next = source.indexOf('\n', next + 1);
    }
    return line;
  };
}

class Extractor {
  private readonly aliases = new Map<string, string>();
  private readonly callCache = new Map<number, CallFact>();
  private readonly recorded = new Set<number>();
  private readonly fnCalls = new Map<string, Set<string>>();
  /** Calls that are the value of an `assignment` (also under `await`), by node id: its target. */
  private readonly assignedCalls = new Map<number, string>();
  /** Calls appended to a list (`agents.append(Agent(…))`), by node id: the list's name. */
  private readonly appendedCalls = new Map<number, string>();
  /** Calls that are the element of a comprehension (`[Agent(**s) for s in SPECS]`): its loops. */
  private readonly comprehensionCalls = new Map<number, LoopIterable[] | null>();
  /** The `decorated_definition` whose definition is the next function or class visited. */
  private pendingDecorated: Node | null = null;
  /** Argument values still allowed in this file (MAX_ARG_VALUES_PER_FILE). */
  private argValuesLeft = MAX_ARG_VALUES_PER_FILE;
  private argDepth = 0;

  constructor(
    private readonly facts: PythonFacts,
    private readonly source: string,
    private readonly deadline: number,
    /** Read the outline only (test code): imports, functions without decorators, classes. */
    private readonly outlineOnly = false,
  ) {}

  /**
   * Visits the nodes that matter in document order. `descendantsOfType` collects them inside
   * WASM in one call, which is several times cheaper than walking every node with a cursor
   * from JavaScript; the context (enclosing function/class, try body, loop) comes from a stack
   * of the enclosing nodes' byte ranges, which nest.
   */
  run(root: Node): void {
    const scopes: Scope[] = [];
    const nodes = root.descendantsOfType(this.outlineOnly ? OUTLINE_TYPES : VISITED_TYPES);
    for (let i = 0; i < nodes.length; i++) {
      if (i % DEADLINE_CHECK_EVERY === DEADLINE_CHECK_EVERY - 1 && Date.now() > this.deadline)
        throw new ExtractionDeadlineError();
      const node = nodes[i];
      if (!node) continue;
      const start = node.startIndex;
      while (scopes.length > 0 && (scopes[scopes.length - 1] as Scope).end <= start) scopes.pop();
      const ctx = contextOf(scopes);
      switch (node.type) {
        case 'import_statement':
        case 'import_from_statement':
          this.importFact(node);
          break;
        case 'call':
          // The list is in document order, parents first: a next node starting where this call
          // starts lies inside it (`f(x)(y)`, `a(x).b(y)`), so this call's callee is not the
          // plain name its text begins with.
          this.visitCall(node, ctx, nodes[i + 1]?.startIndex !== start);
          break;
        case 'decorated_definition':
          this.pendingDecorated = node;
          break;
        case 'function_definition': {
          const fn = this.functionFact(node, ctx);
          scopes.push({ end: node.endIndex, kind: 'fn', name: fn.name });
          break;
        }
        case 'class_definition': {
          this.pendingDecorated = null;
          const name = node.childForFieldName('name')?.text ?? '';
          const supers = node.childForFieldName('superclasses');
          const bases = (supers?.namedChildren ?? [])
            .map((b) => (b === null ? null : { node: b, type: b.type }))
            .filter((b) => b !== null && (b.type === 'identifier' || b.type === 'attribute'))
            .map((b) => {
              const dn = dottedNameOfType((b as { node: Node }).node, (b as { type: string }).type);
              return { name: dn, qualified: this.qualify(dn) };
            });
          this.facts.classes.push({ name, line: node.startPosition.row + 1, bases } satisfies ClassFact);
          scopes.push({ end: node.endIndex, kind: 'cls', name });
          break;
        }
        case 'try_statement': {
          const hasExcept = node.namedChildren.some((ch) => ch?.type === 'except_clause');
          const body = node.childForFieldName('body');
          if (hasExcept && body) scopes.push({ end: body.endIndex, kind: 'try', name: '' });
          break;
        }
        case 'except_clause':
          if (swallows(node)) this.facts.swallowedExceptLines.push(node.startPosition.row + 1);
          break;
        case 'while_statement': {
          const cond = node.childForFieldName('condition');
          const condType = cond?.type;
          if (condType === 'true' || (condType === 'integer' && cond?.text === '1'))
            this.facts.whileTrueLines.push(node.startPosition.row + 1);
          scopes.push({ end: node.endIndex, kind: 'loop', name: '', over: null });
          break;
        }
        case 'for_statement':
          scopes.push({ end: node.endIndex, kind: 'loop', name: '', over: nestedLoop(ctx, node) });
          break;
        case 'assignment':
          this.assignFact(node, ctx);
          break;
      }
    }
  }

  /** `os.environ["X"]` reads (a subscript is too common a node to visit for this). */
  environSubscripts(source: string, lineOf: (offset: number) => number): void {
    if (!this.aliases.has('os') && !this.aliases.has('environ')) return;
    for (const m of source.matchAll(ENVIRON_SUBSCRIPT)) {
      const head = m[1] === undefined ? 'environ' : 'os';
      if (this.qualify(head === 'os' ? 'os.environ' : 'environ') !== 'os.environ') continue;
      this.facts.envRefs.push({
        name: m[2] as string,
        line: lineOf(m.index ?? 0),
        defaultValue: null,
      });
    }
  }

  finish(): void {
    for (const fn of this.facts.functions) {
      fn.calledNames = [...(this.fnCalls.get(fn.name) ?? [])].sort();
    }
  }

  /** The first segment of a dotted name is bound by an import. */
  isImported(dotted: string): boolean {
    const m = /[.(]/.exec(dotted);
    return this.aliases.has(m ? dotted.slice(0, m.index) : dotted);
  }

  qualify(dotted: string): string {
    if (dotted === '') return '';
    const m = /[.(]/.exec(dotted);
    const dot = m ? m.index : -1;
    const head = dot === -1 ? dotted : dotted.slice(0, dot);
    const mapped = this.aliases.get(head);
    if (mapped === undefined) return dotted;
    return dot === -1 ? mapped : mapped + dotted.slice(dot);
  }

  private importFact(node: Node): void {
    const line = node.startPosition.row + 1;
    if (node.type === 'import_statement') {
      for (const ch of node.namedChildren) {
        if (!ch) continue;
        const type = ch.type;
        if (type === 'dotted_name') {
          const module = ch.text;
          const head = module.split('.')[0] as string;
          this.aliases.set(head, head);
          this.facts.imports.push({ module, names: [], alias: head, line, dynamic: false });
        } else if (type === 'aliased_import') {
          const module = ch.childForFieldName('name')?.text ?? '';
          const alias = ch.childForFieldName('alias')?.text ?? module;
          this.aliases.set(alias, module);
          this.facts.imports.push({ module, names: [], alias, line, dynamic: false });
        }
      }
      return;
    }
    const moduleNode = node.childForFieldName('module_name');
    const module = moduleNode?.text ?? '';
    const names: ImportFact['names'] = [];
    for (const ch of node.childrenForFieldName('name')) {
      if (!ch) continue;
      const type = ch.type;
      if (type === 'dotted_name') {
        const text = ch.text;
        names.push({ name: text, alias: text });
      } else if (type === 'aliased_import') {
        const name = ch.childForFieldName('name')?.text ?? '';
        names.push({ name, alias: ch.childForFieldName('alias')?.text ?? name });
      }
    }
    for (const n of names) this.aliases.set(n.alias, `${module}.${n.name}`);
    this.facts.imports.push({ module, names, alias: null, line, dynamic: false });
  }

  /**
   * A call met by the walk. Most calls in ordinary code (helpers, list.append, len…) matter to no
   * detector or rule: only their name is kept (for helper resolution) and their arguments are
   * not read. `innermost`: no other call starts where this one does (see `plainCallee`).
   */
  private visitCall(node: Node, ctx: WalkContext, innermost: boolean): void {
    const id = node.id;
    if (this.recorded.has(id)) return;
    this.recorded.add(id);
    let fact = this.callCache.get(id);
    if (fact === undefined) {
      const callee = (innermost ? plainCallee(this.source, node.startIndex) : null) ?? this.calleeOf(node);
      const qualified = this.qualify(callee);
      // A local call whose result is bound (`analyst = agents.analyst()`) is kept too: factory
      // functions are how agents reach the crews and graphs of other modules.
      if (
        !keepsCall(callee, qualified, this.isImported(callee)) &&
        !this.assignedCalls.has(node.id) &&
        !(this.appendedCalls.has(node.id) && FACTORY_CALLEE.test(callee))
      ) {
        // Such a call is no dynamic import, env read or input() prompt either (those are kept).
        this.addCalledName(callee, ctx);
        if (callee.endsWith('.append')) this.noteAppended(node, callee);
        return;
      }
      fact = this.buildCall(node, ctx, callee, qualified);
    }
    this.record(fact, ctx);
  }

  /** A call read outside the walk's order (an argument, a decorator); recorded when visited. */
  private callFact(node: Node, ctx: WalkContext): CallFact {
    return this.callCache.get(node.id) ?? this.buildCall(node, ctx);
  }

  private addCalledName(callee: string, ctx: WalkContext): void {
    if (ctx.fn === null || callee === '') return;
    let set = this.fnCalls.get(ctx.fn);
    if (set === undefined) {
      set = new Set<string>();
      this.fnCalls.set(ctx.fn, set);
    }
    set.add(callee.slice(callee.lastIndexOf('.') + 1));
  }

  private record(fact: CallFact, ctx: WalkContext): void {
    const callee = fact.callee;
    this.addCalledName(callee, ctx);
    if (
      isKeptCall(fact, this.isImported(callee)) ||
      fact.assignedTo !== null ||
      (fact.appendedTo !== null && FACTORY_CALLEE.test(callee))
    )
      this.facts.calls.push(fact);
    this.dynamicImport(fact);
    this.envCall(fact);
    if (callee === 'input' && (ctx.inLoop || ctx.fn !== null)) {
      const prompt = fact.args[0];
      if (prompt?.kind === 'str' && APPROVAL_PROMPT.test(prompt.value))
        this.facts.inputInLoopLines.push(fact.line);
    }
  }

  /** `callee`/`qualified`: the call's, when the caller has read them already. */
  private buildCall(node: Node, ctx: WalkContext, knownCallee?: string, knownQualified?: string): CallFact {
    const callee = knownCallee ?? this.calleeOf(node);
    const comprehension = this.comprehensionCalls.get(node.id);
    const args: ArgValue[] = [];
    const kwargs = new Map<string, ArgValue>();
    const argList = node.childForFieldName('arguments');
    if (argList && argList.type === 'argument_list') {
      for (const a of argList.namedChildren) {
        if (!a) continue;
        const type = a.type;
        if (type === 'comment') continue;
        if (type === 'keyword_argument') {
          const name = a.childForFieldName('name')?.text ?? '';
          const value = a.childForFieldName('value');
          kwargs.set(name, value ? this.argValue(value, ctx) : { kind: 'other' });
        } else if (args.length < MAX_LIST_ITEMS) args.push(this.argValueOfType(a, type, ctx));
      }
    }
    const fact: CallFact = {
      callee,
      qualified: knownQualified ?? this.qualify(callee),
      line: node.startPosition.row + 1,
      args,
      kwargs,
      inTry: ctx.inTry,
      fn: ctx.fn,
      cls: ctx.cls,
      assignedTo: this.assignedCalls.get(node.id) ?? null,
      inLoop: ctx.inLoop || comprehension !== undefined,
      loopOver: comprehension !== undefined ? comprehension : ctx.loopOver,
      appendedTo: this.appendedCalls.get(node.id) ?? null,
    };
    this.callCache.set(node.id, fact);
    return fact;
  }

  private calleeOf(call: Node): string {
    const fnNode = call.childForFieldName('function');
    return fnNode ? dottedName(fnNode) : '';
  }

  private argValue(n: Node, ctx: WalkContext): ArgValue {
    return this.argValueOfType(n, n.type, ctx);
  }

  private argValueOfType(n: Node, type: string, ctx: WalkContext): ArgValue {
    if (this.argValuesLeft <= 0 || this.argDepth >= MAX_ARG_DEPTH) return { kind: 'other' };
    this.argValuesLeft--;
    this.argDepth++;
    try {
      return this.argValueInBudget(n, type, ctx);
    } finally {
      this.argDepth--;
    }
  }

  private argValueInBudget(n: Node, type: string, ctx: WalkContext): ArgValue {
    switch (type) {
      case 'string':
        return stringValueOfType(n, type);
      case 'concatenated_string': {
        const parts = n.namedChildren.map((p) => (p ? stringValue(p) : ({ kind: 'other' } as ArgValue)));
        if (parts.every((p) => p.kind === 'str'))
          return { kind: 'str', value: parts.map((p) => (p as { value: string }).value).join('') };
        return { kind: 'other' };
      }
      case 'integer':
      case 'float':
        return { kind: 'num', value: Number(n.text.replace(/_/g, '')) };
      case 'true':
        return { kind: 'bool', value: true };
      case 'false':
        return { kind: 'bool', value: false };
      case 'none':
        return { kind: 'none' };
      case 'identifier':
      case 'attribute': {
        const name = dottedNameOfType(n, type);
        return name === '' ? { kind: 'other' } : { kind: 'name', value: name };
      }
      case 'list':
      case 'tuple':
      case 'set':
        return {
          kind: 'list',
          items: n.namedChildren
            .slice(0, MAX_LIST_ITEMS)
            .map((x) => (x === null ? null : { node: x, type: x.type }))
            .filter((x) => x !== null && x.type !== 'comment')
            .map((x) => this.argValueOfType((x as { node: Node }).node, (x as { type: string }).type, ctx)),
        };
      case 'dictionary': {
        const keys: string[] = [];
        const entries = new Map<string, ArgValue>();
        for (const p of n.namedChildren.slice(0, MAX_LIST_ITEMS)) {
          const k = p?.type === 'pair' ? p.childForFieldName('key') : null;
          if (k?.type === 'string') {
            const v = stringValue(k);
            if (v.kind === 'str') {
              keys.push(v.value);
              const value = p?.childForFieldName('value');
              if (value) entries.set(v.value, this.argValue(value, ctx));
            }
          }
        }
        return { kind: 'dict', keys, entries };
      }
      case 'call': {
        const call = this.callFact(n, ctx);
        return { kind: 'call', callee: call.callee, call };
      }
      case 'parenthesized_expression':
      case 'await': {
        const inner = n.namedChildren.find((x) => x !== null && x.type !== 'comment');
        return inner ? this.argValue(inner, ctx) : { kind: 'other' };
      }
      default:
        return { kind: 'other' };
    }
  }

  private functionFact(node: Node, ctx: WalkContext): FunctionFact {
    const name = node.childForFieldName('name')?.text ?? '';
    const decorators: FunctionFact['decorators'] = [];
    // A decorated definition is visited right before its function: its decorators are
    // expressions and hold no definitions (cheaper than `node.parent`, which descends from the root).
    const parent = this.pendingDecorated;
    this.pendingDecorated = null;
    if (parent !== null) {
      for (const d of parent.namedChildren) {
        if (d?.type !== 'decorator') continue;
        const expr = d.namedChildren.find((x) => x !== null && x.type !== 'comment');
        if (!expr) continue;
        if (expr.type === 'call') {
          const call = this.callFact(expr, ctx);
          decorators.push({
            name: call.callee,
            qualified: call.qualified,
            args: call.args,
            kwargs: call.kwargs,
          });
        } else {
          const dn = dottedName(expr);
          decorators.push({ name: dn, qualified: this.qualify(dn), args: [], kwargs: new Map() });
        }
      }
    }
    const body = node.childForFieldName('body');
    const first = body?.firstNamedChild;
    const docstring = first?.type === 'expression_statement' && first.namedChildren[0]?.type === 'string';
    const fact: FunctionFact = {
      name,
      cls: ctx.cls,
      line: node.startPosition.row + 1,
      decorators,
      calledNames: [],
      docstring: Boolean(docstring),
    };
    this.facts.functions.push(fact);
    return fact;
  }

  /**
   * An LCEL chain `x = prompt | llm.bind_tools(t) | parser`: each operand call takes `x` as its
   * assignment target and each operand name is recorded as `x = name`, so a chain built on a
   * model is a model variable too. Bounded: a chain of at most 16 operands is followed.
   */
  private pipeChain(expr: Node, target: string, line: number): void {
    const operands: Node[] = [];
    const stack: Node[] = [expr];
    while (stack.length > 0 && operands.length < 16) {
      const n = stack.pop() as Node;
      if (n.type === 'parenthesized_expression') {
        const inner = n.namedChildren.find((c) => c?.type !== 'comment');
        if (inner) stack.push(inner);
      } else if (n.type === 'binary_operator' && n.childForFieldName('operator')?.type === '|') {
        const r = n.childForFieldName('right');
        const l = n.childForFieldName('left');
        if (r) stack.push(r);
        if (l) stack.push(l);
      } else operands.push(n);
    }
    if (operands.length < 2) return;
    for (const op of operands) {
      if (op.type === 'call') this.assignedCalls.set(op.id, target);
      else if (op.type === 'identifier' || op.type === 'attribute') {
        const name = dottedNameOfType(op, op.type);
        if (name !== '') this.facts.assigns.push({ target, line, value: { kind: 'name', value: name } });
      }
    }
  }

  private assignFact(node: Node, ctx: WalkContext): void {
    const left = node.childForFieldName('left');
    if (!left) return;
    const leftType = left.type;
    if (leftType !== 'identifier' && leftType !== 'attribute') return;
    const target = dottedNameOfType(left, leftType);
    if (target === '') return;
    const right = node.childForFieldName('right');
    if (!right) return;
    const rightType = right.type;
    // A call that is the value (also under `await`) is visited next (document order, parents
    // first) and takes its assignment target from here, which is cheaper than asking each call
    // for its parent (that descends from the root).
    if (rightType === 'call') this.assignedCalls.set(right.id, target);
    else if (rightType === 'await') {
      for (const ch of right.namedChildren) if (ch?.type === 'call') this.assignedCalls.set(ch.id, target);
    } else if (rightType === 'binary_operator' || rightType === 'parenthesized_expression') {
      this.pipeChain(right, target, node.startPosition.row + 1);
      return;
    } else if (rightType === 'list_comprehension') {
      this.comprehension(right, target, ctx);
      return;
    }
    // Only literals and calls matter (credentials, model names, constructors); calls are
    // recorded by the walk itself with their assignment target.
    let value: ArgValue;
    if (rightType === 'string' || rightType === 'concatenated_string')
      value = this.argValueOfType(right, rightType, noCtx);
    else if (rightType === 'true' || rightType === 'false' || rightType === 'integer')
      value = this.argValueOfType(right, rightType, noCtx);
    else if (rightType === 'list' || rightType === 'tuple' || rightType === 'dictionary')
      value = this.argValueOfType(right, rightType, noCtx);
    else return;
    this.facts.assigns.push({ target, line: node.startPosition.row + 1, value } satisfies AssignFact);
  }

  /**
   * `agents = [Agent(**spec) for spec in AGENT_SPECS]`: the element call is bound to `agents`
   * and runs once per item of what the comprehension's single `for` runs over.
   */
  private comprehension(node: Node, target: string, ctx: WalkContext): void {
    const body = node.childForFieldName('body');
    if (body?.type !== 'call') return;
    const clauses = node.namedChildren.filter((c) => c?.type === 'for_in_clause' || c?.type === 'if_clause');
    const only = clauses.length === 1 ? clauses[0] : null;
    const own = only?.type === 'for_in_clause' ? iterableOf(only.childForFieldName('right')) : null;
    const enclosing = ctx.inLoop ? ctx.loopOver : [];
    this.assignedCalls.set(body.id, target);
    this.comprehensionCalls.set(body.id, own === null || enclosing === null ? null : [...enclosing, own]);
  }

  /** `agents.append(<call>)`: the call's result goes into the list `agents`. */
  private noteAppended(node: Node, callee: string): void {
    const args = node.childForFieldName('arguments')?.namedChildren ?? [];
    const first = args[0];
    if (args.length === 1 && first?.type === 'call')
      this.appendedCalls.set(first.id, callee.slice(0, -'.append'.length));
  }

  private dynamicImport(call: CallFact): void {
    const q = call.qualified;
    if (q !== 'importlib.import_module' && q !== '__import__' && call.callee !== '__import__') return;
    const first = call.args[0];
    if (first?.kind !== 'str') return;
    this.facts.imports.push({ module: first.value, names: [], alias: null, line: call.line, dynamic: true });
  }

  private envCall(call: CallFact): void {
    const q = call.qualified;
    if (q !== 'os.getenv' && q !== 'os.environ.get' && q !== 'os.environ.setdefault') return;
    const first = call.args[0];
    if (first?.kind !== 'str') return;
    const second = call.args[1] ?? call.kwargs.get('default');
    const env: EnvRef = {
      name: first.value,
      line: call.line,
      defaultValue: second?.kind === 'str' ? second.value : null,
    };
    this.facts.envRefs.push(env);
  }
}

/** Methods that call a model when their receiver is an LLM client (`llm.invoke(...)`). */
export const LLM_INVOKE_METHODS: ReadonlySet<string> = new Set([
  'invoke',
  'ainvoke',
  'stream',
  'astream',
  'batch',
  'abatch',
  'generate',
  'agenerate',
  'predict',
  'apredict',
  'complete',
  'acomplete',
  'chat',
  'achat',
  'run',
  'generate_content',
]);

/** Methods whose calls detectors and rules read, whatever the receiver. */
const KEPT_METHODS = new Set([
  ...LLM_INVOKE_METHODS,
  'run_sync',
  'arun',
  'add_node',
  'add_edge',
  'add_conditional_edges',
  'compile',
  'bind_tools',
  'with_structured_output',
  'bind',
  'put',
  'aput',
  'add',
  'create',
  'from_tools',
  'from_llm',
  'from_defaults',
  'from_function',
  'from_conn_string',
  'from_tools_or_functions',
  'get_state_history',
  'update_state',
  'kickoff',
  'initiate_chat',
  'with_config',
  'from_space',
  'from_langchain',
  'from_mcp',
  'from_agent_and_tools',
  'from_pretrained',
  'from_chain_type',
]);
/** Standard and data libraries whose calls no detector or rule reads. */
const NOISE_ROOTS = new Set([
  'json',
  're',
  'math',
  'typing',
  'dataclasses',
  'datetime',
  'time',
  'logging',
  'collections',
  'itertools',
  'functools',
  'pathlib',
  'random',
  'uuid',
  'hashlib',
  'base64',
  'copy',
  'string',
  'textwrap',
  'enum',
  'abc',
  'sys',
  'argparse',
  'csv',
  'operator',
  'statistics',
  'pprint',
  'inspect',
  'warnings',
  'traceback',
  'np',
  'numpy',
  'pd',
  'pandas',
  'plt',
  'matplotlib',
  'torch',
  'tf',
  'st',
  'streamlit',
  'gr',
  'gradio',
]);
/** A call that may be an agent factory appended to a list: `make_agent(…)`, `self.writer(…)`. */
const FACTORY_CALLEE = /^(?:self\.)?[A-Za-z_][A-Za-z0-9_]*$/;
const KEPT_BUILTINS = new Set(['eval', 'exec', 'input', '__import__', 'interrupt']);

/**
 * Whether a call is kept in the facts: calls through an imported name, class instantiations
 * (capitalised), a few builtins, and the methods detectors look for. Keeps memory bounded on
 * large repositories; every call still counts for helper resolution through `calledNames`.
 */
function isKeptCall(call: CallFact, imported: boolean): boolean {
  return keepsCall(call.callee, call.qualified, imported);
}

function keepsCall(callee: string, qualified: string, imported: boolean): boolean {
  if (callee === '') return false;
  if (imported) {
    const m = /[.(]/.exec(qualified);
    const root = m ? qualified.slice(0, m.index) : qualified;
    return !NOISE_ROOTS.has(root) && !qualified.startsWith('os.path.');
  }
  const dot = callee.lastIndexOf('.');
  const last = dot === -1 ? callee : callee.slice(dot + 1);
  if (KEPT_BUILTINS.has(callee) || KEPT_METHODS.has(last)) return true;
  const first = last.charCodeAt(0);
  return first >= 65 && first <= 90;
}

/** What the outline of a file (test code) is read from. */
const OUTLINE_TYPES = [
  'import_statement',
  'import_from_statement',
  'function_definition',
  'class_definition',
];

const VISITED_TYPES = [
  'decorated_definition',
  'import_statement',
  'import_from_statement',
  'call',
  'function_definition',
  'class_definition',
  'try_statement',
  'except_clause',
  'while_statement',
  'for_statement',
  'assignment',
];

const ENVIRON_SUBSCRIPT = /\b(os\.)?environ\[\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*\]/g;

interface Scope {
  end: number;
  kind: 'fn' | 'cls' | 'try' | 'loop';
  name: string;
  /** A loop's iterables with those of the loops around it (`WalkContext.loopOver`). */
  over?: LoopIterable[] | null;
}

const LITERAL_SEQUENCES = new Set(['list', 'tuple', 'set', 'dictionary']);

/** The iterables of a `for` loop and of the loops of the same function around it. */
function nestedLoop(ctx: WalkContext, forNode: Node): LoopIterable[] | null {
  const enclosing = ctx.inLoop ? ctx.loopOver : [];
  const own = iterableOf(forNode.childForFieldName('right'));
  return enclosing === null || own === null ? null : [...enclosing, own];
}

const DICT_VIEWS = new Set(['items', 'keys', 'values']);

/**
 * What a loop runs over when that is known without running anything: a literal's length,
 * `range(N)`, or a variable (`AGENT_SPECS`, `config.NAMES`), also through `enumerate(…)`,
 * `range(len(…))` and a dict's `.items()`/`.keys()`/`.values()`. Null otherwise.
 */
function iterableOf(right: Node | null, depth = 0): LoopIterable | null {
  if (!right || depth > 2) return null;
  const type = right.type;
  if (LITERAL_SEQUENCES.has(type)) return right.namedChildren.filter((c) => c?.type !== 'comment').length;
  if (type === 'identifier' || type === 'attribute') {
    const name = dottedNameOfType(right, type);
    return name === '' || name.startsWith('self.') ? null : name;
  }
  if (type !== 'call') return null;
  const fnNode = right.childForFieldName('function');
  const args = (right.childForFieldName('arguments')?.namedChildren ?? []).filter(
    (c) => c?.type !== 'comment',
  );
  const callee = fnNode ? dottedName(fnNode) : '';
  const first = args.length === 1 ? (args[0] ?? null) : null;
  if (callee === 'enumerate') return iterableOf(first, depth + 1);
  if (callee === 'range' && first?.type === 'integer') {
    const n = Number(first.text);
    return Number.isSafeInteger(n) && n >= 0 && n <= 1000 ? n : null;
  }
  if (callee === 'range' && first?.type === 'call' && first.childForFieldName('function')?.text === 'len') {
    const inner = (first.childForFieldName('arguments')?.namedChildren ?? []).filter(
      (c) => c?.type !== 'comment',
    );
    return inner.length === 1 ? iterableOf(inner[0] ?? null, depth + 1) : null;
  }
  if (
    args.length === 0 &&
    fnNode?.type === 'attribute' &&
    DICT_VIEWS.has(fnNode.childForFieldName('attribute')?.text ?? '')
  )
    return iterableOf(fnNode.childForFieldName('object'), depth + 1);
  return null;
}

/** The context of a node from the scopes enclosing it (innermost last). */
function contextOf(scopes: readonly Scope[]): WalkContext {
  let fn: string | null = null;
  let cls: string | null = null;
  let inTry = false;
  let inLoop = false;
  let loopOver: LoopIterable[] | null = null;
  let inDef = false;
  for (let i = scopes.length - 1; i >= 0; i--) {
    const s = scopes[i] as Scope;
    if (s.kind === 'try' && !inDef) inTry = true;
    else if (s.kind === 'loop' && !inDef) {
      // The innermost loop's iterables include those of the loops around it.
      if (!inLoop) loopOver = s.over ?? null;
      inLoop = true;
    } else if (s.kind === 'fn' && !inDef) {
      fn = s.name;
      inDef = true;
    } else if (s.kind === 'cls') {
      if (!inDef) inDef = true;
      cls ??= s.name;
    }
  }
  return { fn, cls, inTry, inLoop, loopOver };
}

const noCtx: WalkContext = { fn: null, cls: null, inTry: false, inLoop: false, loopOver: null };

/** `a.b.c` for identifier/attribute chains; `f().x` keeps the call as `f().x`; `` otherwise. */
export function dottedName(n: Node): string {
  return dottedNameOfType(n, n.type);
}

/** `dottedName` of a node whose type was already read (each read is a call into WASM). */
function dottedNameOfType(n: Node, type: string): string {
  if (type === 'identifier') return n.text.slice(0, MAX_NAME_CHARS);
  if (type === 'attribute') {
    const obj = n.childForFieldName('object');
    const attr = n.childForFieldName('attribute')?.text ?? '';
    if (!obj) return attr;
    const objType = obj.type;
    let head: string;
    if (objType === 'call') {
      const f = obj.childForFieldName('function');
      head = f ? `${dottedName(f)}()` : '';
    } else head = dottedNameOfType(obj, objType);
    return head === '' ? '' : `${head}.${attr}`.slice(0, MAX_NAME_CHARS);
  }
  return '';
}

function stringValue(n: Node): ArgValue {
  return stringValueOfType(n, n.type);
}

function stringValueOfType(n: Node, type: string): ArgValue {
  if (type !== 'string') return { kind: 'other' };
  let value = '';
  for (const ch of n.namedChildren) {
    if (!ch) continue;
    const chType = ch.type;
    if (chType === 'interpolation') return { kind: 'other' };
    if (chType === 'string_content') value += ch.text;
  }
  return { kind: 'str', value };
}

/** Words that are not an `identifier` node where they stand (keywords, literals). */
const NOT_IDENTIFIERS = new Set(
  'False None True and as assert async await break class continue def del elif else except exec finally for from global if import in is lambda match nonlocal not or pass print raise return try type while with yield'.split(
    ' ',
  ),
);
const LONGEST_NOT_IDENTIFIER = 8;

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isNamePart(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

/**
 * The dotted callee of a call read from the source, without walking its function node: when the
 * call's text starts with ASCII names joined by dots immediately followed by `(`, and the call is
 * the innermost one starting there, its function is that identifier/attribute chain. Null when
 * the text has anything else (spaces, comments, subscripts, other scripts, keywords) — the tree
 * decides then.
 */
function plainCallee(source: string, start: number): string | null {
  let i = start;
  for (;;) {
    const partStart = i;
    if (!isNameStart(source.charCodeAt(i))) return null;
    i++;
    while (isNamePart(source.charCodeAt(i))) i++;
    if (i - partStart <= LONGEST_NOT_IDENTIFIER && NOT_IDENTIFIERS.has(source.slice(partStart, i)))
      return null;
    const next = source.charCodeAt(i);
    if (next === 40) return source.slice(start, Math.min(i, start + MAX_NAME_CHARS)); // (
    if (next !== 46) return null; // .
    i++;
  }
}

function swallows(node: Node): boolean {
  const block = node.namedChildren.find((x) => x?.type === 'block');
  if (!block) return false;
  const stmts = block.namedChildren.filter((x) => x !== null && x.type !== 'comment');
  if (stmts.length !== 1) return false;
  const only = stmts[0] as Node;
  const type = only.type;
  return type === 'pass_statement' || (type === 'expression_statement' && only.text === '...');
}
