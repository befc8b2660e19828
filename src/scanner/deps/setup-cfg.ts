/**
 * What a `setup.cfg` declares, read the way setuptools reads it (configparser: `[section]`
 * headers, `key = value` or `key: value`, a value continued on indented lines, keys in any case,
 * whole-line `#`/`;` comments): the `[metadata] name`, `[options] install_requires` and every
 * `[options.extras_require]` entry. One pass over the lines, nothing evaluated; a `file:`
 * reference is not followed.
 */
export interface SetupCfg {
  name: string | null;
  requirements: string[];
}

const HEADER = /^\[([^\]]*)\]\s*$/;
const ENTRY = /^([^=:\s][^=:]*?)\s*[=:]\s*(.*)$/;
const DISTRIBUTION_NAME = /^[A-Za-z0-9._-]{1,100}$/;

export function readSetupCfg(text: string): SetupCfg {
  const out: SetupCfg = { name: null, requirements: [] };
  let section = '';
  let key: string | null = null;
  let value: string[] = [];
  const flush = () => {
    if (key !== null) take(section, key, value, out);
    key = null;
    value = [];
  };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    if (/^\s/.test(line)) {
      // An indented line continues the current value.
      if (key !== null) value.push(trimmed);
      continue;
    }
    flush();
    const header = HEADER.exec(trimmed);
    if (header) {
      section = (header[1] as string).trim().toLowerCase();
      continue;
    }
    const entry = ENTRY.exec(line);
    if (entry === null) continue;
    key = (entry[1] as string).trim().toLowerCase();
    value = entry[2] === '' ? [] : [(entry[2] as string).trim()];
  }
  flush();
  return out;
}

function take(section: string, key: string, lines: string[], out: SetupCfg): void {
  if (section === 'metadata' && key === 'name') {
    if (lines.length === 1 && DISTRIBUTION_NAME.test(lines[0] as string)) out.name = lines[0] as string;
  } else if ((section === 'options' && key === 'install_requires') || section === 'options.extras_require')
    // One push per entry: spreading a hostile file's 200,000 lines overflows the stack.
    for (const r of requirementList(lines)) out.requirements.push(r);
}

/** setuptools' list: one requirement per line, or `;`-separated on a single line. */
function requirementList(lines: string[]): string[] {
  if (lines.length === 1 && !(lines[0] as string).startsWith('file:'))
    return (lines[0] as string)
      .split(';')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  return lines.filter((l) => !l.startsWith('file:'));
}
