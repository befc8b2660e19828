import { snappyCompress } from 'hyparquet-writer/src/snappy.js';
import type { Compress } from './parquet-encoder.js';

/**
 * Snappy for Parquet pages: hyparquet-writer's JavaScript one. (A native Snappy module was
 * measured: about twice as fast, but its output buffers live outside V8's accounting, so a
 * worker's memory grew through the whole audit before a GC freed them.)
 */
export const snappy: Compress = (page) => snappyCompress(page);
