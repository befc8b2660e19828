import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanRepository } from '../../src/scanner/index.js';
import { RULES } from '../../src/scanner/rules/registry.js';
import { writeTree } from './helpers.js';

type Tree = Record<string, string>;

const CREW_HEAD = 'from crewai import Agent, Crew, Task\n';
const LC_HEAD = 'from langchain_openai import ChatOpenAI\nfrom langchain.agents import AgentExecutor\n';

/** One repository where the rule fires and one, as close as possible, where it does not. */
const CASES: Record<string, { fire: Tree; quiet: Tree }> = {
  'SEC-001': {
    fire: {
      'a.py': `${CREW_HEAD}from crewai_tools import SerperDevTool, ScrapeWebsiteTool\ns = SerperDevTool()\nw = ScrapeWebsiteTool()\nr = Agent(role="r", goal="g", backstory="b", tools=[s, w], max_iter=2)\n`,
    },
    quiet: {
      'a.py': `${CREW_HEAD}from crewai_tools import SerperDevTool, ScrapeWebsiteTool\nfrom pydantic import BaseModel\ns = SerperDevTool()\nw = ScrapeWebsiteTool()\nr = Agent(role="r", goal="g", backstory="b", tools=[s, w], max_iter=2)\nt = Task(description="d", expected_output="o", agent=r, guardrail=lambda x: (True, x))\n`,
    },
  },
  'SEC-002': {
    fire: {
      'a.py': `${CREW_HEAD}from crewai_tools import FileWriterTool\nr = Agent(role="r", goal="g", backstory="b", tools=[FileWriterTool(directory="out")], max_iter=2)\n`,
    },
    quiet: {
      'a.py': `${CREW_HEAD}from crewai_tools import FileWriterTool\nr = Agent(role="r", goal="g", backstory="b", tools=[FileWriterTool(directory="out")], max_iter=2)\nt = Task(description="d", expected_output="o", agent=r, human_input=True)\n`,
    },
  },
  'SEC-003': {
    fire: {
      'a.py': 'from smolagents import CodeAgent\nagent = CodeAgent(tools=[], model=None, max_steps=3)\n',
    },
    quiet: {
      'a.py':
        'from smolagents import ToolCallingAgent\nagent = ToolCallingAgent(tools=[], model=None, max_steps=3)\n',
    },
  },
  'SEC-004': {
    fire: { 'a.py': `${LC_HEAD}from langchain_community.tools import ShellTool\nshell = ShellTool()\n` },
    quiet: {
      'a.py': `${LC_HEAD}from langchain_community.tools import DuckDuckGoSearchRun\nsearch = DuckDuckGoSearchRun()\n`,
    },
  },
  'SEC-005': {
    fire: {
      'a.py': `${LC_HEAD}from langchain_experimental.agents import create_pandas_dataframe_agent\na = create_pandas_dataframe_agent(None, None, allow_dangerous_code=True)\n`,
    },
    quiet: {
      'a.py': `${LC_HEAD}from langchain_experimental.agents import create_pandas_dataframe_agent\na = create_pandas_dataframe_agent(None, None, allow_dangerous_code=False)\n`,
    },
  },
  'SEC-006': {
    fire: { 'a.py': `${LC_HEAD}def run(response):\n    return eval(response)\n` },
    quiet: {
      'a.py': `${LC_HEAD}import ast\ndef run(response):\n    return ast.literal_eval(response)\nx = eval("1 + 1")\n`,
    },
  },
  'SEC-007': {
    fire: {
      'a.py': `${LC_HEAD}llm = ChatOpenAI(api_key="sk-proj-abcdefghijklmnopqrstuvwx0123", timeout=5)\n`,
    },
    quiet: {
      'a.py': `${LC_HEAD}import os\nllm = ChatOpenAI(api_key=os.environ["OPENAI_API_KEY"], timeout=5)\n`,
    },
  },
  'SEC-008': {
    fire: { 'a.py': CREW_HEAD, '.env': 'OPENAI_API_KEY=abc123def456ghi789\n' },
    quiet: {
      'a.py': CREW_HEAD,
      '.env.example': 'OPENAI_API_KEY=abc123def456ghi789\n',
      '.env': 'OPENAI_API_KEY=\n',
    },
  },
  'SEC-009': {
    fire: { 'a.py': CREW_HEAD, 'mcp.json': '{"mcpServers":{"x":{"url":"https://x.invalid/sse"}}}' },
    quiet: {
      'a.py': CREW_HEAD,
      'mcp.json':
        '{"mcpServers":{"x":{"url":"https://x.invalid/sse","headers":{"Authorization":"Bearer t"}}}}',
    },
  },
  'SEC-010': {
    fire: {
      'a.py': CREW_HEAD,
      'mcp.json': '{"mcpServers":{"x":{"command":"npx","args":["-y","@acme/mcp"]}}}',
    },
    quiet: {
      'a.py': CREW_HEAD,
      'mcp.json': '{"mcpServers":{"x":{"command":"npx","args":["-y","@acme/mcp@1.2.3"]}}}',
    },
  },
  'SEC-011': {
    fire: {
      'a.py': `${CREW_HEAD}import subprocess\ndef run(cmd):\n    return subprocess.run(cmd, shell=True)\n`,
    },
    quiet: {
      'a.py': `${CREW_HEAD}import subprocess\ndef run(cmd):\n    return subprocess.run([cmd], shell=False)\n`,
    },
  },
  'SEC-012': {
    fire: {
      'a.py': `${CREW_HEAD}import requests\nrequests.get("https://x.invalid", verify=False, timeout=3)\n`,
    },
    quiet: { 'a.py': `${CREW_HEAD}import requests\nrequests.get("https://x.invalid", timeout=3)\n` },
  },
  'SEC-013': {
    fire: {
      'a.py': `${CREW_HEAD}from transformers import AutoModel\nm = AutoModel.from_pretrained("x/y", trust_remote_code=True)\n`,
    },
    quiet: {
      'a.py': `${CREW_HEAD}from transformers import AutoModel\nm = AutoModel.from_pretrained("x/y")\n`,
    },
  },
  'SEC-014': {
    fire: {
      'a.py': `${CREW_HEAD}from crewai_tools import StripeTools\nr = Agent(role="r", goal="g", backstory="b", tools=[StripeTools()], max_iter=2)\n`,
    },
    quiet: {
      'a.py': `${CREW_HEAD}from crewai_tools import StripeTools\nfrom pydantic import BaseModel\nr = Agent(role="r", goal="g", backstory="b", tools=[StripeTools()], max_iter=2)\nt = Task(description="d", expected_output="o", agent=r, output_pydantic=BaseModel)\n`,
    },
  },
  'SEC-015': {
    fire: { 'a.py': `${CREW_HEAD}import os\nkey = os.getenv("SERPER_API_KEY")\n` },
    quiet: { 'a.py': `${CREW_HEAD}import os\nkey = os.getenv("SERPER_API_KEY")\n`, '.gitignore': '.env\n' },
  },
  'SEC-016': {
    fire: {
      'a.py': `${LC_HEAD}from langchain_community.agent_toolkits import FileManagementToolkit\ntk = FileManagementToolkit()\n`,
    },
    quiet: {
      'a.py': `${LC_HEAD}from langchain_community.agent_toolkits import FileManagementToolkit\ntk = FileManagementToolkit(root_dir="/srv/work")\n`,
    },
  },
  'OPS-001': {
    fire: { 'a.py': `${LC_HEAD}llm = ChatOpenAI(model="gpt-4o")\n` },
    quiet: { 'a.py': `${LC_HEAD}llm = ChatOpenAI(model="gpt-4o", timeout=30)\n` },
  },
  'OPS-002': {
    fire: { 'a.py': `${CREW_HEAD}import httpx\nhttpx.post("https://x.invalid")\n` },
    quiet: { 'a.py': `${CREW_HEAD}import httpx\nhttpx.post("https://x.invalid", timeout=5)\n` },
  },
  'OPS-003': {
    fire: { 'a.py': `${LC_HEAD}llm = ChatOpenAI(timeout=5)\ndef ask(q):\n    return llm.invoke(q)\n` },
    quiet: {
      'a.py': `${LC_HEAD}llm = ChatOpenAI(timeout=5)\ndef ask(q):\n    try:\n        return llm.invoke(q)\n    except TimeoutError:\n        return None\n`,
    },
  },
  'OPS-004': {
    fire: { 'a.py': `${CREW_HEAD}r = Agent(role="r", goal="g", backstory="b")\n` },
    quiet: { 'a.py': `${CREW_HEAD}r = Agent(role="r", goal="g", backstory="b", max_iter=3)\n` },
  },
  'OPS-005': {
    fire: { 'a.py': 'from langgraph.checkpoint.memory import MemorySaver\nsaver = MemorySaver()\n' },
    quiet: {
      'a.py':
        'from langgraph.checkpoint.sqlite import SqliteSaver\nsaver = SqliteSaver.from_conn_string("c.db")\n',
    },
  },
  'OPS-006': {
    fire: { 'a.py': `${CREW_HEAD}r = Agent(role="r", goal="g", backstory="b", max_iter=2, verbose=True)\n` },
    quiet: {
      'a.py': `${CREW_HEAD}r = Agent(role="r", goal="g", backstory="b", max_iter=2, verbose=False)\n`,
    },
  },
  'OPS-007': {
    fire: { 'a.py': `${CREW_HEAD}import agentops\nagentops.init()\n` },
    quiet: { 'a.py': `${CREW_HEAD}import logging\nlogging.basicConfig()\n` },
  },
  'OPS-008': {
    fire: {
      'a.py': `${LC_HEAD}llm = ChatOpenAI(timeout=5)\ndef loop():\n    while True:\n        llm.invoke("next")\n`,
    },
    quiet: {
      'a.py': `${LC_HEAD}llm = ChatOpenAI(timeout=5)\ndef loop():\n    for _ in range(3):\n        llm.invoke("next")\n`,
    },
  },
  'OPS-009': {
    fire: { 'a.py': `${LC_HEAD}llm = ChatOpenAI(model="claude-3-5-sonnet-latest", timeout=5)\n` },
    quiet: { 'a.py': `${LC_HEAD}llm = ChatOpenAI(model="claude-3-5-sonnet-20241022", timeout=5)\n` },
  },
  'OPS-010': {
    fire: {
      'a.py': `${CREW_HEAD}a = Agent(role="a", goal="g", backstory="b", max_iter=1)\nb = Agent(role="b", goal="g", backstory="b", max_iter=1)\nc = Agent(role="c", goal="g", backstory="b", max_iter=1)\ncrew = Crew(agents=[a, b, c], tasks=[])\n`,
    },
    quiet: {
      'a.py': `${CREW_HEAD}a = Agent(role="a", goal="g", backstory="b", max_iter=1)\nb = Agent(role="b", goal="g", backstory="b", max_iter=1)\nc = Agent(role="c", goal="g", backstory="b", max_iter=1)\ncrew = Crew(agents=[a, b, c], tasks=[], max_rpm=10)\n`,
    },
  },
  'OPS-011': {
    fire: {
      'a.py': `${CREW_HEAD}r = Agent(role="r", goal="g", backstory="b", max_iter=2)\ntry:\n    r.kickoff("x")\nexcept Exception:\n    pass\n`,
    },
    quiet: {
      'a.py': `${CREW_HEAD}import logging\nr = Agent(role="r", goal="g", backstory="b", max_iter=2)\ntry:\n    r.kickoff("x")\nexcept Exception:\n    logging.exception("kickoff failed")\n`,
    },
  },
  'OPS-012': {
    fire: { 'a.py': CREW_HEAD, 'requirements.txt': 'crewai>=0.80\n' },
    quiet: { 'a.py': CREW_HEAD, 'requirements.txt': 'crewai==0.80.0\n' },
  },
  'ARC-001': {
    fire: {
      'a.py': `${CREW_HEAD}from crewai_tools import SerperDevTool\ns = SerperDevTool()\na = Agent(role="a", goal="g", backstory="b", tools=[s], max_iter=1)\nb = Agent(role="b", goal="g", backstory="b", tools=[s], max_iter=1)\nc = Agent(role="c", goal="g", backstory="b", tools=[s], max_iter=1)\n`,
    },
    quiet: {
      'a.py': `${CREW_HEAD}from crewai_tools import SerperDevTool\ns = SerperDevTool()\na = Agent(role="a", goal="g", backstory="b", tools=[s], max_iter=1)\nb = Agent(role="b", goal="g", backstory="b", tools=[s], max_iter=1)\nc = Agent(role="c", goal="g", backstory="b", max_iter=1)\n`,
    },
  },
  'ARC-002': {
    fire: { 'a.py': `${CREW_HEAD}crew = Crew(agents=[], tasks=[], memory=True)\n` },
    quiet: { 'a.py': `${CREW_HEAD}crew = Crew(agents=[], tasks=[], memory=False)\n` },
  },
  'ARC-003': {
    fire: {
      'a.py': `${CREW_HEAD}from crewai_tools import SerperDevTool\na = Agent(role="a", goal="g", backstory="b", tools=[SerperDevTool()], max_iter=1)\nb = Agent(role="b", goal="g", backstory="b", max_iter=1)\n`,
    },
    quiet: {
      'a.py': `${CREW_HEAD}from crewai_tools import SerperDevTool\na = Agent(role="a", goal="g", backstory="b", tools=[SerperDevTool()], max_iter=1)\nb = Agent(role="b", goal="g", backstory="b", max_iter=1)\nt = Task(description="d", expected_output="o", agent=b, human_input=True)\n`,
    },
  },
  'ARC-004': {
    fire: { 'a.py': `${CREW_HEAD}a = Agent(role="a", goal="g", backstory="b", allow_delegation=True)\n` },
    quiet: {
      'a.py': `${CREW_HEAD}a = Agent(role="a", goal="g", backstory="b", allow_delegation=True, max_iter=4)\n`,
    },
  },
  'ARC-005': {
    fire: {
      'a.py': `${CREW_HEAD}from crewai_tools import SerperDevTool, ScrapeWebsiteTool, FileReadTool, DirectoryReadTool, PDFSearchTool, CSVSearchTool, TXTSearchTool, JSONSearchTool\na = Agent(role="a", goal="g", backstory="b", max_iter=1, tools=[SerperDevTool(), ScrapeWebsiteTool(), FileReadTool(), DirectoryReadTool(), PDFSearchTool(), CSVSearchTool(), TXTSearchTool(), JSONSearchTool()])\n`,
    },
    quiet: {
      'a.py': `${CREW_HEAD}from crewai_tools import SerperDevTool, ScrapeWebsiteTool, FileReadTool\na = Agent(role="a", goal="g", backstory="b", max_iter=1, tools=[SerperDevTool(), ScrapeWebsiteTool(), FileReadTool()])\n`,
    },
  },
  'ARC-006': {
    fire: {
      'a.py':
        'from agents import Agent\na = Agent(name="a", handoffs=[])\nb = Agent(name="b", handoffs=[a])\na.handoffs.append(b)\nc = Agent(name="c", handoffs=[d])\nd = Agent(name="d", handoffs=[c])\n',
    },
    quiet: { 'a.py': 'from agents import Agent\nb = Agent(name="b")\na = Agent(name="a", handoffs=[b])\n' },
  },
  'ARC-007': {
    fire: {
      'a.py': `${CREW_HEAD}a = Agent(role="a", goal="g", backstory="b", max_iter=1)\nb = Agent(role="b", goal="g", backstory="b", max_iter=1)\n`,
    },
    quiet: {
      'a.py': `${CREW_HEAD}from langfuse import observe\na = Agent(role="a", goal="g", backstory="b", max_iter=1)\nb = Agent(role="b", goal="g", backstory="b", max_iter=1)\n`,
    },
  },
  'ARC-008': {
    fire: {
      'a.py': `${CREW_HEAD}a = Agent(role="a", goal="g", backstory="b", max_iter=1)\nb = Agent(role="b", goal="g", backstory="b", max_iter=1)\ncrew = Crew(agents=[a, b], tasks=[], memory=True)\n`,
    },
    quiet: {
      'a.py': `${CREW_HEAD}a = Agent(role="a", goal="g", backstory="b", max_iter=1)\ncrew = Crew(agents=[a], tasks=[], memory=True)\n`,
    },
  },
};

const tmp = mkdtempSync(path.join(os.tmpdir(), 'stratum-rules-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function rulesFired(name: string, tree: Tree): Promise<string[]> {
  const dir = path.join(tmp, name);
  writeTree(dir, tree);
  const ping = (await scanRepository(dir)) as { scan_status: string; finding_rules: string[] };
  expect(ping.scan_status).toBe('success');
  return ping.finding_rules;
}

describe('finding rules', () => {
  it('at least 25 rules with unique ids over the three classes, each fully described', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(25);
    expect(new Set(RULES.map((r) => r.ruleClass))).toEqual(
      new Set(['security', 'operational', 'architecture']),
    );
    for (const r of RULES) {
      expect(r.title.length, r.id).toBeGreaterThan(5);
      expect(r.remediation.length, r.id).toBeGreaterThan(10);
    }
  });

  it('every rule has a firing and a non-firing case', () => {
    expect(Object.keys(CASES).sort()).toEqual(RULES.map((r) => r.id).sort());
  });

  for (const [id, c] of Object.entries(CASES)) {
    it(`${id} fires on its case and not on the near miss`, async () => {
      expect(await rulesFired(`${id}-fire`, c.fire)).toContain(id);
      expect(await rulesFired(`${id}-quiet`, c.quiet)).not.toContain(id);
    });
  }
});
