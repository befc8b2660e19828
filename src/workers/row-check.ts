import { repoFullNameProblem } from '../core/contract/index.js';
import { type JudgedUrl, judgeRepoUrl } from './clone/repo-url.js';
import type { ScanJobData } from './job-data.js';

/**
 * Step 1 of a job, before anything touches git or the disk: is this manifest row safe to
 * clone? Returns the reason it is not, or undefined. Untrusted rows must not smuggle options
 * into git (leading '-'), reach local files or loopback services, or carry credentials.
 */
export function rowProblem(data: ScanJobData, allowLocalUrls: boolean): string | undefined {
  const judged = judgeRow(data, allowLocalUrls);
  return judged.ok ? undefined : judged.problem;
}

function rowFieldsProblem(data: ScanJobData): string | undefined {
  if (data.row_problem) return data.row_problem;
  const nameProblem = repoFullNameProblem(data.repo_full_name);
  if (nameProblem) return nameProblem;
  for (const [field, value] of [
    ['repo_full_name', data.repo_full_name],
    ['repo_url', data.repo_url],
    ['selection_stratum', data.selection_stratum],
  ] as const) {
    if (typeof value !== 'string' || value.length === 0) return `${field} is missing`;
    if (value.startsWith('-')) return `${field} starts with '-'`;
    if (/[\0-\x1f\x7f]/.test(value)) return `${field} contains control characters`;
  }
  return undefined;
}

/**
 * The URL git may be given for this row (rebuilt from the judged parts), or why it may not
 * be cloned at all.
 */
export function judgeRow(
  data: ScanJobData,
  allowLocalUrls: boolean,
): { ok: true; judged: JudgedUrl } | { ok: false; problem: string } {
  const problem = rowFieldsProblem(data);
  if (problem) return { ok: false, problem };
  return judgeRepoUrl(data.repo_url, allowLocalUrls);
}

export function urlProblem(raw: string, allowLocalUrls: boolean): string | undefined {
  const judged = judgeRepoUrl(raw, allowLocalUrls);
  return judged.ok ? undefined : judged.problem;
}
