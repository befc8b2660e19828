import path from 'node:path';

/** Well-known file names inside the data directory. Every phase reads and writes these. */
export const DATA_FILES = {
  manifest: 'repo_manifest.jsonl',
  discoveryLog: 'discovery_log.json',
  discoveryCheckpoint: 'discovery_checkpoint.json',
  scanResults: 'scan_results.jsonl',
  quarantine: 'quarantine.jsonl',
  runLog: 'pipeline_run_log.json',
  auditReport: 'dataset_audit_report.md',
  auditJson: 'audit.json',
  train: 'scan_results_train.jsonl',
  test: 'scan_results_test.jsonl',
  splitAssignment: 'split_assignment.jsonl',
  parquet: 'scan_results.parquet',
  trainParquet: 'scan_results_train.parquet',
  testParquet: 'scan_results_test.parquet',
  datasetCard: 'DATASET_CARD.md',
  testData: 'test_scan_results.jsonl',
} as const;

export type DataFileKey = keyof typeof DATA_FILES;

export function dataFile(dataDir: string, key: DataFileKey): string {
  return path.join(dataDir, DATA_FILES[key]);
}
