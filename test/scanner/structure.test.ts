import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanRepository } from '../../src/scanner/index.js';
import { writeTree } from './helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'stratum-structure-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function scan(name: string, files: Record<string, string>): Promise<Record<string, unknown>> {
  const dir = path.join(tmp, name);
  writeTree(dir, files);
  return (await scanRepository(dir)) as Record<string, unknown>;
}

describe('structure across modules', () => {
  it('a crew gets the agents that factory functions of another module build', async () => {
    const ping = await scan('crew-factories', {
      'team/agents.py':
        'from crewai import Agent\n\ndef make_writer():\n    return Agent(role="Writer", goal="g", backstory="b")\n\ndef make_editor():\n    return Agent(role="Editor", goal="g", backstory="b")\n',
      'team/crew.py':
        'from crewai import Crew, Task\nfrom team.agents import make_writer, make_editor\nwriter = make_writer()\neditor = make_editor()\ncrew = Crew(agents=[writer, editor], tasks=[])\nsolo = Crew(tasks=[Task(description="d", expected_output="o", agent=writer)])\n',
    });
    expect(ping.agent_count).toBe(2);
    expect(ping.crew_size_distribution).toEqual([2, 1]);
  });

  it('a local call bound to a name is not mistaken for an agent when it builds none', async () => {
    const ping = await scan('crew-unresolved', {
      'crew.py':
        'from crewai import Agent, Crew\n\ndef load_config():\n    return {}\n\nwriter = Agent(role="w", goal="g", backstory="b")\nconfig = load_config()\ncrew = Crew(agents=[writer, config], tasks=[])\n',
    });
    expect(ping.crew_size_distribution).toEqual([1]);
  });

  it('LangGraph: one agent per node added in a loop over a literal, none for a tool node', async () => {
    const ping = await scan('graph-loop', {
      'graph.py': [
        'from langgraph.graph import StateGraph',
        'from langgraph.prebuilt import ToolNode',
        'from langchain_openai import ChatOpenAI',
        '',
        'def make_node(role):',
        '    llm = ChatOpenAI(model="gpt-4o")',
        '    def node(state):',
        '        return {"out": llm.invoke(role)}',
        '    return node',
        '',
        'g = StateGraph(dict)',
        'for name in ["plan", "research", "write"]:',
        '    g.add_node(name, make_node(name))',
        'g.add_node("tools", ToolNode([]))',
        'app = g.compile()',
        '',
      ].join('\n'),
    });
    expect(ping.agent_count).toBe(3);
    expect(ping.crew_size_distribution).toEqual([3]);
  });

  it('LangGraph: a node that runs an LCEL chain built on a model is an agent', async () => {
    const ping = await scan('graph-lcel', {
      'graph.py': [
        'from langchain_openai import ChatOpenAI',
        'from langchain_core.output_parsers import StrOutputParser',
        'from langgraph.graph import StateGraph',
        'llm = ChatOpenAI(model="gpt-4o")',
        'chain = (prompt | llm | StrOutputParser())',
        'def answer(state):',
        '    return {"out": chain.invoke(state)}',
        'def route(state):',
        '    return state',
        'g = StateGraph(dict)',
        'g.add_node("answer", answer)',
        'g.add_node("route", route)',
        'app = g.compile()',
        '',
      ].join('\n'),
    });
    expect(ping.agent_count).toBe(1);
    expect(ping.crew_size_distribution).toEqual([1]);
  });

  it('LangGraph: partial(agent_node, agent=…) nodes and a supervisor over imported prebuilt agents', async () => {
    const ping = await scan('graph-supervisor', {
      'workers.py':
        'from langgraph.prebuilt import create_react_agent\nfrom langchain_openai import ChatOpenAI\nllm = ChatOpenAI()\nresearcher = create_react_agent(llm, tools=[], name="researcher")\ncoder = create_react_agent(llm, tools=[], name="coder")\n',
      'team.py':
        'from langgraph_supervisor import create_supervisor\nfrom langchain_openai import ChatOpenAI\nfrom workers import researcher, coder\nworkflow = create_supervisor([researcher, coder], model=ChatOpenAI())\napp = workflow.compile()\n',
      'flow.py':
        'import functools\nfrom langgraph.graph import StateGraph\nfrom workers import researcher\n\ndef agent_node(state, agent, name):\n    return agent.invoke(state)\n\nresearch_node = functools.partial(agent_node, agent=researcher, name="Researcher")\ng = StateGraph(dict)\ng.add_node("Researcher", research_node)\nflow = g.compile()\n',
    });
    // researcher, coder, the supervisor, and the Researcher node of flow.py.
    expect(ping.agent_count).toBe(4);
    expect(ping.crew_size_distribution).toEqual([3, 1]);
  });

  it('a crew built in a loop over a module-level list of specs has one member per spec', async () => {
    const ping = await scan('crew-spec-loop', {
      'crew.py': [
        'from crewai import Agent, Crew, Task',
        '',
        'AGENT_SPECS = [',
        '    {"role": "Researcher", "goal": "find"},',
        '    {"role": "Writer", "goal": "write"},',
        '    {"role": "Editor", "goal": "edit"},',
        ']',
        '',
        'def build():',
        '    agents = []',
        '    for spec in AGENT_SPECS:',
        '        agents.append(Agent(role=spec["role"], goal=spec["goal"], backstory="b"))',
        '    return Crew(agents=agents, tasks=[])',
        '',
      ].join('\n'),
    });
    expect(ping.agent_count).toBe(3);
    expect(ping.crew_size_distribution).toEqual([3]);
  });

  it('a list of names imported from another module bounds the loop; a comprehension counts the same', async () => {
    const ping = await scan('autogen-imported-loop', {
      'team/config.py': 'ROLES = ("planner", "coder", "critic", "tester")\n',
      'team/chat.py': [
        'from autogen import AssistantAgent, GroupChat',
        'from team.config import ROLES',
        '',
        'agents = [AssistantAgent(name=r, llm_config={}) for r in ROLES]',
        'chat = GroupChat(agents=agents, messages=[])',
        '',
      ].join('\n'),
    });
    expect(ping.agent_count).toBe(4);
    expect(ping.crew_size_distribution).toEqual([4]);
  });

  it('LangGraph: nodes added in a loop over a module-level list, with create_react_agent in place', async () => {
    const ping = await scan('graph-names-loop', {
      'nodes.py': 'NAMES = ["search", "summarise", "review"]\n',
      'graph.py': [
        'import nodes',
        'from langgraph.graph import StateGraph',
        'from langgraph.prebuilt import create_react_agent',
        'from langchain_openai import ChatOpenAI',
        'llm = ChatOpenAI(model="gpt-4o")',
        'g = StateGraph(dict)',
        'for name in nodes.NAMES:',
        '    g.add_node(name, create_react_agent(llm, tools=[], name=name))',
        'app = g.compile()',
        '',
      ].join('\n'),
    });
    expect(ping.agent_count).toBe(3);
    expect(ping.crew_size_distribution).toEqual([3]);
  });

  it('an agent named literally, or not at all, built for each item of a list is one agent', async () => {
    const ping = await scan('crew-per-table', {
      'generate.py': [
        'from crewai import Agent, Crew, Task',
        'tables = ["ADDRESS", "CARDHOLDER"]',
        'for table in tables:',
        '    extractor = Agent(role="Extractor", goal=f"read {table}", backstory="b")',
        '    generator = Agent(role="Generator", goal=f"write {table}", backstory="b")',
        '    crew = Crew(agents=[extractor, generator], tasks=[])',
        '    crew.kickoff()',
        '    reviewer = Agent(goal=f"review {table}", backstory="b", llm="gpt-4o")',
        '',
      ].join('\n'),
    });
    expect(ping.agent_count).toBe(3);
    expect(ping.crew_size_distribution).toEqual([2]);
  });

  it('a loop over data that is not literal still counts once', async () => {
    const ping = await scan('crew-computed-loop', {
      'crew.py': [
        'import json',
        'from crewai import Agent, Crew',
        'SPECS = json.load(open("specs.json"))',
        'GROWN = ["a"]',
        'GROWN.append(make_role())',
        'agents = []',
        'for spec in SPECS:',
        '    agents.append(Agent(role=spec["role"], goal="g", backstory="b"))',
        'others = [Agent(role=r, goal="g", backstory="b") for r in GROWN]',
        'crew = Crew(agents=agents, tasks=[])',
        '',
      ].join('\n'),
    });
    expect(ping.agent_count).toBe(2);
    expect(ping.crew_size_distribution).toEqual([1]);
  });

  it('a factory naming its agent from an argument makes one agent per call, each in its own crew', async () => {
    const ping = await scan('factory-instances', {
      'team/factory.py':
        'from crewai import Agent\n\ndef make_agent(role, goal="g"):\n    return Agent(role=role, goal=goal, backstory="b")\n',
      'team/roles.py': 'ROLES = ["researcher", "writer", "editor"]\n',
      'team/main.py': [
        'from crewai import Crew, Task',
        'from team.factory import make_agent',
        'from team.roles import ROLES',
        'team = [make_agent(r) for r in ROLES]',
        'lead = make_agent("lead")',
        'qa = make_agent("qa", goal="check")',
        'crew = Crew(agents=team, tasks=[])',
        'review = Crew(agents=[lead, qa], tasks=[Task(description="d", expected_output="o", agent=lead)])',
        '',
      ].join('\n'),
    });
    expect(ping.agent_count).toBe(5);
    expect(ping.crew_size_distribution).toEqual([3, 2]);
  });

  it('a factory appended to a list in a loop over literal specs: one agent and one member per spec', async () => {
    const ping = await scan('factory-append', {
      'crew.py': [
        'from crewai import Agent, Crew',
        'SPECS = [{"role": "a"}, {"role": "b"}]',
        'def make_agent(spec):',
        '    return Agent(role=spec["role"], goal="g", backstory="b")',
        'agents = []',
        'for s in SPECS:',
        '    agents.append(make_agent(s))',
        'crew = Crew(agents=agents, tasks=[])',
        '',
      ].join('\n'),
    });
    expect(ping.agent_count).toBe(2);
    expect(ping.crew_size_distribution).toEqual([2]);
  });

  it('AutoGen: a factory given the name positionally fills a group chat; a comprehension over range caps at 100', async () => {
    const ping = await scan('factory-autogen', {
      'chat.py': [
        'from autogen import AssistantAgent, GroupChat',
        'NAMES = ["planner", "coder", "critic", "tester"]',
        'def make(name):',
        '    return AssistantAgent(name, llm_config={"model": "gpt-4o"})',
        'members = [make(n) for n in NAMES]',
        'chat = GroupChat(agents=members, messages=[], max_round=5)',
        'crowd = [make(f"worker{i}") for i in range(500)]',
        '',
      ].join('\n'),
    });
    expect(ping.agent_count).toBe(100);
    expect(ping.crew_size_distribution).toEqual([4]);
  });

  it('factory calls written in a member list: one agent per call naming it, in the crew that lists it', async () => {
    const ping = await scan('factory-inline', {
      'app/__init__.py': '',
      'app/agents.py': [
        'from crewai import Agent',
        'def build_agent(role):',
        '    return Agent(role=role, goal="g", backstory="b")',
        'class TripAgents:',
        '    def city_agent(self):',
        '        return Agent(role="City", goal="g", backstory="b")',
        '',
      ].join('\n'),
      'app/main.py': [
        'from crewai import Agent, Crew',
        'from app.agents import build_agent, TripAgents',
        'trip = TripAgents()',
        'crew = Crew(agents=[build_agent("planner"), build_agent("booker"), trip.city_agent()], tasks=[])',
        // Two calls on one line, and an agent built in place beside them.
        'pair = Crew(agents=[build_agent(role="a"),',
        '                    Agent(role="Guide", goal="g", backstory="b")], tasks=[])',
        '',
      ].join('\n'),
    });
    // planner, booker, a (three calls of build_agent), City, Guide.
    expect(ping.agent_count).toBe(5);
    expect(ping.crew_size_distribution).toEqual([3, 2]);
  });

  it('one factory call in a member list is the factory agent itself; a call of a function that builds none is no member', async () => {
    const ping = await scan('factory-inline-single', {
      'crew.py': [
        'from crewai import Agent, Crew',
        'def build_agent(role):',
        '    return Agent(role=role, goal="g", backstory="b")',
        'def helper(name):',
        '    return name.upper()',
        'crew = Crew(agents=[build_agent("solo"), helper("x")], tasks=[])',
        '',
      ].join('\n'),
    });
    expect(ping.agent_count).toBe(1);
    expect(ping.crew_size_distribution).toEqual([1]);
  });

  it("a tool instantiated in a custom tool's run method is how it works, not another tool; a toolkit's tools count", async () => {
    const ping = await scan('tool-in-tool', {
      'tools.py': [
        'from langchain_community.tools import DuckDuckGoSearchRun, WikipediaQueryRun',
        'from langchain_core.tools import BaseTool, BaseToolkit',
        'from crewai.tools import BaseTool as CrewTool',
        'class Search(CrewTool):',
        '    name: str = "search"',
        '    def _run(self, query: str) -> str:',
        '        return DuckDuckGoSearchRun().run(query)',
        'class Lookup(BaseTool):',
        '    name: str = "lookup"',
        '    def _run(self, q: str) -> str:',
        '        return WikipediaQueryRun().run(q)',
        'class Research(BaseToolkit):',
        '    def get_tools(self):',
        '        return [DuckDuckGoSearchRun(), WikipediaQueryRun()]',
        '',
      ].join('\n'),
    });
    // Search, Lookup, and the toolkit's two tools.
    expect(ping.total_tool_count).toBe(4);
  });

  it('a factory that names its agent literally, or passes only options through, builds the same agent each time', async () => {
    const ping = await scan('factory-same-agent', {
      'agents.py': [
        'from crewai import Agent, Crew',
        'from llama_index.agent.openai import OpenAIAgent',
        'def make_writer():',
        '    return Agent(role="Writer", goal="g", backstory="b")',
        'def load_meta_agent(tools, **kwargs):',
        '    return OpenAIAgent.from_tools(tools=tools, **kwargs)',
        'w1 = make_writer()',
        'w2 = make_writer()',
        'if True:',
        '    meta = load_meta_agent([], verbose=True)',
        'else:',
        '    meta = load_meta_agent([], verbose=False)',
        'crew = Crew(agents=[w1, w2], tasks=[])',
        '',
      ].join('\n'),
    });
    expect(ping.agent_count).toBe(2);
    expect(ping.crew_size_distribution).toEqual([1]);
  });

  it('a notebook with a broken cell keeps its other cells: their agents count, the file is a parser error', async () => {
    const cell = (source: string[]) => ({ cell_type: 'code', metadata: {}, outputs: [], source });
    const notebook = JSON.stringify({
      cells: [
        cell(['from crewai import Agent, Crew\n', 'a = Agent(role="r", goal="g", backstory="b")\n']),
        cell(['res = requests.get(url) = requests.get(url)\n']),
        cell(['b = Agent(role="s", goal="g", backstory="b")\n', 'crew = Crew(agents=[a, b], tasks=[])\n']),
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    });
    const ping = await scan('notebook-broken-cell', {
      'main.py': 'print("hi")\n',
      'explore.ipynb': notebook,
    });
    expect(ping.agent_count).toBe(2);
    expect(ping.crew_size_distribution).toEqual([2]);
    expect(ping.parser_errors).toBe(1);
    expect(ping.files_scanned).toBe(1);
    expect(ping.scan_status).toBe('partial');
    const every = await scan('notebook-all-broken', {
      'main.py': 'from crewai import Agent\n',
      'x.ipynb': JSON.stringify({
        cells: [cell(['def (:\n'])],
        metadata: {},
        nbformat: 4,
        nbformat_minor: 5,
      }),
    });
    expect(every.parser_errors).toBe(1);
    expect(every.agent_count).toBe(0);
  });

  it('a framework repository is scanned for its examples; a local `agents` package is not the SDK', async () => {
    const self = await scan('sdk-itself', {
      'pyproject.toml': '[project]\nname = "openai-agents"\n',
      'src/agents/__init__.py': 'from .agent import Agent\n',
      'src/agents/agent.py': 'class Agent:\n    def clone(self):\n        return Agent()\n',
      'examples/hello.py': 'from agents import Agent, Runner\nagent = Agent(name="a")\n',
    });
    expect(self.framework_self_scan).toBe('OpenAI Agents');
    expect(self.agent_count).toBe(1);
    const local = await scan('local-agents', {
      'pyproject.toml': '[project]\nname = "my-bot"\n',
      'agents/__init__.py': 'class Agent:\n    pass\n',
      'main.py': 'from agents import Agent\nagent = Agent()\n',
    });
    expect(local.scan_status).toBe('empty');
    expect(local.framework_self_scan).toBeUndefined();
  });
});
