import type { ScanReport } from './scan.js';
import { printable } from './terminal-text.js';

/** The readable terminal summary of a scan (stdout without --json). */
export function formatSummary(report: ScanReport): string {
  const p = report.ping;
  const lines: string[] = [];
  lines.push(
    `stratum-scan ${printable(String(p.repo_full_name))}: ${p.scan_status}${p.failure_reason ? ` (${String(p.failure_reason)})` : ''}`,
  );
  lines.push(
    `  files: ${String(p.files_scanned)} scanned of ${String(p.files_total)}, ${String(p.parser_errors)} parser error(s), ${p.scan_duration_ms} ms`,
  );
  if (typeof p.failure_detail === 'string') lines.push(`  note: ${printable(p.failure_detail)}`);
  const a = report.analysis;
  if (!a || p.scan_status === 'empty') return `${lines.join('\n')}\n`;
  lines.push('');
  lines.push('Frameworks');
  for (const f of a.frameworks)
    lines.push(`  ${f.name}${f.version ? ` ${printable(f.version)}` : ''} — ${f.agents} agent(s)`);
  lines.push('');
  lines.push(
    `Agents: ${a.agents.length}   groups: ${a.groups.length}   tools: ${a.tools.length}   MCP servers: ${a.mcpServers.length}`,
  );
  for (const g of a.groups) {
    const members = a.groupMembers.get(g.id) ?? [];
    lines.push(
      `  ${g.kind} ${printable(g.name)} (${printable(g.site.file)}:${g.site.line}) — ${members.length} agent(s)`,
    );
  }
  lines.push('');
  const order = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];
  lines.push(`Findings: ${report.findings.length} rule(s)`);
  for (const sev of order) {
    const fs = report.findings.filter((f) => f.rule.severity === sev);
    if (fs.length === 0) continue;
    lines.push(`  ${sev}`);
    for (const f of fs) {
      lines.push(
        `    ${f.rule.id} ${f.rule.title} [${f.rule.confidence}] — ${f.instances.length} instance(s)`,
      );
      for (const i of f.instances.slice(0, 10)) lines.push(`      ${printable(i.file)}:${i.line}`);
      if (f.instances.length > 10) lines.push(`      … ${f.instances.length - 10} more`);
      lines.push(`      fix: ${f.rule.remediation}`);
    }
  }
  lines.push('');
  const d = a.deployment;
  const flag = (b: boolean) => (b ? 'yes' : 'no');
  lines.push(
    `Deployment: dockerfile ${flag(d.has_dockerfile)}, CI ${flag(d.has_ci_config)}, tests ${flag(d.has_tests)}, lockfile ${flag(d.has_lockfile)}, .env example ${flag(d.has_env_example)}`,
  );
  lines.push(`Risk score: ${String(p.risk_score)}/100`);
  return `${lines.join('\n')}\n`;
}
