import path from 'node:path';
import type { ManifestRecord } from '../core/contract/index.js';
import { repoHash } from '../core/repo-hash.js';
import { rowTimestamp } from '../core/timestamp.js';
import { writeGitRepo } from './git-repo-writer.js';

/**
 * A handful of small agent repositories written from templates, committed with real git, so
 * the demo (and end-to-end runs) exercise clone → scan → validate → audit with no network.
 */
export interface ExampleRepo {
  name: string;
  stratum: string;
  description: string;
  files: Record<string, string>;
}

export const EXAMPLE_REPOS: readonly ExampleRepo[] = [
  {
    name: 'crewai-research-crew',
    stratum: 'crewai',
    description: 'CrewAI crew with YAML agents, a search tool, Docker and CI',
    files: {
      'src/research_crew/crew.py': `from crewai import Agent, Crew, Process, Task
from crewai.project import CrewBase, agent, crew, task
from crewai_tools import SerperDevTool, FileWriterTool


@CrewBase
class ResearchCrew:
    agents_config = "config/agents.yaml"
    tasks_config = "config/tasks.yaml"

    @agent
    def researcher(self) -> Agent:
        return Agent(config=self.agents_config["researcher"], tools=[SerperDevTool()], verbose=True)

    @agent
    def writer(self) -> Agent:
        return Agent(config=self.agents_config["writer"], tools=[FileWriterTool()], allow_delegation=True)

    @task
    def research_task(self) -> Task:
        return Task(config=self.tasks_config["research_task"])

    @task
    def report_task(self) -> Task:
        return Task(config=self.tasks_config["report_task"], human_input=False)

    @crew
    def crew(self) -> Crew:
        return Crew(agents=self.agents, tasks=self.tasks, process=Process.sequential)
`,
      'src/research_crew/config/agents.yaml': `researcher:
  role: Senior researcher
  goal: Find the latest developments on {topic}
  backstory: You dig through sources and summarise them.
writer:
  role: Report writer
  goal: Write a clear report on {topic}
  backstory: You turn notes into prose.
`,
      'src/research_crew/config/tasks.yaml': `research_task:
  description: Research {topic}
  expected_output: Ten bullet points
  agent: researcher
report_task:
  description: Write the report
  expected_output: A markdown report
  agent: writer
`,
      'src/research_crew/main.py': `import os

from research_crew.crew import ResearchCrew


def run():
    topic = os.environ.get("TOPIC", "AI agents")
    ResearchCrew().crew().kickoff(inputs={"topic": topic})


if __name__ == "__main__":
    run()
`,
      'requirements.txt': 'crewai==0.86.0\ncrewai-tools==0.17.0\n',
      Dockerfile:
        'FROM python:3.12-slim\nCOPY . /app\nRUN pip install -r /app/requirements.txt\nCMD ["python", "-m", "research_crew.main"]\n',
      '.github/workflows/ci.yml':
        'name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: pytest\n',
      'tests/test_crew.py':
        'from research_crew.crew import ResearchCrew\n\n\ndef test_builds():\n    assert ResearchCrew() is not None\n',
      '.env.example': 'OPENAI_API_KEY=\nSERPER_API_KEY=\n',
      '.gitignore': '.env\n__pycache__/\n',
      'README.md': '# Research crew\n\nA CrewAI example.\n',
    },
  },
  {
    name: 'langgraph-support-bot',
    stratum: 'langgraph',
    description: 'LangGraph StateGraph with tools, a human interrupt and a memory checkpointer',
    files: {
      'app/graph.py': `from typing import TypedDict

from langchain_openai import ChatOpenAI
from langgraph.checkpoint.memory import MemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.prebuilt import ToolNode
from langgraph.types import interrupt

from app.tools import lookup_order, refund_order


class State(TypedDict):
    messages: list


llm = ChatOpenAI(model="gpt-4o-mini").bind_tools([lookup_order, refund_order])


def assistant(state: State):
    return {"messages": [llm.invoke(state["messages"])]}


def approve(state: State):
    decision = interrupt({"question": "Refund this order?"})
    return {"messages": state["messages"] + [decision]}


builder = StateGraph(State)
builder.add_node("assistant", assistant)
builder.add_node("tools", ToolNode([lookup_order, refund_order]))
builder.add_node("approve", approve)
builder.add_edge(START, "assistant")
builder.add_edge("assistant", "tools")
builder.add_edge("tools", "approve")
builder.add_edge("approve", END)
graph = builder.compile(checkpointer=MemorySaver())
`,
      'app/tools.py': `import requests
from langchain_core.tools import tool


@tool
def lookup_order(order_id: str) -> dict:
    """Look up an order."""
    return requests.get(f"https://shop.example/api/orders/{order_id}").json()


@tool
def refund_order(order_id: str) -> dict:
    """Refund an order."""
    return requests.post(f"https://shop.example/api/orders/{order_id}/refund").json()
`,
      'app/__init__.py': '',
      'pyproject.toml':
        '[project]\nname = "support-bot"\nversion = "0.1.0"\ndependencies = ["langgraph==0.2.60", "langchain-openai>=0.2", "requests"]\n',
      'uv.lock': 'version = 1\n',
      'README.md': '# Support bot\n',
    },
  },
  {
    name: 'autogen-code-team',
    stratum: 'autogen',
    description: 'AutoGen group chat with a code-executing user proxy',
    files: {
      'team.py': `import autogen

config_list = [{"model": "gpt-4o", "api_key": "sk-demo-not-a-real-key"}]

coder = autogen.AssistantAgent(name="coder", llm_config={"config_list": config_list})
reviewer = autogen.AssistantAgent(name="reviewer", llm_config={"config_list": config_list})
user_proxy = autogen.UserProxyAgent(
    name="user_proxy",
    human_input_mode="NEVER",
    code_execution_config={"work_dir": "coding", "use_docker": False},
)
group = autogen.GroupChat(agents=[user_proxy, coder, reviewer], messages=[], max_round=12)
manager = autogen.GroupChatManager(groupchat=group, llm_config={"config_list": config_list})

if __name__ == "__main__":
    user_proxy.initiate_chat(manager, message="Write and test a fibonacci function.")
`,
      'requirements.txt': 'pyautogen==0.2.35\n',
      'README.md': '# AutoGen team\n',
    },
  },
  {
    name: 'llamaindex-rag-agent',
    stratum: 'llamaindex',
    description: 'LlamaIndex ReAct agent over a query engine tool',
    files: {
      'agent.py': `from llama_index.core import SimpleDirectoryReader, VectorStoreIndex
from llama_index.core.agent import ReActAgent
from llama_index.core.tools import FunctionTool, QueryEngineTool
from llama_index.llms.openai import OpenAI


def multiply(a: int, b: int) -> int:
    return a * b


docs = SimpleDirectoryReader("data").load_data()
index = VectorStoreIndex.from_documents(docs)
tools = [
    QueryEngineTool.from_defaults(index.as_query_engine(), name="docs", description="Project docs"),
    FunctionTool.from_defaults(fn=multiply),
]
agent = ReActAgent.from_tools(tools, llm=OpenAI(model="gpt-4o-mini"), verbose=True)
`,
      'requirements.txt': 'llama-index==0.12.5\n',
      'data/notes.txt': 'Some notes.\n',
    },
  },
  {
    name: 'smolagents-web-agent',
    stratum: 'agno_smolagents_other',
    description: 'SmolAgents code agent with a managed web agent',
    files: {
      'run.py': `from smolagents import CodeAgent, DuckDuckGoSearchTool, HfApiModel, ToolCallingAgent

model = HfApiModel("Qwen/Qwen2.5-Coder-32B-Instruct")
web_agent = ToolCallingAgent(tools=[DuckDuckGoSearchTool()], model=model, name="web", description="Searches the web")
manager = CodeAgent(tools=[], model=model, managed_agents=[web_agent], additional_authorized_imports=["os", "subprocess"])

if __name__ == "__main__":
    print(manager.run("How many stars does smolagents have?"))
`,
      'requirements.txt': 'smolagents\n',
    },
  },
  {
    name: 'readme-only-agents',
    stratum: 'discovery_pool',
    description: 'Talks about LangChain agents in the README and comments only (must be empty)',
    files: {
      'README.md': '# Agents\n\nWe will use LangChain and CrewAI agents here, some day.\n',
      'util.py':
        '# from langchain.agents import initialize_agent  (not yet)\n\ndef add(a, b):\n    return a + b\n',
    },
  },
  {
    name: 'no-python-here',
    stratum: 'discovery_pool',
    description: 'A JavaScript project (must be empty / no_python)',
    files: {
      'index.js': 'console.log("hello");\n',
      'package.json': '{"name":"x","version":"1.0.0"}\n',
    },
  },
];

export interface BuiltRepo {
  repo: ExampleRepo;
  dir: string;
  headSha: string;
}

/** Writes each example repository under `root/<name>` and commits it (rebuilt each time, same commit ids). */
export async function buildExampleRepos(
  root: string,
  repos: readonly ExampleRepo[] = EXAMPLE_REPOS,
): Promise<BuiltRepo[]> {
  const built: BuiltRepo[] = [];
  for (const repo of repos) {
    const dir = path.join(root, repo.name);
    built.push({
      repo,
      dir,
      headSha: await writeGitRepo(dir, repo.files, `${repo.name}: example agent repository`),
    });
  }
  return built;
}

/** Manifest rows for built example repositories (file:// URLs: needs STRATUM_ALLOW_LOCAL_URLS). */
export function manifestFor(built: readonly BuiltRepo[], now = new Date()): ManifestRecord[] {
  return built.map(({ repo, dir, headSha }) => {
    const fullName = `demo/${repo.name}`;
    const pyBytes = Object.entries(repo.files)
      .filter(([f]) => f.endsWith('.py'))
      .reduce((a, [, c]) => a + Buffer.byteLength(c), 0);
    const totalBytes = Object.values(repo.files).reduce((a, c) => a + Buffer.byteLength(c), 0);
    return {
      repo_full_name: fullName,
      repo_url: `file://${dir}`,
      repo_hash: repoHash(fullName),
      org: 'demo',
      github_stars: 0,
      github_forks: 0,
      github_size_kb: Math.max(1, Math.ceil(totalBytes / 1024)),
      last_commit_date: '2025-07-01T12:00:00Z',
      repo_created_date: '2025-07-01T12:00:00Z',
      is_fork: false,
      fork_parent: null,
      license: null,
      github_topics: ['ai-agents'],
      primary_language: pyBytes > 0 ? 'Python' : 'JavaScript',
      language_bytes: (pyBytes > 0 ? { Python: pyBytes } : { JavaScript: totalBytes }) as Record<
        string,
        number
      >,
      default_branch: 'main',
      head_sha: headSha,
      is_archived: false,
      discovery_query: `demo:${repo.name}`,
      selection_stratum: repo.stratum,
      matched_strata: [repo.stratum],
      discovered_at: rowTimestamp(now),
    };
  });
}
