import { repoFullNameProblem } from '../core/contract/index.js';
import { isCommitId, type ScanJobData } from './job-data.js';

/**
 * Step 1 of a job, before anything touches git or the disk: is this manifest row safe to
 * clone? Returns the reason it is not, or undefined. Untrusted rows must not smuggle options
 * into git (leading '-'), reach local files or loopback services, or carry credentials.
 */
export function rowProblem(data: ScanJobData, allowLocalUrls: boolean): string | undefined {
  if (data.row_problem) return data.row_problem;
  if (data.head_sha !== undefined && !isCommitId(data.head_sha)) return 'head_sha is not a 40-hex commit id';
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
  return urlProblem(data.repo_url, allowLocalUrls);
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function isLoopback(hostname: string): boolean {
  return (
    LOOPBACK_HOSTS.has(hostname) || /^127\.\d+\.\d+\.\d+$/.test(hostname) || hostname.endsWith('.localhost')
  );
}

export function urlProblem(raw: string, allowLocalUrls: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `repo_url is not a URL`;
  }
  if (url.username || url.password) return 'repo_url must not carry credentials';
  if (url.pathname.split('/').some((seg) => seg.startsWith('-')))
    return `repo_url has a path segment starting with '-'`;
  const local = url.protocol === 'file:' || isLoopback(url.hostname);
  if (local && !allowLocalUrls)
    return `repo_url ${url.protocol}//${url.host} is local; set STRATUM_ALLOW_LOCAL_URLS=1 to allow it`;
  if (url.protocol === 'https:') return undefined;
  if (allowLocalUrls && local && ['file:', 'http:', 'git:'].includes(url.protocol)) return undefined;
  return `repo_url scheme ${url.protocol.replace(':', '')} is not allowed (https only)`;
}
