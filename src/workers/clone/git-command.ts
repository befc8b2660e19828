import { BASE_CHILD_ENV } from '../../core/run-process.js';

/**
 * The hardened git invocation shared by every git command a worker runs on untrusted
 * repositories: only the allowed transports, no prompts, no host or user config, no hooks,
 * symlinks checked out as plain files, no submodules, no LFS smudge (engine-facts §5.2).
 */
export function gitConfigArgs(allowLocalUrls: boolean): string[] {
  const pairs = [
    'protocol.allow=never',
    'protocol.https.allow=always',
    ...(allowLocalUrls
      ? ['protocol.file.allow=always', 'protocol.http.allow=always', 'protocol.git.allow=always']
      : // A redirect would take git to a host nobody judged (a public server can point it at
        // loopback); a moved repository fails instead of being followed.
        ['http.followRedirects=false']),
    'core.symlinks=false',
    'core.hooksPath=/dev/null',
    'core.fsmonitor=false',
    'credential.helper=',
    'submodule.recurse=false',
    'fetch.recurseSubmodules=false',
    'advice.detachedHead=false',
    'filter.lfs.smudge=',
    'filter.lfs.process=',
    'filter.lfs.required=false',
  ];
  return pairs.flatMap((p) => ['-c', p]);
}

export function gitEnv(allowLocalUrls: boolean): Record<string, string> {
  return {
    ...BASE_CHILD_ENV,
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '/bin/false',
    SSH_ASKPASS: '/bin/false',
    GIT_LFS_SKIP_SMUDGE: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_NO_REPLACE_OBJECTS: '1',
    GIT_OPTIONAL_LOCKS: '0',
    GIT_ALLOW_PROTOCOL: allowLocalUrls ? 'https:http:git:file' : 'https',
    GIT_PROTOCOL_FROM_USER: '0',
  };
}
