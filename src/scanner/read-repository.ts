import path from 'node:path';
import type { Parser } from 'web-tree-sitter';
import { collectYamlModels } from './analysis/analyze.js';
import {
  DependencyFileReader,
  type DependencyIndex,
  loadTomlParser,
  ownProjectName,
} from './deps/dependency-versions.js';
import type { YamlDoc } from './frameworks/detect-context.js';
import type { PythonFacts } from './model.js';
import { blankCell, joinCells, notebookCells } from './parse/notebook.js';
import { ExtractionDeadlineError, extractPythonFacts } from './parse/python-facts.js';
import { parsePython } from './parse/python-parser.js';
import { loadYamlParser, parseYamlFile } from './parse/yaml-file.js';
import { decodeUtf8 } from './walk/decode-utf8.js';
import { isSetupPy, isTestPath } from './walk/file-kinds.js';
import { FileReader } from './walk/file-reader.js';
import { chooseFilesToRead } from './walk/read-order.js';
import { walkRepository } from './walk/walk-files.js';

export interface EnvFile {
  path: string;
  /** Variable names only; values are never kept. */
  names: string[];
  /** At least one variable has a non-empty, non-placeholder value. */
  hasValues: boolean;
}

export interface ReadStats {
  filesTotal: number;
  filesScanned: number;
  parserErrors: number;
  skippedTooLarge: number;
  skippedBinary: number;
  /** Python sources (files + notebooks) among the candidates, read or not. */
  pythonCandidates: number;
  parseTimeouts: number;
  budgetHit: 'max_files' | 'max_entries' | 'time' | 'max_facts' | null;
  /** A Python source was not read because of a size cap or the time budget. */
  sourceSkipped: boolean;
  symlinksSkipped: number;
}

export interface RepoInputs {
  python: PythonFacts[];
  yaml: YamlDoc[];
  deps: DependencyIndex;
  mcpConfigs: { path: string; data: unknown }[];
  envFiles: EnvFile[];
  gitignoreLines: string[];
  /** Repository-relative paths of every file seen (candidates and others). */
  paths: string[];
  localModules: Set<string>;
  /** Distribution names the repository itself publishes (root pyproject.toml / setup.py). */
  ownPackages: Set<string>;
  stats: ReadStats;
}

const MAX_YAML_BYTES = 512 * 1024;
const NOTEBOOK_CAP_FACTOR = 4;
/**
 * Facts (calls, functions, assignments, imports, classes) kept in memory across the repository
 * at most; beyond, the rest is not read and the scan is partial. Measured on generated code at
 * ≈ 580 B of heap per fact with its strings, so ≈ 145 MB of facts, which keeps a 50,000-file
 * repository under the 300 MB RSS bound. A count, not a heap reading, so the same repository
 * always stops at the same file and gives the same ping.
 */
const MAX_KEPT_FACTS = 250_000;
/**
 * Python source bytes parsed at most. The facts' strings are slices of their file's source, so
 * the sources read stay in memory until the scan ends; this bounds them (a repository of few
 * facts but big generated files).
 */
const MAX_KEPT_SOURCE_BYTES = 48 * 1024 * 1024;

/** The memory budgets of one scan; tests pass smaller ones. */
export interface FactBudget {
  facts: number;
  sourceBytes: number;
}
export const DEFAULT_FACT_BUDGET: FactBudget = { facts: MAX_KEPT_FACTS, sourceBytes: MAX_KEPT_SOURCE_BYTES };

function factCount(facts: PythonFacts): number {
  return (
    facts.calls.length +
    facts.functions.length +
    facts.assigns.length +
    facts.imports.length +
    facts.classes.length
  );
}

/**
 * Walks the repository and reads every candidate file within the limits: Python through
 * tree-sitter, notebooks' code cells, YAML, dependency files, MCP configs, `.env*` names,
 * `.gitignore`. A file that cannot be parsed counts as a parser error and is otherwise ignored.
 */
export async function readRepository(
  root: string,
  parser: Parser,
  limits: { maxFiles: number; maxEntries: number; maxFileBytes: number; deadline: number },
  budget: FactBudget = DEFAULT_FACT_BUDGET,
): Promise<RepoInputs> {
  // Every candidate is listed (the walk is bounded by its entries); the file budget then picks
  // which to read, the likeliest to hold agent code first.
  const walk = walkRepository(root, { ...limits, maxFiles: limits.maxEntries });
  const selection = chooseFilesToRead(walk.files, limits.maxFiles);
  // The YAML and TOML parsers cost tens of milliseconds to load: only when such files exist.
  if (walk.files.some((f) => f.kind === 'yaml')) await loadYamlParser();
  if (walk.files.some((f) => f.kind === 'dependency')) await loadTomlParser();
  const stats: ReadStats = {
    filesTotal: walk.files.length,
    filesScanned: 0,
    parserErrors: 0,
    skippedTooLarge: 0,
    skippedBinary: 0,
    pythonCandidates: walk.files.filter(
      (f) => f.kind === 'python' || f.kind === 'notebook' || (f.kind === 'dependency' && isSetupPy(f.rel)),
    ).length,
    parseTimeouts: 0,
    budgetHit: selection.dropped > 0 ? 'max_files' : walk.budgetHit,
    sourceSkipped: selection.droppedSources > 0,
    symlinksSkipped: walk.symlinksSkipped,
  };
  const inputs: RepoInputs = {
    python: [],
    yaml: [],
    deps: new Map(),
    mcpConfigs: [],
    envFiles: [],
    gitignoreLines: [],
    paths: [...walk.files.map((f) => f.rel), ...walk.otherPaths].sort(),
    localModules: localModules(walk.files.map((f) => f.rel)),
    ownPackages: new Set(),
    stats,
  };
  const dependencies = new DependencyFileReader(inputs.deps);
  const files = new FileReader();
  let keptFacts = 0;
  let keptSourceBytes = 0;
  /**
   * Parses a Python source and keeps its facts. False when it did not parse (counted in
   * `stats`), including a notebook read without its broken cells: a parser error, not a file
   * scanned, though the facts of its other cells are kept.
   */
  const readSource = (
    rel: string,
    source: string,
    kind: 'python' | 'notebook',
    bytes: number,
    cells?: readonly string[],
  ): boolean => {
    let outcome = parsePython(parser, source, limits.deadline);
    let withoutCells = false;
    if (!outcome.ok && outcome.reason === 'syntax_error' && cells !== undefined) {
      // Jupyter runs cells one by one: a broken cell loses itself, not the notebook. The file
      // still counts as a parser error (some of its code was not read).
      const recovered = withoutBrokenCells(parser, cells, limits.deadline);
      const second = recovered === null ? null : parsePython(parser, recovered, limits.deadline);
      if (second?.ok) {
        outcome.tree.delete();
        stats.parserErrors++;
        withoutCells = true;
        outcome = second;
        source = recovered as string;
      } else if (second?.reason === 'syntax_error') second.tree.delete();
    }
    if (!outcome.ok) {
      if (outcome.reason === 'timeout') {
        stats.parseTimeouts++;
        stats.sourceSkipped = true;
        stats.budgetHit = 'time';
      } else {
        outcome.tree.delete();
        stats.parserErrors++;
      }
      return false;
    }
    let facts: PythonFacts;
    try {
      facts = extractPythonFacts(outcome.tree, source, {
        path: rel,
        isTest: isTestPath(rel),
        isNotebook: kind === 'notebook',
        deadline: limits.deadline,
      });
    } catch (err) {
      if (!(err instanceof ExtractionDeadlineError)) throw err;
      stats.parseTimeouts++;
      stats.sourceSkipped = true;
      stats.budgetHit = 'time';
      return false;
    } finally {
      outcome.tree.delete();
    }
    keptFacts += factCount(facts);
    keptSourceBytes += bytes;
    inputs.python.push(facts);
    return !withoutCells;
  };
  for (const file of selection.chosen) {
    const overBudget = keptFacts > budget.facts || keptSourceBytes > budget.sourceBytes;
    if (overBudget || Date.now() > limits.deadline) {
      stats.budgetHit = overBudget ? 'max_facts' : 'time';
      if (file.kind === 'python' || file.kind === 'notebook') stats.sourceSkipped = true;
      continue;
    }
    const isSource = file.kind === 'python' || file.kind === 'notebook';
    // Notebooks carry their outputs (images, tables); only the code cells are parsed.
    const cap =
      file.kind === 'yaml'
        ? Math.min(MAX_YAML_BYTES, limits.maxFileBytes)
        : file.kind === 'notebook'
          ? limits.maxFileBytes * NOTEBOOK_CAP_FACTOR
          : limits.maxFileBytes;
    const buf = files.read(file.abs, cap);
    if (buf === 'too_large') {
      stats.skippedTooLarge++;
      if (isSource) stats.sourceSkipped = true;
      continue;
    }
    if (buf === null) {
      stats.parserErrors++;
      continue;
    }
    if (buf.subarray(0, 8192).includes(0)) {
      stats.skippedBinary++;
      continue;
    }
    const text = decodeUtf8(buf);
    try {
      switch (file.kind) {
        case 'python':
          if (!readSource(file.rel, text, 'python', buf.length)) continue;
          break;
        case 'notebook': {
          const cells = notebookCells(text);
          if (!readSource(file.rel, joinCells(cells), 'notebook', buf.length, cells)) continue;
          break;
        }
        case 'yaml': {
          let data: unknown;
          try {
            data = parseYamlFile(text);
          } catch (err) {
            // A template (a Helm chart's `{{ … }}`) is YAML only once rendered: not read, and
            // no parse failure of the repository's YAML.
            if (isTemplate(text)) continue;
            throw err;
          }
          const summarise = buf.length > MAX_KEPT_YAML_BYTES || isTestPath(file.rel);
          inputs.yaml.push({ path: file.rel, data: summarise ? yamlSummary(data) : data });
          break;
        }
        case 'dependency': {
          dependencies.read(path.basename(file.rel), text);
          const own = file.rel.includes('/') ? null : ownProjectName(file.rel, text);
          if (own !== null) inputs.ownPackages.add(own);
          // setup.py is Python code too, and some repositories define agents in it: its
          // requirements come from the literal reader above, its code from the parser (a syntax
          // error is a parser error; the file was read as a dependency file all the same).
          if (isSetupPy(file.rel)) readSource(file.rel, text, 'python', buf.length);
          break;
        }
        case 'mcp_config':
          inputs.mcpConfigs.push({ path: file.rel, data: JSON.parse(text) });
          break;
        case 'env':
          inputs.envFiles.push(readEnvFile(file.rel, text));
          break;
        case 'gitignore':
          // One push per line: spreading 130,000 lines into push() overflows the stack.
          if (!file.rel.includes('/')) for (const l of text.split('\n')) inputs.gitignoreLines.push(l.trim());
          break;
        case 'dockerfile':
          break;
      }
      stats.filesScanned++;
    } catch {
      stats.parserErrors++;
    }
  }
  return inputs;
}

/**
 * YAML documents larger than this, or under a test directory, are kept as the model names they
 * mention (what the analysis reads of a document that is no agent configuration): a repository
 * of recorded HTTP cassettes otherwise keeps hundreds of megabytes of parsed YAML to the end.
 */
const MAX_KEPT_YAML_BYTES = 64 * 1024;

function yamlSummary(data: unknown): string[] {
  const models = new Set<string>();
  collectYamlModels(data, models, 0);
  return [...models];
}

const PLACEHOLDER = /^(|your[_-].*|<.*>|xxx+|changeme|\.\.\.|sk-\.\.\.|none|null|todo|replace.*)$/i;

function readEnvFile(rel: string, text: string): EnvFile {
  const names: string[] = [];
  let hasValues = false;
  for (const raw of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(raw);
    if (!m) continue;
    names.push(m[1] as string);
    const value = (m[2] as string).trim().replace(/^["']|["']$/g, '');
    if (!PLACEHOLDER.test(value)) hasValues = true;
  }
  return { path: rel, names, hasValues };
}

/**
 * A notebook's code with every cell that does not parse on its own blanked (line numbers kept);
 * null when no cell is broken on its own, when every cell is, or at the deadline.
 */
function withoutBrokenCells(parser: Parser, cells: readonly string[], deadline: number): string | null {
  let broken = 0;
  const kept = cells.map((cell) => {
    const alone = parsePython(parser, cell, deadline);
    if (alone.ok) {
      alone.tree.delete();
      return cell;
    }
    if (alone.reason === 'syntax_error') alone.tree.delete();
    broken++;
    return blankCell(cell);
  });
  return broken === 0 || broken === cells.length ? null : joinCells(kept);
}

/** Whether a text holds `{{ … }}` template markers (Helm, Jinja); linear, whatever the text. */
function isTemplate(text: string): boolean {
  const open = text.indexOf('{{');
  return open !== -1 && text.indexOf('}}', open + 2) !== -1;
}

/** Top-level importable names the repository defines itself (`agents/…py`, `agents.py`). */
function localModules(rels: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const rel of rels) {
    if (!rel.endsWith('.py')) continue;
    const parts = rel.split('/');
    // Any directory holding Python code, and any module file, shadows an installed package of
    // that name when the code runs from that directory or the repository root.
    for (let i = 0; i < parts.length - 1; i++) out.add(parts[i] as string);
    out.add((parts[parts.length - 1] as string).replace(/\.py$/, ''));
  }
  return out;
}
