import { mkdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../core/atomic-write.js';
import { fileExists } from '../core/jsonl.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { DATA_FILES } from '../core/paths.js';
import { loadThresholds } from './audit-config.js';
import { type ChunkPool, chunkWorkerFile, InlineChunkPool, ThreadChunkPool } from './chunk-pool.js';
import { AuditStats } from './collect.js';
import { datasetCard } from './dataset-card.js';
import { AuditInputError } from './errors.js';
import { statisticsPass } from './first-pass.js';
import { evaluateGates, type GateResult, type GateVerdict } from './gates.js';
import { type ManifestIndex, readManifestIndex } from './manifest-index.js';
import { writeOutputs } from './output-pass.js';
import { type AuditReportData, auditJson, buildSections, reportMarkdown, sectionContext } from './report.js';
import { findSection, SECTION_IDS, type SectionOutput } from './sections/index.js';
import { assignSplit, NOT_SPLIT, type SplitSummary, TEST } from './split/assign.js';
import { LeakageGroups } from './split/grouping.js';
import { readSidecar, writeSidecar } from './split/sidecar.js';
import { loadStrataTargets } from './strata-targets.js';

export interface AuditOptions {
  /** scan_results.jsonl to audit. */
  input: string;
  /** repo_manifest.jsonl (fork families, Python share, manifest sha256); optional. */
  manifest?: string;
  /** Where the report, audit.json, Parquet, split files and card go. */
  outDir: string;
  /** Write the stratified train/test split (default false). */
  split?: boolean;
  /** Seed of the split's group order (default 42). */
  seed?: number;
  /** Compute and return one section only; no file is written. */
  section?: string;
  /** Format of `AuditResult.output` (default md). Both files are always written. */
  format?: 'md' | 'json';
  strataFile?: string;
  gatesFile?: string;
  logger?: Logger;
  /**
   * Parse, validate and encode on worker threads, one per core (default: for inputs of 4 MB or
   * more, when the compiled worker is present); otherwise all on this thread.
   */
  threads?: boolean;
  /**
   * Called after each chunk read with the bytes read so far and the bytes to read in all (the
   * input once per pass: twice, or once in --section mode).
   */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface AuditResult {
  /** dataset_audit_report.md ('' in --section mode, which writes nothing). */
  reportPath: string;
  /** audit.json ('' in --section mode). */
  auditJsonPath: string;
  gates: Array<{ id: string; name: string; pass: boolean; verdict: GateVerdict; evidence: string }>;
  /** Accepted rows: contract-valid, first row of their repository. */
  rows: number;
  corruptLines: number;
  invalidRows: number;
  duplicateRows: number;
  /** Every file written, by kind. */
  files: Record<string, string>;
  split?: SplitSummary;
  /** What the CLI prints: the report or the one section, as markdown or JSON text. */
  output: string;
  strataSource: string;
}

export { AuditInputError };

export const DEFAULT_SPLIT_SEED = 42;

/** Inputs from this size on are judged and encoded on worker threads (below, threads cost more than they save). */
const THREADS_FROM_BYTES = 4 * 1024 * 1024;

/** The accepted repositories in acceptance order. */
function* acceptedRepos(stats: AuditStats): Generator<string> {
  for (let i = 0; i < stats.repos.size; i++) yield stats.repos.name(i);
}

/** Worker threads for the audit: one per core but the one this thread uses, at least 1, at most 4. */
function auditThreads(): number {
  return Math.max(1, Math.min(4, os.availableParallelism() - 1));
}

export async function runAudit(options: AuditOptions): Promise<AuditResult> {
  const logger = options.logger ?? silentLogger;
  const section = options.section === undefined ? undefined : findSection(options.section);
  if (options.section !== undefined && !section)
    throw new AuditInputError(
      `unknown section "${options.section}"; valid sections: ${SECTION_IDS.join(', ')}`,
    );
  if (!(await fileExists(options.input))) throw new AuditInputError(`input ${options.input} does not exist`);
  if (options.manifest && !(await fileExists(options.manifest)))
    throw new AuditInputError(`manifest ${options.manifest} does not exist`);

  const { thresholds, source: thresholdsSource } = await loadThresholds(options.gatesFile);
  const strata = await loadStrataTargets(options.strataFile);
  const manifestReady: Promise<ManifestIndex | undefined> = options.manifest
    ? readManifestIndex(options.manifest)
    : Promise.resolve(undefined);
  manifestReady.catch(() => undefined); // awaited through the statistics
  const doSplit = Boolean(options.split) && !section;
  const seed = options.seed ?? DEFAULT_SPLIT_SEED;
  const outDir = path.resolve(options.outDir);
  const out = (name: string) => path.join(outDir, name);
  const files: Record<string, string> = {};
  // Known once the manifest is read (before any Parquet file is finished).
  let manifest: ManifestIndex | undefined;
  const parquetMeta = () => ({
    'stratum.source': path.basename(options.input),
    ...(manifest ? { 'stratum.manifest_sha256': manifest.sha256 } : {}),
  });

  logger.debug(
    {
      input: options.input,
      manifest: options.manifest ?? null,
      split: doSplit,
      section: options.section ?? null,
    },
    'audit started',
  );
  const started = Date.now();
  /** Milliseconds each phase took (logged with the result: where a slow audit spends its time). */
  const phases: Record<string, number> = {};
  let phaseStart = started;
  const phaseDone = (name: string) => {
    const now = Date.now();
    phases[name] = now - phaseStart;
    phaseStart = now;
  };
  const totalBytes = (await stat(options.input)).size;
  const workerFile = chunkWorkerFile();
  const threaded = workerFile !== undefined && (options.threads ?? totalBytes >= THREADS_FROM_BYTES);
  const pool: ChunkPool = threaded
    ? new ThreadChunkPool(workerFile as string, auditThreads(), true)
    : new InlineChunkPool();
  const groups = doSplit ? new LeakageGroups() : undefined;
  // The manifest loads on this thread while the pool judges the first chunks.
  pool.inlineAfter(manifestReady);
  const statsReady = manifestReady.then((m) => {
    manifest = m;
    return new AuditStats(m, groups);
  });
  statsReady.catch(() => undefined); // awaited by the pass
  const passes = section ? 1 : 2;
  const outputProgress = options.onProgress
    ? (b: number) => options.onProgress?.(totalBytes + b, passes * totalBytes)
    : undefined;
  let stats: AuditStats;
  let split: SplitSummary | undefined;
  try {
    const { bytes } = await statisticsPass({
      input: options.input,
      stats: statsReady,
      pool,
      ...(options.onProgress
        ? { onProgress: (b: number) => options.onProgress?.(b, passes * totalBytes) }
        : {}),
    });
    stats = await statsReady;
    stats.bytes = bytes;
    stats.finish();
    phaseDone('statistics_ms');
    // Nothing to audit is an input mistake, not a dataset that fails its gates: no file is written.
    if (stats.rows === 0)
      throw new AuditInputError(
        `${options.input}: no readable row (${stats.corruptCount} corrupt line${stats.corruptCount === 1 ? '' : 's'}, ` +
          `${stats.invalidCount} invalid row${stats.invalidCount === 1 ? '' : 's'}); nothing written`,
      );
    if (!section) {
      await mkdir(outDir, { recursive: true });
      split = await writeFiles(stats);
    }
  } finally {
    await pool.close();
  }
  if (stats.corruptCount || stats.invalidCount || stats.duplicateCount)
    logger.warn(
      { corrupt: stats.corruptCount, invalid: stats.invalidCount, duplicates: stats.duplicateCount },
      'rows excluded from the audit',
    );

  const gates: GateResult[] = evaluateGates(stats, thresholds);

  /** The output pass (Parquet, and the split's files with its sidecar); returns the split's summary. */
  async function writeFiles(stats: AuditStats): Promise<SplitSummary | undefined> {
    const parquet = out(DATA_FILES.parquet);
    if (!doSplit || !groups) {
      await writeOutputs(options.input, stats, undefined, { parquet }, parquetMeta, pool, outputProgress);
      files.parquet = parquet;
      phaseDone('output_ms');
      return undefined;
    }
    const sidecarPath = out(DATA_FILES.splitAssignment);
    const frozen = await readSidecar(sidecarPath);
    if (frozen.problems.length)
      logger.warn(
        { file: sidecarPath, problems: frozen.problems.slice(0, 10) },
        'unreadable split assignment lines',
      );
    const assignment = assignSplit(stats, groups, frozen.splits, {
      seed,
      testShare: thresholds.splitTestShare,
      minTestPerStratum: thresholds.splitMinTestPerStratum,
      unreadableSidecarLines: frozen.problems.length,
    });
    const splitFiles = {
      trainJsonl: out(DATA_FILES.train),
      testJsonl: out(DATA_FILES.test),
      trainParquet: out(DATA_FILES.trainParquet),
      testParquet: out(DATA_FILES.testParquet),
    };
    phaseDone('split_ms');
    await writeOutputs(
      options.input,
      stats,
      assignment.sides,
      { parquet, split: splitFiles },
      parquetMeta,
      pool,
      outputProgress,
    );
    files.parquet = parquet;
    phaseDone('output_ms');
    await writeSidecar(sidecarPath, frozen.splits, acceptedRepos(stats), (repo) => {
      const i = stats.repos.find(repo);
      if (i < 0 || assignment.sides[i] === NOT_SPLIT) return undefined;
      return {
        split: assignment.sides[i] === TEST ? 'test' : 'train',
        stratum: stats.splitStrata[stats.splitStratum.get(i)] as string,
        group: stats.repos.name(assignment.groupOf[i] as number),
      };
    });
    Object.assign(files, splitFiles, { splitAssignment: sidecarPath });
    return assignment.summary;
  }

  const data: AuditReportData = {
    generatedAt: new Date().toISOString(),
    inputName: path.basename(options.input),
    inputBytes: stats.bytes,
    ...(options.manifest ? { manifestName: path.basename(options.manifest) } : {}),
    stats,
    thresholds,
    thresholdsSource,
    strata,
    ...(manifest ? { manifest } : {}),
    gates,
    ...(split ? { split } : {}),
    scannerVersions: [...stats.scannerVersions.map.keys()].sort(),
    duplicatesNote: '',
  };

  const base = {
    gates: gates.map(({ id, name, pass, verdict, evidence }) => ({ id, name, pass, verdict, evidence })),
    rows: stats.rows,
    corruptLines: stats.corruptCount,
    invalidRows: stats.invalidCount,
    duplicateRows: stats.duplicateCount,
    strataSource: strata.source,
    ...(split ? { split } : {}),
  };

  if (section) {
    const output: SectionOutput = section.build(sectionContext(data));
    logger.info({ section: section.id, ms: Date.now() - started }, 'audit section computed');
    return {
      ...base,
      reportPath: '',
      auditJsonPath: '',
      files,
      output:
        options.format === 'json'
          ? `${JSON.stringify({ section: section.id, ...output.data }, null, 2)}\n`
          : `## ${section.title}\n\n${output.markdown}\n`,
    };
  }

  const sections = buildSections(data);
  const dup = sections.find((s) => s.id === 'duplicates')?.output.data as
    | { contamination_rate: number; clusters_of_10_plus: number }
    | undefined;
  data.duplicatesNote = dup
    ? `contamination rate ${(dup.contamination_rate * 100).toFixed(2)}%, ${dup.clusters_of_10_plus} clusters of 10+ members (see the audit report).`
    : 'see the audit report.';
  const reportPath = out(DATA_FILES.auditReport);
  const auditJsonPath = out(DATA_FILES.auditJson);
  const cardPath = out(DATA_FILES.datasetCard);
  files.report = reportPath;
  files.auditJson = auditJsonPath;
  files.datasetCard = cardPath;
  const markdown = reportMarkdown(data, sections);
  const json = auditJson(data, sections, files);
  await writeFileAtomic(reportPath, markdown);
  await writeJsonAtomic(auditJsonPath, json);
  await writeFileAtomic(cardPath, datasetCard(data));
  phaseDone('report_ms');
  logger.info(
    {
      rows: stats.rows,
      corrupt: stats.corruptCount,
      invalid: stats.invalidCount,
      gatesPassed: gates.filter((g) => g.pass).length,
      ms: Date.now() - started,
      phases,
    },
    'audit finished',
  );
  return {
    ...base,
    reportPath,
    auditJsonPath,
    files,
    output: options.format === 'json' ? `${JSON.stringify(json, null, 2)}\n` : markdown,
  };
}
