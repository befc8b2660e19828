import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSetupCfg } from '../../src/scanner/deps/setup-cfg.js';
import { setupPyRequirements } from '../../src/scanner/deps/setup-py.js';
import { scanRepository } from '../../src/scanner/index.js';
import { writeTree } from './helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'stratum-setup-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CFG = `[metadata]
name = acme-agents
version = attr: acme.__version__

[options]
packages = find:
install_requires =
    requests>=2
    # a comment line
    langchain-core==0.3.15
python_requires = >=3.10

[options.extras_require]
crew =
    crewai==0.28.8
    crewai-tools
graph = langgraph>=0.2,<0.3; pydantic-ai==0.0.14
DOCS: sphinx

[flake8]
install_requires = not-a-dependency==1.0
`;

describe('setup.cfg', () => {
  it('reads [metadata] name, install_requires and every extra, only in their sections', () => {
    const cfg = readSetupCfg(CFG);
    expect(cfg.name).toBe('acme-agents');
    expect(cfg.requirements).toEqual([
      'requests>=2',
      'langchain-core==0.3.15',
      'crewai==0.28.8',
      'crewai-tools',
      'langgraph>=0.2,<0.3',
      'pydantic-ai==0.0.14',
      'sphinx',
    ]);
  });

  it('takes keys in any case, `:` as `=`, CRLF line ends; leaves `file:` references and bad names', () => {
    const cfg = readSetupCfg(
      '[METADATA]\r\nName: x y\r\n[options]\r\nInstall_Requires: file: requirements.txt\r\n' +
        '[options.extras_require]\r\nall =\r\n    file: extra.txt\r\n    agno==1.2.3\r\n',
    );
    expect(cfg).toEqual({ name: null, requirements: ['agno==1.2.3'] });
  });

  it('a hostile file of 200,000 continuation lines is read in one pass, without a stack overflow', () => {
    const text = `[options]\ninstall_requires =\n${'    pkg-a>=1\n'.repeat(200_000)}`;
    expect(readSetupCfg(text).requirements).toHaveLength(200_000);
  });

  it("an extra's pin gives the framework's version in the ping; a root setup.cfg names the repository's own package", async () => {
    const dir = path.join(tmp, 'extras');
    writeTree(dir, {
      'setup.cfg': CFG,
      'agents/crew.py':
        'from crewai import Agent, Crew, Task\n' +
        'a = Agent(role="r", goal="g", backstory="b")\n' +
        'crew = Crew(agents=[a], tasks=[Task(description="d", expected_output="o", agent=a)])\n',
    });
    const ping = (await scanRepository(dir)) as Record<string, unknown>;
    expect(ping.framework_versions).toEqual({ CrewAI: '0.28.8' });
  });
});

describe('setup.py is Python code as well as a dependency file', () => {
  it('agents defined in it count; its requirements still give the version; a module named setup.py is read', async () => {
    const dir = path.join(tmp, 'setup-py-code');
    writeTree(dir, {
      'setup.py': [
        'from setuptools import setup',
        'from langchain.agents import AgentExecutor, create_react_agent',
        'from langchain_openai import ChatOpenAI',
        'llm = ChatOpenAI(model="gpt-4o")',
        'executor = AgentExecutor(agent=create_react_agent(llm, [], prompt=None), tools=[])',
        'setup(name="demo", install_requires=["langchain==0.3.7"])',
        '',
      ].join('\n'),
      'pkg/tracing/setup.py':
        'import subprocess\n\ndef configure():\n    subprocess.run("otel-up", shell=True)\n',
    });
    const ping = (await scanRepository(dir)) as Record<string, unknown>;
    expect(ping.agent_count).toBe(1);
    expect(ping.framework_versions).toEqual({ LangChain: '0.3.7' });
    expect((ping.repo_metadata as Record<string, unknown>).python_file_count).toBe(2);
    expect((ping.finding_instance_counts as Record<string, number>)['SEC-011']).toBe(1);
  });

  it('a setup.py that does not parse is a parser error; its requirements are read all the same', async () => {
    const dir = path.join(tmp, 'setup-py-python2');
    writeTree(dir, {
      'setup.py':
        'from setuptools import setup\ndef (:\nsetup(name="x", install_requires=["crewai==0.28.8"])\n',
      'crew.py':
        'from crewai import Agent, Crew\na = Agent(role="r", goal="g", backstory="b")\ncrew = Crew(agents=[a], tasks=[])\n',
    });
    const ping = (await scanRepository(dir)) as Record<string, unknown>;
    expect(ping.parser_errors).toBe(1);
    expect(ping.framework_versions).toEqual({ CrewAI: '0.28.8' });
    expect(ping.agent_count).toBe(1);
  });
});

describe('setup.py requirements', () => {
  it('statements before setup() end at their line: a constant, a call, a with block', () => {
    const setup = 'setup(name="demo", install_requires=["crewai==0.28.8"])\n';
    for (const before of [
      'VERSION = "1.0"\n',
      'here = os.path.abspath(os.path.dirname(__file__))\n',
      'with open("README.md") as f:\n    long_description = f.read()\n',
      'x = y  # comment\n',
    ])
      expect(setupPyRequirements(before + setup), before).toEqual(['crewai==0.28.8']);
  });

  it('a call spread over lines, comments inside it, a backslash continuation and a bound list', () => {
    const text = [
      'REQS = [',
      '    "langgraph>=0.2",  # graph',
      ']',
      'setup(',
      '    name="demo",',
      '    install_requires=REQS, \\',
      '    extras_require={"crew": ["crewai==0.28.8",',
      '                             "crewai-tools"]},',
      ')',
      '',
    ].join('\n');
    expect(setupPyRequirements(text)).toEqual(['langgraph>=0.2', 'crewai==0.28.8', 'crewai-tools']);
  });
});
