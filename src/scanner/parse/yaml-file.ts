type YamlModule = typeof import('yaml');

let yamlModule: YamlModule | null = null;

/** Loads the YAML parser once (tens of milliseconds: only when a repository has YAML files). */
export async function loadYamlParser(): Promise<void> {
  yamlModule ??= await import('yaml');
}

/** Aliases expanded at most (a billion-laughs file stops there); warnings never printed. */
const OPTIONS = { maxAliasCount: 100, logLevel: 'error' } as const;

/**
 * A YAML file's data; throws when it is not YAML. One document gives its data, as `yaml.parse`;
 * a file of several (`---`-separated, as Kubernetes manifests are) gives the list of their data,
 * where `yaml.parse` refuses it. Warnings (an unknown `!!python/name` tag) would go to stderr
 * with the file's raw text, terminal escapes included: they are off; errors still throw.
 */
export function parseYamlFile(text: string): unknown {
  const yaml = yamlModule;
  if (yaml === null) throw new Error('YAML parser not loaded (call loadYamlParser first)');
  try {
    return yaml.parse(text, OPTIONS);
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'MULTIPLE_DOCS') throw err;
  }
  return yaml.parseAllDocuments(text, OPTIONS).map((doc) => {
    if (doc.errors.length > 0) throw doc.errors[0];
    return doc.toJS({ maxAliasCount: OPTIONS.maxAliasCount });
  });
}
