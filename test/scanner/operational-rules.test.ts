import { describe, expect, it } from 'vitest';
import { CREW_HEAD, findingsOf, LC_HEAD } from './rule-findings.js';

type Tree = Record<string, string>;

/** A CrewAI agent named `name`, bounded unless `extra` says otherwise. */
const agent = (name: string, extra = ', max_iter=1') =>
  `${name} = Agent(role="${name}", goal="g", backstory="b"${extra})\n`;
/** Pins CrewAI, so OPS-012 stays out of the cases about other rules. */
const PINNED = {
  'requirements.txt': 'crewai==0.80.0\nlangchain==0.3.1\nlangchain-openai==0.2.0\nlanggraph==0.2.0\n',
};

/**
 * Small repositories and every operational finding a user sees for each: rule id → instances
 * (`file:line`) and blast radius. A rule missing from the expectation must not fire.
 */
const CASES: { name: string; tree: Tree; ops: Record<string, { at: string[]; agents: number }> }[] = [
  {
    name: 'OPS-002/003: a model call inside try/except is no HTTP call and is handled (its client has no timeout: OPS-001)',
    tree: {
      ...PINNED,
      'a.py': `${LC_HEAD}llm = ChatOpenAI()\ntry:\n    llm.invoke("q")\nexcept Exception as e:\n    raise e\n`,
    },
    ops: { 'OPS-001': { at: ['a.py:3'], agents: 1 } },
  },
  {
    name: 'OPS-002: an HTTP call without a timeout, handled or not, at the call',
    tree: {
      ...PINNED,
      'a.py': `${CREW_HEAD}import requests\ntry:\n    requests.get("https://x.invalid")\nexcept Exception as e:\n    raise e\n`,
    },
    ops: { 'OPS-002': { at: ['a.py:4'], agents: 1 } },
  },
  {
    name: 'OPS-004: an unbounded agent in an unbounded (hierarchical) crew: both, touching the crew',
    tree: {
      ...PINNED,
      'a.py': `${CREW_HEAD}from crewai import Process\n${agent('a', '')}${agent('b')}crew = Crew(agents=[a, b], tasks=[], process=Process.hierarchical)\n${agent('c')}`,
    },
    ops: { 'OPS-004': { at: ['a.py:3', 'a.py:5'], agents: 2 } },
  },
  {
    name: 'OPS-004: max_rpm bounds a hierarchical crew',
    tree: {
      ...PINNED,
      'a.py': `${CREW_HEAD}from crewai import Process\n${agent('a')}${agent('b')}crew = Crew(agents=[a, b], tasks=[], process=Process.hierarchical, max_rpm=3)\n`,
    },
    ops: {},
  },
  {
    name: 'OPS-004: an agent inside a bounded (sequential) crew inherits its bound',
    tree: {
      ...PINNED,
      'a.py': `${CREW_HEAD}${agent('a', '')}${agent('b')}crew = Crew(agents=[a, b], tasks=[])\n`,
    },
    ops: {},
  },
  {
    name: 'OPS-004: a LangGraph agent is bounded by its graph’s recursion limit, not by itself',
    tree: {
      ...PINNED,
      'a.py':
        'from langgraph.prebuilt import create_react_agent\nagent = create_react_agent(None, tools=[])\n',
    },
    ops: {},
  },
  {
    name: 'OPS-004: a graph without a recursion limit, at the graph',
    tree: {
      ...PINNED,
      'a.py':
        'from langgraph.graph import StateGraph\ng = StateGraph(dict)\ng.add_node("a", lambda s: s)\napp = g.compile()\n',
    },
    ops: { 'OPS-004': { at: ['a.py:2'], agents: 1 } },
  },
  {
    name: 'OPS-005: a persistent checkpointer beside the in-memory one',
    tree: {
      ...PINNED,
      'a.py':
        'from langgraph.checkpoint.memory import MemorySaver\nfrom langgraph.checkpoint.sqlite import SqliteSaver\nsaver = MemorySaver()\ns2 = SqliteSaver.from_conn_string("c.db")\n',
    },
    ops: {},
  },
  {
    name: 'OPS-009: an Ollama ":latest" tag, not in tests',
    tree: {
      ...PINNED,
      'a.py': `${LC_HEAD}llm = ChatOpenAI(model="llama3:latest", timeout=5)\n`,
      'tests/test_m.py': `${LC_HEAD}llm = ChatOpenAI(model="gpt-4o-latest", timeout=5)\n`,
    },
    ops: { 'OPS-009': { at: ['a.py:3'], agents: 1 } },
  },
  {
    name: 'OPS-009: "latest" inside a name or a tag is no alias',
    tree: {
      ...PINNED,
      'a.py': `${LC_HEAD}llm = ChatOpenAI(model="gpt-latest-preview", timeout=5)\nlocal = ChatOpenAI(model="llama3:latest-q4_0", timeout=5)\n`,
    },
    ops: {},
  },
  {
    name: 'OPS-010: a rate limiter anywhere',
    tree: {
      ...PINNED,
      'a.py': `${CREW_HEAD}from langchain_core.rate_limiters import InMemoryRateLimiter\nrl = InMemoryRateLimiter()\n${agent('a')}${agent('b')}${agent('c')}crew = Crew(agents=[a, b, c], tasks=[])\n`,
    },
    ops: {},
  },
  {
    name: 'OPS-010: only the crew of three, touching its members',
    tree: {
      ...PINNED,
      'a.py': `${CREW_HEAD}${agent('a')}${agent('b')}${agent('c')}crew = Crew(agents=[a, b, c], tasks=[])\nsmall = Crew(agents=[a, b], tasks=[])\n${agent('d')}`,
    },
    ops: { 'OPS-010': { at: ['a.py:5'], agents: 3 } },
  },
  {
    name: 'OPS-010: a guardrail of another kind is no rate limit',
    tree: {
      ...PINNED,
      'a.py': `${CREW_HEAD}${agent('a')}${agent('b')}${agent('c')}t = Task(description="d", expected_output="o", agent=a, guardrail=lambda x: (True, x))\ncrew = Crew(agents=[a, b, c], tasks=[t])\n`,
    },
    ops: { 'OPS-010': { at: ['a.py:6'], agents: 3 } },
  },
  {
    name: 'OPS-012: no requirements at all, at the first source file that imports something',
    tree: { 'a.py': 'x = 1\n', 'aa/tests/test_a.py': CREW_HEAD, 'b.py': `\n${CREW_HEAD}` },
    ops: { 'OPS-012': { at: ['b.py:1'], agents: 1 } },
  },
  {
    name: 'OPS-012: a framework imported only by tests, reported for the repository (no file)',
    tree: { 'tests/test_a.py': CREW_HEAD },
    ops: { 'OPS-012': { at: [':1'], agents: 1 } },
  },
  {
    name: 'OPS-012: a version that does not start with a digit',
    tree: { 'a.py': CREW_HEAD, 'requirements.txt': 'crewai==v0.80\n' },
    ops: { 'OPS-012': { at: ['a.py:1'], agents: 1 } },
  },
  {
    name: 'OPS-012: versions pinned by requirements and by a lockfile',
    tree: {
      'a.py': CREW_HEAD,
      'b.py': LC_HEAD,
      'requirements.txt': 'crewai==0.80.0\n',
      'poetry.lock': '[[package]]\nname = "langchain"\nversion = "0.3.1"\n',
    },
    ops: {},
  },
];

describe('operational rules: findings on small repositories', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      expect(await findingsOf(c.tree, 'OPS-')).toEqual(c.ops);
    });
  }
});
