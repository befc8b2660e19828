import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanRepository } from '../../src/scanner/index.js';
import { loadYamlParser, parseYamlFile } from '../../src/scanner/parse/yaml-file.js';
import { writeTree } from './helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'stratum-yaml-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const AGENT = 'from crewai import Agent\na = Agent(role="r", goal="g", backstory="b")\n';
type Ping = Record<string, unknown>;

describe('YAML files', () => {
  it('one document gives its data; several (Kubernetes manifests) the list of theirs', async () => {
    await loadYamlParser();
    expect(parseYamlFile('a: 1\n')).toEqual({ a: 1 });
    expect(parseYamlFile('kind: Service\n---\nkind: Deployment\n')).toEqual([
      { kind: 'Service' },
      { kind: 'Deployment' },
    ]);
    expect(() => parseYamlFile('a: 1\n---\nb: [\n')).toThrow();
    expect(() => parseYamlFile('a: [\n---\nb: 1\n')).toThrow();
  });

  it('manifests of several documents are read, not parser errors; a broken one still is', async () => {
    const dir = path.join(tmp, 'k8s');
    writeTree(dir, {
      'agent.py': AGENT,
      'k8s/app.yaml': 'apiVersion: v1\nkind: Service\n---\napiVersion: apps/v1\nkind: Deployment\n',
    });
    const ping = (await scanRepository(dir)) as Ping;
    expect(ping.parser_errors).toBe(0);
    expect(ping.files_scanned).toBe(2);
    expect(ping.scan_status).toBe('success');
    writeTree(dir, { 'k8s/broken.yaml': 'kind: Service\n---\nkind: [Deployment\n' });
    const broken = (await scanRepository(dir)) as Ping;
    expect(broken.parser_errors).toBe(1);
    expect(broken.files_scanned).toBe(2);
  });

  it('Helm templates are YAML only once rendered: skipped, not parser errors', async () => {
    const dir = path.join(tmp, 'helm');
    writeTree(dir, {
      'agent.py': AGENT,
      'chart/Chart.yaml': 'apiVersion: v2\nname: agents\nversion: 0.1.0\n',
      'chart/templates/deployment.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  labels:\n    {{- include "agents.labels" . | nindent 4 }}\nspec:\n  replicas: {{ .Values.replicas }}\n',
      'chart/templates/_helpers.tpl': '{{- define "agents.labels" -}}\napp: agents\n{{- end }}\n',
    });
    const ping = (await scanRepository(dir)) as Ping;
    expect(ping.parser_errors).toBe(0);
    expect(ping.scan_status).toBe('success');
  });
});
