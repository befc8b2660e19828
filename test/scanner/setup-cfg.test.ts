import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSetupCfg } from '../../src/scanner/deps/setup-cfg.js';
import { scanRepository } from '../../src/scanner/index.js';
import { writeTree } from './helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'stratum-setup-cfg-'));
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
