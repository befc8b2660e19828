/**
 * A small synthetic repository that a warm scanner scans a few times before it announces itself
 * ready, so the first real repository meets compiled code (parser, fact extraction, dependency
 * readers, YAML, analysis, rules, ping) instead of a cold JIT. Written for this purpose: it has
 * the shapes real agent repositories have (several frameworks, configs, lockfiles, a notebook,
 * tests), in enough copies for V8 to optimise the hot functions. Never part of any ping.
 */

const ROLES = ['researcher', 'writer', 'reviewer', 'planner', 'analyst', 'editor'] as const;
const MODELS = ['gpt-4o-mini', 'claude-3-5-sonnet-latest', 'gemini-1.5-pro', 'llama3.1:8b'] as const;

function crewModule(i: number): string {
  const roles = ROLES.slice(i % 3, (i % 3) + 3);
  const agents = roles
    .map(
      (r) =>
        `${r} = Agent(\n    role="${r} ${i}",\n    goal="Produce the ${r} part of report ${i}",\n` +
        `    backstory="""A careful ${r}.\n    Knows the domain well.""",\n    tools=[search_tool, scrape_${i}],\n` +
        `    llm=LLM(model="${MODELS[i % MODELS.length]}", temperature=0.${i % 9}),\n    allow_delegation=${i % 2 === 0 ? 'True' : 'False'},\n    max_iter=${5 + i},\n    verbose=True,\n)\n`,
    )
    .join('\n');
  const tasks = roles
    .map(
      (r, k) =>
        `task_${r} = Task(\n    description=f"Step ${k} for {topic}",\n    expected_output="A list of findings",\n    agent=${r},\n    context=[${k > 0 ? `task_${roles[k - 1]}` : ''}],\n    human_input=${k === 2 ? 'True' : 'False'},\n)\n`,
    )
    .join('\n');
  return `import os
import json
from typing import List, Optional
from crewai import Agent, Crew, LLM, Process, Task
from crewai.tools import BaseTool, tool
from crewai_tools import SerperDevTool, ScrapeWebsiteTool

search_tool = SerperDevTool(api_key=os.environ["SERPER_API_KEY"])
scrape_${i} = ScrapeWebsiteTool()
SECRET = os.getenv("OPENAI_API_KEY", "")


@tool("save_${i}")
def save_${i}(path: str, content: str) -> str:
    """Writes the content to a file."""
    with open(path, "w") as handle:
        handle.write(content)
    return path


class Lookup${i}(BaseTool):
    name: str = "lookup_${i}"
    description: str = "Looks a record up by its id"

    def _run(self, record_id: str) -> str:
        try:
            return json.dumps({"id": record_id, "n": ${i}})
        except Exception:
            pass
        return ""


${agents}
${tasks}
crew_${i} = Crew(
    agents=[${roles.join(', ')}],
    tasks=[${roles.map((r) => `task_${r}`).join(', ')}],
    process=Process.${i % 2 === 0 ? 'sequential' : 'hierarchical'},
    memory=True,
)


def run_${i}(topic: str, retries: int = 3) -> Optional[str]:
    results: List[str] = []
    for attempt in range(retries):
        out = crew_${i}.kickoff(inputs={"topic": topic, "attempt": attempt})
        if out:
            results.append(str(out))
            break
    while True:
        answer = input("continue? ")
        if answer == "n":
            break
    return results[-1] if results else None


if __name__ == "__main__":
    print(run_${i}(os.environ.get("TOPIC", "agents")))
`;
}

function graphModule(i: number): string {
  const nodes = ['plan', 'act', 'check', 'summarise'].slice(0, 2 + (i % 3));
  return `import operator
from typing import Annotated, Literal, TypedDict
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from langchain_anthropic import ChatAnthropic
from langgraph.graph import END, START, StateGraph
from langgraph.prebuilt import ToolNode, create_react_agent
from langgraph.checkpoint.memory import MemorySaver


class State${i}(TypedDict):
    messages: Annotated[list, operator.add]
    step: int


@tool
def fetch_${i}(url: str) -> str:
    """Fetches a page."""
    import requests
    return requests.get(url, timeout=10).text


@tool
def run_shell_${i}(command: str) -> str:
    """Runs a shell command."""
    import subprocess
    return subprocess.run(command, shell=True, capture_output=True, text=True).stdout


model_${i} = ChatOpenAI(model="${MODELS[i % MODELS.length]}", temperature=0)
backup_${i} = ChatAnthropic(model="${MODELS[(i + 1) % MODELS.length]}")
tools_${i} = [fetch_${i}, run_shell_${i}]
worker_${i} = create_react_agent(model_${i}, tools_${i}, prompt="You are worker ${i}.")

${nodes
  .map(
    (n) => `
def ${n}_${i}(state: State${i}) -> dict:
    reply = model_${i}.invoke([SystemMessage(content="${n}")] + state["messages"])
    return {"messages": [reply], "step": state["step"] + 1}
`,
  )
  .join('')}

def route_${i}(state: State${i}) -> Literal["tools", "__end__"]:
    last = state["messages"][-1]
    if isinstance(last, AIMessage) and last.tool_calls:
        return "tools"
    return END


builder_${i} = StateGraph(State${i})
${nodes.map((n) => `builder_${i}.add_node("${n}", ${n}_${i})`).join('\n')}
builder_${i}.add_node("tools", ToolNode(tools_${i}))
builder_${i}.add_node("worker", worker_${i})
builder_${i}.add_edge(START, "${nodes[0]}")
${nodes
  .slice(1)
  .map((n, k) => `builder_${i}.add_edge("${nodes[k]}", "${n}")`)
  .join('\n')}
builder_${i}.add_conditional_edges("${nodes[nodes.length - 1]}", route_${i})
builder_${i}.add_edge("tools", "worker")
graph_${i} = builder_${i}.compile(checkpointer=MemorySaver())

SPECS_${i} = [
    {"name": "alpha_${i}", "prompt": "first"},
    {"name": "beta_${i}", "prompt": "second"},
]
helpers_${i} = {}
for spec in SPECS_${i}:
    helpers_${i}[spec["name"]] = create_react_agent(model_${i}, [fetch_${i}], prompt=spec["prompt"])


async def main_${i}(question: str) -> str:
    result = await graph_${i}.ainvoke({"messages": [HumanMessage(content=question)], "step": 0})
    return result["messages"][-1].content
`;
}

function mixedModule(i: number): string {
  return `import asyncio
import os
from autogen import AssistantAgent, GroupChat, GroupChatManager, UserProxyAgent
from agents import Agent as SdkAgent, Runner, function_tool
from pydantic_ai import Agent as PydanticAgent
from smolagents import CodeAgent, InferenceClientModel, tool as smol_tool
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.llms.openai import OpenAI

config_list_${i} = [{"model": "${MODELS[i % MODELS.length]}", "api_key": os.environ["OPENAI_API_KEY"]}]
assistant_${i} = AssistantAgent("assistant_${i}", llm_config={"config_list": config_list_${i}})
critic_${i} = AssistantAgent("critic_${i}", system_message="Criticise the plan", llm_config={"config_list": config_list_${i}})
user_${i} = UserProxyAgent("user_${i}", human_input_mode="NEVER", code_execution_config={"work_dir": "coding", "use_docker": False})
chat_${i} = GroupChat(agents=[user_${i}, assistant_${i}, critic_${i}], messages=[], max_round=${6 + i})
manager_${i} = GroupChatManager(groupchat=chat_${i}, llm_config={"config_list": config_list_${i}})


@function_tool
def weather_${i}(city: str) -> str:
    return f"sunny in {city}"


sdk_agent_${i} = SdkAgent(name="Helper ${i}", instructions="Answer briefly.", tools=[weather_${i}], model="${MODELS[i % MODELS.length]}")
typed_${i} = PydanticAgent("openai:${MODELS[i % MODELS.length]}", system_prompt="Be precise.")


@typed_${i}.tool_plain
def roll_${i}() -> int:
    return ${i}


@smol_tool
def add_${i}(a: int, b: int) -> int:
    """Adds two numbers.

    Args:
        a: first
        b: second
    """
    return a + b


coder_${i} = CodeAgent(tools=[add_${i}], model=InferenceClientModel(), additional_authorized_imports=["os", "subprocess"])
indexer_${i} = FunctionAgent(tools=[add_${i}], llm=OpenAI(model="${MODELS[i % MODELS.length]}"), system_prompt="Use the tools.")
agents_${i} = [SdkAgent(name=f"agent {n}", instructions=f"Role {n}") for n in ["a", "b", "c"]]


async def main_${i}() -> None:
    result = await Runner.run(sdk_agent_${i}, "What is the weather?")
    print(result.final_output)
    user_${i}.initiate_chat(manager_${i}, message="Plan a trip")
    print(coder_${i}.run("Add 2 and 3"))
    eval(os.environ.get("EXPR", "1"))


asyncio.run(main_${i}())
`;
}

function testModule(i: number): string {
  return `import pytest
from crews.crew_${i} import run_${i}


@pytest.fixture
def topic():
    return "testing"


def test_run_${i}(topic):
    assert run_${i}(topic) is not None


class TestCrew${i}:
    def test_agents(self):
        assert True
`;
}

function uvLock(): string {
  const names = [
    'crewai',
    'langchain',
    'langchain-core',
    'langgraph',
    'openai',
    'anthropic',
    'pydantic',
    'httpx',
    'requests',
    'numpy',
    'tiktoken',
    'pyyaml',
    'rich',
    'click',
    'tenacity',
    'sqlalchemy',
  ];
  const out = ['version = 1', 'revision = 2', 'requires-python = ">=3.10"', ''];
  for (let k = 0; k < names.length * 4; k++) {
    const name = k < names.length ? names[k] : `${names[k % names.length]}-extra-${k}`;
    const v = `${k % 3}.${k % 17}.${k % 5}`;
    out.push(
      '[[package]]',
      `name = "${name}"`,
      `version = "${v}"`,
      'source = { registry = "https://packages.example.org/simple" }',
      'dependencies = [',
      `    { name = "${names[(k + 1) % names.length]}" },`,
      `    { name = "${names[(k + 2) % names.length]}", marker = "python_full_version < '3.11'" },`,
      ']',
      `sdist = { url = "https://files.example.org/${name}-${v}.tar.gz", hash = "sha256:${'ab'.repeat(32)}", size = ${1000 + k} }`,
      'wheels = [',
      `    { url = "https://files.example.org/${name}-${v}-py3-none-any.whl", hash = "sha256:${'cd'.repeat(32)}", size = ${2000 + k} },`,
      `    { url = "https://files.example.org/${name}-${v}-cp311-manylinux.whl", hash = "sha256:${'ef'.repeat(32)}", size = ${3000 + k} },`,
      ']',
      '',
    );
  }
  return out.join('\n');
}

function poetryLock(): string {
  const out: string[] = [];
  for (let k = 0; k < 40; k++) {
    out.push(
      '[[package]]',
      `name = "${k === 0 ? 'crewai' : `package-${k}`}"`,
      `version = "0.${k}.1"`,
      `description = "Package number ${k}"`,
      'optional = false',
      'python-versions = ">=3.10,<4.0"',
      'files = [',
      `    {file = "package_${k}-0.${k}.1-py3-none-any.whl", hash = "sha256:${'12'.repeat(32)}"},`,
      ']',
      '',
      '[package.dependencies]',
      `pydantic = ">=2.4.2,<3.0.0"`,
      `httpx = {version = ">=0.27", optional = true}`,
      '',
      '[package.extras]',
      `dev = ["pytest (>=8.0)", "ruff"]`,
      '',
    );
  }
  out.push(
    '[metadata]',
    'lock-version = "2.0"',
    'python-versions = ">=3.10,<3.13"',
    `content-hash = "${'9'.repeat(64)}"`,
  );
  return out.join('\n');
}

function notebook(): string {
  const cell = (source: string[]) => ({
    cell_type: 'code',
    execution_count: 1,
    metadata: {},
    outputs: [],
    source,
  });
  return JSON.stringify({
    cells: [
      cell(['from langchain_openai import ChatOpenAI\n', 'llm = ChatOpenAI(model="gpt-4o")\n']),
      { cell_type: 'markdown', metadata: {}, source: ['# Notes'] },
      cell(['print(llm.invoke("hello").content)\n']),
    ],
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  });
}

/** The warm-up repository: relative path → content. */
export function warmUpCorpus(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < 6; i++) {
    files[`crews/crew_${i}.py`] = crewModule(i);
    files[`graphs/graph_${i}.py`] = graphModule(i);
    files[`apps/app_${i}/main.py`] = mixedModule(i);
    files[`tests/test_crew_${i}.py`] = testModule(i);
  }
  files['crews/__init__.py'] = '';
  files['crews/config/agents.yaml'] = ROLES.map(
    (r) =>
      `${r}:\n  role: >\n    ${r} of the team\n  goal: Do the ${r} work\n  backstory: >\n    A seasoned ${r}.\n  llm: openai/gpt-4o-mini\n`,
  ).join('\n');
  files['crews/config/tasks.yaml'] = ROLES.map(
    (r) =>
      `${r}_task:\n  description: >\n    The ${r} task for {topic}\n  expected_output: A report\n  agent: ${r}\n`,
  ).join('\n');
  files['.github/workflows/ci.yml'] =
    'name: ci\non: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: pip install -e .\n      - run: pytest -q\n';
  files['docker-compose.yml'] =
    'services:\n  app:\n    build: .\n    ports: ["8000:8000"]\n    environment:\n      - OPENAI_API_KEY=$OPENAI_API_KEY\n  redis:\n    image: redis:7\n';
  files['tests/cassettes/recording.yaml'] = Array.from(
    { length: 20 },
    (_, k) =>
      `- request:\n    body: '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "q${k}"}]}'\n    headers:\n      content-type: [application/json]\n    method: POST\n    uri: https://api.example.org/v1/chat/completions\n  response:\n    status: {code: 200, message: OK}\n    body: {string: '{"id": "r${k}"}'}\n`,
  ).join('');
  files['Dockerfile'] =
    'FROM python:3.12-slim\nCOPY . /app\nRUN pip install -e /app\nCMD ["python", "-m", "crews.crew_0"]\n';
  files['.env.example'] = 'OPENAI_API_KEY=your-key-here\nSERPER_API_KEY=\nTOPIC=agents\n';
  files['.gitignore'] = '.env\n__pycache__/\n*.pyc\n.venv/\n';
  files['mcp.json'] = JSON.stringify({
    mcpServers: {
      files: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/data'] },
      remote: { url: 'https://mcp.example.org/sse', headers: { Authorization: 'Bearer $TOKEN' } },
    },
  });
  files['pyproject.toml'] =
    '[project]\nname = "warm-up-agents"\nversion = "0.1.0"\nrequires-python = ">=3.10"\ndependencies = [\n    "crewai[tools]>=0.80.0",\n    "langgraph==0.2.60",\n    "langchain-openai",\n    "pyautogen>=0.2",\n]\n\n[project.optional-dependencies]\ndev = ["pytest>=8"]\n';
  files['requirements.txt'] =
    'crewai==0.80.0\nlanggraph>=0.2\nopenai-agents\npydantic-ai==0.0.14 ; python_version >= "3.10"\nsmolagents\n';
  files['setup.py'] =
    'from setuptools import setup\n\nsetup(\n    name="warm-up-agents",\n    install_requires=["crewai>=0.80", "llama-index-core==0.12.0"],\n    extras_require={"dev": ["pytest"]},\n)\n';
  files['uv.lock'] = uvLock();
  files['apps/poetry.lock'] = poetryLock();
  files['notebooks/explore.ipynb'] = notebook();
  return files;
}
