import { describe, expect, it } from 'vitest';
import { CREW_HEAD, findingsOf } from './rule-findings.js';

type Tree = Record<string, string>;

/** A CrewAI agent named `name` (bounded, so only the rule under test fires). */
const agent = (name: string, tools = '', extra = '') =>
  `${name} = Agent(role="${name}", goal="g", backstory="b", tools=[${tools}], max_iter=1${extra})\n`;
const AGENTS_HANDOFF = 'from agents import Agent\n';

/**
 * Small repositories and every architecture finding a user sees for each: rule id → instances
 * (`file:line`) and blast radius. A rule missing from the expectation must not fire.
 */
const CASES: { name: string; tree: Tree; arc: Record<string, { at: string[]; agents: number }> }[] = [
  {
    name: 'ARC-001: a tool shared by three agents, at the tool, touching those three',
    tree: {
      'a.py': `${CREW_HEAD}from crewai_tools import FileReadTool\n\nf = FileReadTool()\n${agent('a', 'f')}${agent('b', 'f')}${agent('c', 'f')}${agent('d')}`,
    },
    arc: {
      'ARC-001': { at: ['a.py:4'], agents: 3 },
      'ARC-007': { at: ['a.py:5'], agents: 4 },
    },
  },
  {
    name: 'ARC-002: crew memory with no way back, at the crew',
    tree: { 'a.py': `${CREW_HEAD}${agent('a')}crew = Crew(agents=[a], tasks=[], memory=True)\n` },
    arc: { 'ARC-002': { at: ['a.py:3'], agents: 1 } },
  },
  {
    name: 'ARC-002: state history is a rollback',
    tree: {
      'a.py': `${CREW_HEAD}${agent('a')}crew = Crew(agents=[a], tasks=[], memory=True)\napp.get_state_history(cfg)\n`,
    },
    arc: {},
  },
  {
    name: 'ARC-002: a persistent checkpointer is a rollback',
    tree: {
      'a.py': `from langgraph.checkpoint.sqlite import SqliteSaver\n${CREW_HEAD}${agent('a')}saver = SqliteSaver.from_conn_string("c.db")\ncrew = Crew(agents=[a], tasks=[], memory=True)\n`,
    },
    arc: {},
  },
  {
    name: 'ARC-002/008: a store written by two agents, at the write',
    tree: { 'a.py': `${CREW_HEAD}${agent('a')}${agent('b')}store.put(("m",), "k", {"v": 1})\n` },
    arc: {
      'ARC-002': { at: ['a.py:4'], agents: 2 },
      'ARC-007': { at: ['a.py:2'], agents: 2 },
      'ARC-008': { at: ['a.py:4'], agents: 2 },
    },
  },
  {
    name: 'ARC-008: sources returned with the answers are provenance',
    tree: {
      'a.py': `${CREW_HEAD}${agent('a')}${agent('b')}crew = Crew(agents=[a, b], tasks=[], memory=True)\nqa = RetrievalQA(return_source_documents=True)\n`,
    },
    arc: { 'ARC-002': { at: ['a.py:4'], agents: 2 }, 'ARC-007': { at: ['a.py:2'], agents: 2 } },
  },
  {
    name: 'ARC-003: a destructive tool in a two-agent system, at the agent that holds it',
    tree: {
      'a.py': `${CREW_HEAD}from crewai_tools import FileWriterTool\n${agent('a')}${agent('b', 'FileWriterTool(directory="o")')}`,
    },
    arc: { 'ARC-003': { at: ['a.py:4'], agents: 1 }, 'ARC-007': { at: ['a.py:3'], agents: 2 } },
  },
  {
    name: 'ARC-003: a mail tool',
    tree: {
      'a.py': `${CREW_HEAD}from langchain_community.agent_toolkits import GmailToolkit\n${agent('a')}${agent('b', 'GmailToolkit()')}`,
    },
    arc: { 'ARC-003': { at: ['a.py:4'], agents: 1 }, 'ARC-007': { at: ['a.py:3'], agents: 2 } },
  },
  {
    name: 'ARC-003: payment tools on both agents, at the first, touching both',
    tree: {
      'a.py': `${CREW_HEAD}from crewai_tools import StripeTools\n${agent('a', 'StripeTools()')}${agent('b', 'StripeTools()')}`,
    },
    arc: { 'ARC-003': { at: ['a.py:3'], agents: 2 }, 'ARC-007': { at: ['a.py:3'], agents: 2 } },
  },
  {
    name: 'ARC-003: code execution',
    tree: { 'a.py': `${CREW_HEAD}${agent('a')}${agent('b', '', ', allow_code_execution=True')}` },
    arc: { 'ARC-003': { at: ['a.py:3'], agents: 1 }, 'ARC-007': { at: ['a.py:2'], agents: 2 } },
  },
  {
    name: 'ARC-003: no tool with side effects',
    tree: {
      'a.py': `${CREW_HEAD}from crewai_tools import FileReadTool\n${agent('a', 'FileReadTool()')}${agent('b')}`,
    },
    arc: { 'ARC-007': { at: ['a.py:3'], agents: 2 } },
  },
  {
    name: 'ARC-003: a single agent is not a multi-agent system',
    tree: {
      'a.py': `${CREW_HEAD}from crewai_tools import FileWriterTool\n${agent('b', 'FileWriterTool(directory="o")')}`,
    },
    arc: {},
  },
  {
    name: 'ARC-003: human input on any agent',
    tree: {
      'a.py': `${CREW_HEAD}from crewai_tools import FileWriterTool\n${agent('a', '', ', human_input=True')}${agent('b', 'FileWriterTool(directory="o")')}`,
    },
    arc: { 'ARC-007': { at: ['a.py:3'], agents: 2 } },
  },
  {
    name: 'ARC-004: only the agent that delegates without a bound',
    tree: {
      'a.py': `${CREW_HEAD}a = Agent(role="a", goal="g", backstory="b", allow_delegation=True)\nb = Agent(role="b", goal="g", backstory="b")\n`,
    },
    arc: { 'ARC-004': { at: ['a.py:2'], agents: 1 }, 'ARC-007': { at: ['a.py:2'], agents: 2 } },
  },
  {
    name: 'ARC-004: a time limit bounds delegation',
    tree: {
      'a.py': `${CREW_HEAD}a = Agent(role="a", goal="g", backstory="b", allow_delegation=True, max_execution_time=4)\nb = Agent(role="b", goal="g", backstory="b", allow_delegation=False)\n`,
    },
    arc: { 'ARC-007': { at: ['a.py:2'], agents: 2 } },
  },
  {
    name: 'ARC-005: only the agent holding eight tools',
    tree: {
      'a.py': `${CREW_HEAD}from crewai_tools import SerperDevTool, ScrapeWebsiteTool, FileReadTool, DirectoryReadTool, PDFSearchTool, CSVSearchTool, TXTSearchTool, JSONSearchTool\na = Agent(role="a", goal="g", backstory="b", max_iter=1, tools=[SerperDevTool(), ScrapeWebsiteTool(), FileReadTool(), DirectoryReadTool(), PDFSearchTool(), CSVSearchTool(), TXTSearchTool(), JSONSearchTool()])\n${agent('b')}`,
    },
    arc: {
      'ARC-003': { at: ['a.py:3'], agents: 1 },
      'ARC-005': { at: ['a.py:3'], agents: 1 },
      'ARC-007': { at: ['a.py:3'], agents: 2 },
    },
  },
  {
    name: 'ARC-005: seven tools are not too many',
    tree: {
      'a.py': `${CREW_HEAD}from crewai_tools import SerperDevTool, ScrapeWebsiteTool, FileReadTool, DirectoryReadTool, PDFSearchTool, CSVSearchTool, TXTSearchTool\na = Agent(role="a", goal="g", backstory="b", max_iter=1, tools=[SerperDevTool(), ScrapeWebsiteTool(), FileReadTool(), DirectoryReadTool(), PDFSearchTool(), CSVSearchTool(), TXTSearchTool()])\n`,
    },
    arc: {},
  },
  {
    name: 'ARC-006: a crew listing an agent twice feeds it back into itself',
    tree: { 'a.py': `${CREW_HEAD}${agent('a')}${agent('b')}crew = Crew(agents=[a, b, a], tasks=[])\n` },
    arc: { 'ARC-006': { at: ['a.py:2', 'a.py:3'], agents: 2 }, 'ARC-007': { at: ['a.py:2'], agents: 2 } },
  },
  {
    name: 'ARC-006: a hand-off cycle of three, not the agent that only hands into it',
    tree: {
      'a.py': `${AGENTS_HANDOFF}a = Agent(name="a", handoffs=[b])\nb = Agent(name="b", handoffs=[c])\nc = Agent(name="c", handoffs=[a])\nd = Agent(name="d", handoffs=[a])\n`,
    },
    arc: {
      'ARC-006': { at: ['a.py:2', 'a.py:3', 'a.py:4'], agents: 3 },
      'ARC-007': { at: ['a.py:2'], agents: 4 },
    },
  },
  {
    name: 'ARC-006: a hand-off chain is no cycle',
    tree: {
      'a.py': `${AGENTS_HANDOFF}c = Agent(name="c")\nb = Agent(name="b", handoffs=[c])\na = Agent(name="a", handoffs=[b])\n`,
    },
    arc: { 'ARC-007': { at: ['a.py:2'], agents: 3 } },
  },
  {
    name: 'ARC-006: sharing a tool is no hand-over back',
    tree: {
      'a.py': `${CREW_HEAD}from crewai_tools import FileReadTool\nf = FileReadTool()\n${agent('a', 'f')}${agent('b', 'f')}crew = Crew(agents=[b, a], tasks=[])\n`,
    },
    arc: { 'ARC-007': { at: ['a.py:4'], agents: 2 } },
  },
  {
    name: 'ARC-007: tracing makes a multi-agent system observable',
    tree: { 'a.py': `${CREW_HEAD}import langfuse\n${agent('a')}${agent('b')}` },
    arc: {},
  },
];

describe('architecture rules: findings on small repositories', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      expect(await findingsOf(c.tree, 'ARC-')).toEqual(c.arc);
    });
  }
});
