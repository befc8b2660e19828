import { describe, expect, it } from 'vitest';
import { CREW_HEAD, findingsOf, LC_HEAD } from './rule-findings.js';

type Tree = Record<string, string>;

const FM_IMPORT = 'from langchain_community.agent_toolkits import FileManagementToolkit\n';
const CREW_AGENT = (role: string, tools: string, extra = '') =>
  `Agent(role="${role}", goal="g", backstory="b", tools=[${tools}], max_iter=2${extra})`;

/**
 * Small repositories and every security finding a user sees for each: rule id → instances
 * (`file:line`) and blast radius. A rule missing from the expectation must not fire.
 */
const CASES: { name: string; tree: Tree; sec: Record<string, { at: string[]; agents: number }> }[] = [
  {
    name: 'SEC-001: an e-mail tool reads untrusted text and a chat tool sends it on',
    tree: {
      'a.py': `${CREW_HEAD}from langchain_community.agent_toolkits import GmailToolkit, SlackToolkit\ng = GmailToolkit()\ns = SlackToolkit()\nr = ${CREW_AGENT('r', 'g, s')}\n`,
    },
    sec: { 'SEC-001': { at: ['a.py:5'], agents: 1 } },
  },
  {
    name: 'SEC-001: a file read flowing to the web is not untrusted input',
    tree: {
      'a.py': `${CREW_HEAD}from crewai_tools import FileReadTool, ScrapeWebsiteTool\nf = FileReadTool()\nw = ScrapeWebsiteTool()\nr = ${CREW_AGENT('r', 'f, w')}\n`,
    },
    sec: {},
  },
  {
    name: 'SEC-001: one instance per exposed agent, each at its own definition',
    tree: {
      'a.py': `${CREW_HEAD}from crewai_tools import SerperDevTool, ScrapeWebsiteTool\ns = SerperDevTool()\nw = ScrapeWebsiteTool()\nr = ${CREW_AGENT('r', 's, w')}\nq = ${CREW_AGENT('q', 's, w')}\n`,
    },
    sec: { 'SEC-001': { at: ['a.py:5', 'a.py:6'], agents: 2 } },
  },
  {
    name: 'SEC-001: search results handed over to an agent that scrapes are reported at the receiver',
    tree: {
      'a.py': `${CREW_HEAD}from crewai_tools import SerperDevTool, ScrapeWebsiteTool\nr = ${CREW_AGENT('r', 'SerperDevTool()')}\nq = ${CREW_AGENT('q', 'ScrapeWebsiteTool()')}\nt1 = Task(description="d", expected_output="o", agent=r)\nt2 = Task(description="d", expected_output="o", agent=q, context=[t1])\ncrew = Crew(agents=[r, q], tasks=[t1, t2])\n`,
    },
    sec: { 'SEC-001': { at: ['a.py:4'], agents: 2 } },
  },
  {
    name: 'SEC-001: untrusted input reaching a file writer is SEC-002’s, not an exfiltration path',
    tree: {
      'a.py': `${CREW_HEAD}from crewai_tools import SerperDevTool, FileWriterTool\nr = ${CREW_AGENT('r', 'SerperDevTool(), FileWriterTool(directory="o")')}\n`,
    },
    sec: { 'SEC-002': { at: ['a.py:3'], agents: 1 } },
  },
  {
    name: 'SEC-002: only the agent holding the destructive tool',
    tree: {
      'a.py': `${CREW_HEAD}from crewai_tools import FileWriterTool, SerperDevTool\nr = ${CREW_AGENT('r', 'FileWriterTool(directory="o")')}\nq = ${CREW_AGENT('q', 'SerperDevTool()')}\n`,
    },
    sec: { 'SEC-002': { at: ['a.py:3'], agents: 1 } },
  },
  {
    name: 'SEC-002/014: an agent with human input on its own definition is approved',
    tree: {
      'a.py': `${CREW_HEAD}from crewai_tools import FileWriterTool, StripeTools\nr = ${CREW_AGENT('r', 'FileWriterTool(directory="o"), StripeTools()', ', human_input=True')}\n`,
    },
    sec: {},
  },
  {
    name: 'SEC-003: only the code-executing agent; SEC-005 for its opt-in flag',
    tree: {
      'a.py': `${CREW_HEAD}r = Agent(role="r", goal="g", backstory="b", allow_code_execution=True, max_iter=2)\nq = Agent(role="q", goal="g", backstory="b", max_iter=2)\n`,
    },
    sec: { 'SEC-003': { at: ['a.py:2'], agents: 1 }, 'SEC-005': { at: ['a.py:2'], agents: 2 } },
  },
  {
    name: 'SEC-003: human approval anywhere silences it, not the opt-in flag',
    tree: {
      'a.py': `${CREW_HEAD}r = Agent(role="r", goal="g", backstory="b", allow_code_execution=True, max_iter=2)\nt = Task(description="d", expected_output="o", agent=r, human_input=True)\n`,
    },
    sec: { 'SEC-005': { at: ['a.py:2'], agents: 1 } },
  },
  {
    name: 'SEC-004: load_tools "terminal" and "python_repl", and a REPL tool class',
    tree: {
      'a.py': `${LC_HEAD}from langchain.agents import load_tools\nshell = load_tools(["terminal"])\n`,
      'b.py': `${LC_HEAD}from langchain.agents import load_tools\nrepl = load_tools(["python_repl"])\n`,
      'c.py': `${LC_HEAD}from langchain_experimental.tools import PythonREPLTool\nrepl = PythonREPLTool()\n`,
    },
    sec: { 'SEC-004': { at: ['a.py:4', 'b.py:4', 'c.py:4'], agents: 1 } },
  },
  {
    name: 'SEC-008: a committed .env with values, reported at its first line',
    tree: { 'a.py': CREW_HEAD, 'config/.env': 'OPENAI_API_KEY=abc123def456ghi789\n' },
    sec: { 'SEC-008': { at: ['config/.env:1'], agents: 1 } },
  },
  {
    name: 'SEC-009/010: a local server without auth and a pinned remote one with a token are fine',
    tree: {
      'a.py': CREW_HEAD,
      'mcp.json':
        '{"mcpServers":{"local":{"command":"npx","args":["-y","@acme/mcp@1.2.3"]},"remote":{"url":"https://x.invalid/sse","headers":{"Authorization":"Bearer t"}}}}',
    },
    sec: {},
  },
  {
    name: 'SEC-010 but not SEC-009: an unpinned local server needs no auth',
    tree: {
      'a.py': CREW_HEAD,
      'mcp.json': '{"mcpServers":{"x":{"command":"npx","args":["-y","@acme/mcp"]}}}',
    },
    sec: { 'SEC-010': { at: ['mcp.json:1'], agents: 1 } },
  },
  {
    name: 'SEC-014: a rate limit or a guardrail tied to no agent is no validation, and a task human input is not the agent’s',
    tree: {
      'a.py': `${CREW_HEAD}from crewai_tools import StripeTools\nr = ${CREW_AGENT('r', 'StripeTools()', ', max_rpm=5')}\nt = Task(description="d", expected_output="o", guardrail=lambda x: (True, x))\n`,
    },
    sec: { 'SEC-014': { at: ['a.py:3'], agents: 1 } },
  },
  {
    name: 'SEC-014: only the agent holding the payment tool',
    tree: {
      'a.py': `${CREW_HEAD}from crewai_tools import StripeTools, FileReadTool\nr = ${CREW_AGENT('r', 'FileReadTool()')}\nq = ${CREW_AGENT('q', 'StripeTools()')}\n`,
    },
    sec: { 'SEC-014': { at: ['a.py:4'], agents: 1 } },
  },
  {
    name: 'SEC-015: a TOKEN read, reported at its line',
    tree: { 'a.py': `${CREW_HEAD}import os\nx = 1\nkey = os.getenv("GITHUB_TOKEN")\n` },
    sec: { 'SEC-015': { at: ['a.py:4'], agents: 1 } },
  },
  {
    name: 'SEC-015: a SECRET read',
    tree: { 'a.py': `${CREW_HEAD}import os\nkey = os.environ["CLIENT_SECRET"]\n` },
    sec: { 'SEC-015': { at: ['a.py:3'], agents: 1 } },
  },
  {
    name: 'SEC-015: a PASSWORD read',
    tree: { 'a.py': `${CREW_HEAD}import os\nkey = os.environ.get("DB_PASSWORD")\n` },
    sec: { 'SEC-015': { at: ['a.py:3'], agents: 1 } },
  },
  {
    name: 'SEC-015: a variable that names no secret',
    tree: { 'a.py': `${CREW_HEAD}import os\nkey = os.environ.get("MODEL_NAME")\n` },
    sec: {},
  },
  {
    name: 'SEC-015: the first secret read, in the first file by name',
    tree: {
      'b.py': `${CREW_HEAD}import os\n\n\nkey = os.getenv("SERPER_API_KEY")\n`,
      'a.py': 'import os\nname = os.getenv("MODEL_NAME")\nkey = os.getenv("SERPER_API_KEY")\n',
    },
    sec: { 'SEC-015': { at: ['a.py:3'], agents: 1 } },
  },
  {
    name: 'SEC-015: at the line of the read in the file that makes it, not the first file',
    tree: { 'a.py': CREW_HEAD, 'b.py': 'import os\n\nkey = os.getenv("OPENAI_API_KEY")\n' },
    sec: { 'SEC-015': { at: ['b.py:3'], agents: 1 } },
  },
  {
    name: 'SEC-016: every unconfined file-writing class, under any import path',
    tree: {
      'a.py': `${CREW_HEAD}from crewai_tools import FileWriterTool\nfrom agno.tools.file import FileTools\nfrom x import LocalFileSystemTools, WriteFileTool\nw = FileWriterTool()\nf = FileTools()\nl = LocalFileSystemTools()\nv = WriteFileTool()\n`,
      'b.py': `${LC_HEAD}import langchain_community.agent_toolkits as tk\nx = tk.FileManagementToolkit()\n`,
    },
    sec: { 'SEC-016': { at: ['a.py:5', 'a.py:6', 'a.py:7', 'a.py:8', 'b.py:4'], agents: 1 } },
  },
  {
    name: 'SEC-016: each root keyword confines a tool',
    tree: {
      'a.py': `${LC_HEAD}${FM_IMPORT}from x import FileTools, LocalFileSystemTools, WriteFileTool\na = FileManagementToolkit(base_dir="w")\nb = FileTools(directory="w")\nc = LocalFileSystemTools(target_directory="w")\nd = WriteFileTool(root_dir="w")\n`,
    },
    sec: {},
  },
  {
    name: 'SEC-016: not in tests',
    tree: { 'a.py': LC_HEAD, 'tests/test_files.py': `${FM_IMPORT}tk = FileManagementToolkit()\n` },
    sec: {},
  },
];

describe('security rules: findings on small repositories', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      expect(await findingsOf(c.tree, 'SEC-')).toEqual(c.sec);
    });
  }
});
