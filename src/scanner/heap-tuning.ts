import { setFlagsFromString } from 'node:v8';

/**
 * V8 grows its heap limit after each full collection by a factor that, for a scan's allocation
 * rate, lets garbage (parse trees' wrappers, parsed YAML, strings) pile up to several times the
 * live facts before the next collection: pydantic/pydantic-ai peaked at 345 MB RSS with ~90 MB
 * live. A growing factor of 1.3 keeps the peak near the live data (260 MB there) at no
 * measurable cost in time (docs/scanner.md). Set before the first full collection.
 */
export function tuneHeapForScanning(): void {
  setFlagsFromString('--heap-growing-percent=30');
}
