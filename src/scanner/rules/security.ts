import { SHELL_TOOL_CLASSES } from '../analysis/tool-catalog.js';
import { at, type Instance, type Rule, type RuleContext } from './rule.js';

function agentsWith(ctx: RuleContext, caps: readonly string[]) {
  return ctx.analysis.agents.filter((a) =>
    // Stryker disable next-line ArrayDeclaration: a list holding a non-tool has no capability either
    (ctx.analysis.agentCapabilities.get(a.id) ?? []).some((t) => caps.includes(t.capability)),
  );
}

function noHitl(ctx: RuleContext): boolean {
  return ctx.analysis.hitlSites.length === 0;
}

export const SECURITY_RULES: readonly Rule[] = [
  {
    id: 'SEC-001',
    title: 'Untrusted input reaches an outbound tool with no filter',
    severity: 'CRITICAL',
    confidence: 'probable',
    ruleClass: 'security',
    category: 'security',
    remediation:
      'Put an output filter or approval step between content the agent reads and tools that send data out.',
    incidents: ['ECHOLEAK-2025', 'SLACK-AI-EXFIL-2024'],
    regulatory: ['EU AI Act Art. 15', 'GDPR Art. 32'],
    check(ctx) {
      const out: Instance[] = [];
      const seen = new Set<string>();
      for (const p of ctx.graph.paths) {
        if (p.controlled) continue;
        if (p.sink.capability !== 'outbound' && p.sink.capability !== 'communication') continue;
        if (p.source.trust !== 'external') continue;
        const agent = p.agents[p.agents.length - 1] as string;
        if (seen.has(agent)) continue;
        seen.add(agent);
        const def = ctx.analysis.agents.find((a) => a.id === agent);
        if (def) out.push(at(def.site, p.agents));
      }
      return out;
    },
  },
  {
    id: 'SEC-002',
    title: 'Destructive tool without human approval',
    severity: 'HIGH',
    confidence: 'confirmed',
    ruleClass: 'security',
    category: 'security',
    remediation:
      'Require human approval (interrupt, human_input, approval callback) before write/delete tools run.',
    incidents: ['REPLIT-DB-DELETE-2025'],
    regulatory: ['EU AI Act Art. 14'],
    check(ctx) {
      if (!noHitl(ctx)) return [];
      return agentsWith(ctx, ['destructive']).map((a) => at(a.site, [a.id]));
    },
  },
  {
    id: 'SEC-003',
    title: 'Code-executing capability without human approval',
    severity: 'CRITICAL',
    confidence: 'confirmed',
    ruleClass: 'security',
    category: 'security',
    remediation: 'Run generated code in a sandbox and gate execution behind human approval.',
    incidents: ['DOCKER-GORDON-2025'],
    regulatory: ['EU AI Act Art. 14', 'EU AI Act Art. 15'],
    check(ctx) {
      if (!noHitl(ctx)) return [];
      return agentsWith(ctx, ['code_execution']).map((a) => at(a.site, [a.id]));
    },
  },
  {
    id: 'SEC-004',
    title: 'Shell or REPL tool given to an agent',
    severity: 'HIGH',
    confidence: 'confirmed',
    ruleClass: 'security',
    category: 'security',
    remediation: 'Replace shell/REPL tools with narrow, purpose-built tools, or sandbox them.',
    incidents: ['DOCKER-GORDON-2025'],
    regulatory: ['EU AI Act Art. 15'],
    check(ctx) {
      return ctx.analysis.tools
        .filter(
          (t) =>
            (t.className !== undefined && SHELL_TOOL_CLASSES.has(t.className)) ||
            t.name === 'terminal' ||
            t.name === 'python_repl',
        )
        .map((t) => at(t.site));
    },
  },
  {
    id: 'SEC-005',
    title: 'Dangerous opt-in flag enabled',
    severity: 'CRITICAL',
    confidence: 'confirmed',
    ruleClass: 'security',
    category: 'security',
    remediation:
      'Remove allow_dangerous_*/allow_code_execution/use_docker=False opt-ins or isolate the process.',
    incidents: ['LANGCHAIN-PAL-RCE-2023'],
    regulatory: ['EU AI Act Art. 15'],
    check(ctx) {
      return ctx.analysis.dangerousFlags.map((f) => at(f.site));
    },
  },
  {
    id: 'SEC-006',
    title: 'eval/exec on dynamic input',
    severity: 'HIGH',
    confidence: 'probable',
    ruleClass: 'security',
    category: 'security',
    remediation:
      'Never eval/exec model output; parse structured output instead (json, pydantic, ast.literal_eval).',
    incidents: ['LANGCHAIN-PAL-RCE-2023'],
    regulatory: ['EU AI Act Art. 15'],
    check(ctx) {
      return ctx.analysis.evalExecSites.filter((s) => !s.literal).map((s) => at(s.site));
    },
  },
  {
    id: 'SEC-007',
    title: 'Hardcoded credential',
    severity: 'CRITICAL',
    confidence: 'probable',
    ruleClass: 'security',
    category: 'security',
    remediation: 'Move the credential to the environment or a secret manager and rotate it.',
    incidents: ['GITHUB-SECRET-LEAKS'],
    regulatory: ['GDPR Art. 32'],
    check(ctx) {
      return ctx.analysis.hardcodedSecretSites.map((s) => at(s));
    },
  },
  {
    id: 'SEC-008',
    title: 'Committed .env file with values',
    severity: 'HIGH',
    confidence: 'confirmed',
    ruleClass: 'security',
    category: 'security',
    remediation: 'Delete the .env from the repository, add it to .gitignore and rotate its secrets.',
    incidents: ['GITHUB-SECRET-LEAKS'],
    regulatory: ['GDPR Art. 32'],
    check(ctx) {
      return ctx.analysis.committedEnvFiles.map((file) => at({ file, line: 1 }));
    },
  },
  {
    id: 'SEC-009',
    title: 'Remote MCP server without authentication',
    severity: 'HIGH',
    confidence: 'probable',
    ruleClass: 'security',
    category: 'security',
    remediation: 'Configure an Authorization header or token for remote MCP servers.',
    incidents: ['MCP-INSPECTOR-RCE-2025'],
    regulatory: ['EU AI Act Art. 15'],
    check(ctx) {
      return ctx.analysis.mcpServers
        .filter((s) => s.transport === 'remote' && !s.hasAuth)
        .map((s) => at(s.site));
    },
  },
  {
    id: 'SEC-010',
    title: 'MCP server launched from an unpinned package',
    severity: 'MEDIUM',
    confidence: 'confirmed',
    ruleClass: 'security',
    category: 'security',
    remediation: 'Pin the MCP server package (`pkg@1.2.3`, `pkg==1.2.3`, image digest).',
    incidents: ['MCP-POSTMARK-BACKDOOR-2025'],
    regulatory: ['NIST AI RMF MAP 4.1'],
    check(ctx) {
      return ctx.analysis.mcpServers
        .filter((s) => s.transport === 'stdio' && !s.pinned)
        .map((s) => at(s.site));
    },
  },
  {
    id: 'SEC-011',
    title: 'Shell command execution (shell=True / os.system)',
    severity: 'HIGH',
    confidence: 'confirmed',
    ruleClass: 'security',
    category: 'security',
    remediation: 'Call subprocess with an argument list and shell=False.',
    incidents: [],
    regulatory: ['EU AI Act Art. 15'],
    check(ctx) {
      return ctx.analysis.shellSubprocessSites.map((s) => at(s));
    },
  },
  {
    id: 'SEC-012',
    title: 'TLS verification disabled on HTTP calls',
    severity: 'MEDIUM',
    confidence: 'confirmed',
    ruleClass: 'security',
    category: 'security',
    remediation: 'Remove verify=False; trust a CA bundle instead.',
    incidents: [],
    regulatory: ['GDPR Art. 32'],
    check(ctx) {
      return ctx.analysis.insecureHttpSites.map((s) => at(s));
    },
  },
  {
    id: 'SEC-013',
    title: 'Remote model code trusted',
    severity: 'MEDIUM',
    confidence: 'confirmed',
    ruleClass: 'security',
    category: 'security',
    remediation: 'Drop trust_remote_code=True or pin the model revision you reviewed.',
    incidents: [],
    regulatory: ['NIST AI RMF MAP 4.1'],
    check(ctx) {
      return ctx.analysis.trustRemoteCodeSites.map((s) => at(s));
    },
  },
  {
    id: 'SEC-014',
    title: 'Financial tool without validation',
    severity: 'HIGH',
    confidence: 'probable',
    ruleClass: 'security',
    category: 'business',
    remediation: 'Validate amounts and recipients (schema, limits, approval) before financial tools act.',
    incidents: [],
    regulatory: ['EU AI Act Art. 9'],
    check(ctx) {
      const validated = new Set(
        ctx.analysis.guardrails
          .filter((g) => g.agentId !== null && g.type !== 'rate_limit')
          .map((g) => g.agentId),
      );
      return agentsWith(ctx, ['financial'])
        .filter((a) => !validated.has(a.id) && !a.hitl)
        .map((a) => at(a.site, [a.id]));
    },
  },
  {
    id: 'SEC-015',
    title: '.env not ignored while the code reads environment secrets',
    severity: 'LOW',
    confidence: 'possible',
    ruleClass: 'security',
    category: 'compliance',
    remediation: 'Add .env to .gitignore.',
    incidents: ['GITHUB-SECRET-LEAKS'],
    regulatory: ['GDPR Art. 32'],
    check(ctx) {
      const a = ctx.analysis;
      if (a.hasEnvInGitignore) return [];
      const secretRefs = [...a.envRefsByName.entries()].filter(([n]) => /KEY|TOKEN|SECRET|PASSWORD/.test(n));
      if (secretRefs.length === 0) return [];
      const file = [...(secretRefs[0]?.[1] ?? [])].sort()[0] as string;
      const line =
        // Stryker disable next-line OptionalChaining: the file and the name come from that file's own env reads, so both are found
        a.inputs.python.find((f) => f.path === file)?.envRefs.find((e) => e.name === secretRefs[0]?.[0])
          ?.line ?? 1;
      return [at({ file, line })];
    },
  },
  {
    id: 'SEC-016',
    title: 'Write access to the file system without a root directory',
    severity: 'MEDIUM',
    confidence: 'probable',
    ruleClass: 'security',
    category: 'security',
    remediation: 'Confine file tools to a working directory (root_dir / base_dir).',
    incidents: [],
    regulatory: ['EU AI Act Art. 15'],
    check(ctx) {
      const out: Instance[] = [];
      for (const f of ctx.analysis.inputs.python) {
        if (f.isTest) continue;
        for (const c of f.calls) {
          const name = c.callee.slice(c.callee.lastIndexOf('.') + 1);
          if (
            [
              'FileManagementToolkit',
              'WriteFileTool',
              'FileWriterTool',
              'FileTools',
              'LocalFileSystemTools',
            ].includes(name) &&
            !c.kwargs.has('root_dir') &&
            !c.kwargs.has('base_dir') &&
            !c.kwargs.has('directory') &&
            !c.kwargs.has('target_directory')
          )
            out.push(at({ file: f.path, line: c.line }));
        }
      }
      return out;
    },
  },
];
