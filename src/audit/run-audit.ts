import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../core/atomic-write.js';
import { fileExists } from '../core/jsonl.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { DATA_FILES } from '../core/paths.js';
import { loadThresholds } from './audit-config.js';
import { AuditStats, type RowSink } from './collect.js';
import { datasetCard } from './dataset-card.js';
import { evaluateGates, type GateResult } from './gates.js';
import { forEachLine } from './line-reader.js';
import { type ManifestIndex, readManifestIndex } from './manifest-index.js';
import { type OpenParquet, ParquetSink } from './parquet.js';
import { type AuditReportData, auditJson, buildSections, reportMarkdown, sectionContext } from './report.js';
import { findSection, SECTION_IDS, type SectionOutput } from './sections/index.js';
import { assignSplit, NOT_SPLIT, type SplitSummary, TEST } from './split/assign.js';
import { LeakageGroups } from './split/grouping.js';
import { readSidecar, writeSidecar } from './split/sidecar.js';
import { writeSplitFiles } from './split/write-split.js';
import { loadStrataTargets } from './strata-targets.js';
import { ParquetWorker, parquetWorkerFile } from './threaded-parquet.js';

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
   * Write scan_results.parquet on a worker thread while the main thread validates (default:
   * for inputs of 4 MB or more, when the compiled worker is present).
   */
  threads?: boolean;
  /** Called after each chunk of the first pass with bytes read and the file size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface AuditResult {
  /** dataset_audit_report.md ('' in --section mode, which writes nothing). */
  reportPath: string;
  /** audit.json ('' in --section mode). */
  auditJsonPath: string;
  gates: Array<{ id: string; name: string; pass: boolean; evidence: string }>;
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

/** A bad request to the audit (unknown section, missing input): the CLI prints it and exits 2. */
export class AuditInputError extends Error {
  override name = 'AuditInputError';
}

export const DEFAULT_SPLIT_SEED = 42;

/** Inputs from this size on write scan_results.parquet on a worker thread (below, a thread costs more than it saves). */
const THREADS_FROM_BYTES = 4 * 1024 * 1024;

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
  const manifest: ManifestIndex | undefined = options.manifest
    ? await readManifestIndex(options.manifest)
    : undefined;
  const doSplit = Boolean(options.split) && !section;
  const seed = options.seed ?? DEFAULT_SPLIT_SEED;
  const outDir = path.resolve(options.outDir);
  const out = (name: string) => path.join(outDir, name);
  const files: Record<string, string> = {};
  const parquetMeta = {
    'stratum.source': path.basename(options.input),
    ...(manifest ? { 'stratum.manifest_sha256': manifest.sha256 } : {}),
  };

  logger.info(
    {
      input: options.input,
      manifest: options.manifest ?? null,
      split: doSplit,
      section: options.section ?? null,
    },
    'audit started',
  );
  const started = Date.now();
  if (!section) await mkdir(outDir, { recursive: true });
  const totalBytes = (await stat(options.input)).size;
  const workerFile = parquetWorkerFile();
  const threaded =
    !section && workerFile !== undefined && (options.threads ?? totalBytes >= THREADS_FROM_BYTES);
  // One worker thread writes scan_results.parquet during the first pass and the train file
  // during the second; the main thread, idle by then, writes the (smaller) test file.
  const parquetWorker = threaded ? new ParquetWorker(workerFile as string) : undefined;
  const openParquet: OpenParquet = (file, meta, role) =>
    parquetWorker && role !== 'test' ? parquetWorker.open(file, meta) : new ParquetSink(file, meta);
  const fullParquet = section ? undefined : openParquet(out(DATA_FILES.parquet), parquetMeta, 'full');
  const sinks: RowSink[] = fullParquet ? [(_p, _i, bytes) => fullParquet.addLine(bytes)] : [];
  const groups = doSplit ? new LeakageGroups() : undefined;
  const stats = new AuditStats(manifest, groups, sinks);
  try {
    const { bytes } = await forEachLine(
      options.input,
      (raw, line, bytes) => stats.addLine(raw, line, bytes),
      options.onProgress ? (b) => options.onProgress?.(b, totalBytes) : undefined,
      fullParquet ? () => fullParquet.drained() : undefined,
    );
    stats.bytes = bytes;
    stats.finish();
  } catch (err) {
    await fullParquet?.abort();
    await parquetWorker?.close();
    throw err;
  }
  // A worker finishes the full Parquet file while the split's second pass runs.
  let fullParquetDone: Promise<void> | undefined;
  try {
    fullParquetDone = Promise.resolve(fullParquet?.finish());
  } catch (err) {
    await fullParquet?.abort();
    await parquetWorker?.close();
    throw err;
  }
  // Handled below (awaited after the split); this only keeps an early failure from being unhandled.
  fullParquetDone.catch(() => undefined);
  if (fullParquet) files.parquet = fullParquet.file;
  if (stats.corruptCount || stats.invalidCount || stats.duplicateCount)
    logger.warn(
      { corrupt: stats.corruptCount, invalid: stats.invalidCount, duplicates: stats.duplicateCount },
      'rows excluded from the audit',
    );

  const gates: GateResult[] = evaluateGates(stats, thresholds);

  let split: SplitSummary | undefined;
  try {
    split = await writeSplit();
  } finally {
    try {
      await fullParquetDone;
    } finally {
      await parquetWorker?.close();
    }
  }

  async function writeSplit(): Promise<SplitSummary | undefined> {
    if (!doSplit || !groups) return undefined;
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
    const written = await writeSplitFiles(
      options.input,
      stats,
      assignment.sides,
      splitFiles,
      parquetMeta,
      openParquet,
    );
    if (written.appendedBytes > 0)
      logger.warn(
        { appendedBytes: written.appendedBytes },
        'input grew during the audit; rows appended after the first pass are not in this audit',
      );
    await writeSidecar(sidecarPath, frozen.splits, stats.repoNames, (repo) => {
      const i = stats.repoIndex.get(repo);
      if (i === undefined || assignment.sides[i] === NOT_SPLIT) return undefined;
      return {
        split: assignment.sides[i] === TEST ? 'test' : 'train',
        stratum: stats.splitStrata[stats.splitStratum.get(i)] as string,
        group: stats.repoNames[assignment.groupOf[i] as number] as string,
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
    gates: gates.map(({ id, name, pass, evidence }) => ({ id, name, pass, evidence })),
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
  logger.info(
    {
      rows: stats.rows,
      corrupt: stats.corruptCount,
      invalid: stats.invalidCount,
      gatesPassed: gates.filter((g) => g.pass).length,
      ms: Date.now() - started,
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
