import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../src/audit/buffer-pool.js';
import { InlineChunkPool } from '../../src/audit/chunk-pool.js';

describe('BufferPool', () => {
  it('hands a given-back buffer out again, and leaves moved, odd-sized and surplus ones alone', () => {
    const pool = new BufferPool(1024, 2);
    const a = pool.take();
    expect(a.length).toBe(1024);
    pool.give(a.subarray(0, 10)); // a view of it counts: its whole memory comes back
    expect(pool.take().buffer).toBe(a.buffer);

    const big = pool.take(4096);
    expect(big.length).toBe(4096);
    pool.give(big);
    expect(pool.take().buffer).not.toBe(big.buffer);

    const moved = pool.take();
    structuredClone(moved.buffer, { transfer: [moved.buffer as ArrayBuffer] }); // detaches it, as postMessage does
    pool.give(moved);
    expect(pool.take().byteLength).toBe(1024);

    const kept = [pool.take(), pool.take(), pool.take()];
    for (const b of kept) pool.give(b);
    const again = [pool.take(), pool.take(), pool.take()].map((b) => b.buffer);
    expect(again.filter((b) => kept.some((k) => k.buffer === b))).toHaveLength(2);
  });

  it('gets chunk buffers back from inline work', async () => {
    const pool = new InlineChunkPool();
    const chunk = pool.buffers.take();
    const n = chunk.write('not json\n');
    expect(JSON.parse(await pool.judge(chunk.subarray(0, n)))[0].kind).toBe('corrupt');
    expect(pool.buffers.take().buffer).toBe(chunk.buffer);
  });

  const compiledPool = path.resolve(import.meta.dirname, '../../dist/src/audit/chunk-pool.js');
  it('gets chunk buffers back from a worker thread, moved both ways', async () => {
    const { ThreadChunkPool, chunkWorkerFile } = await import(compiledPool);
    const pool = new ThreadChunkPool(chunkWorkerFile(), 1);
    try {
      const chunk: Buffer = pool.buffers.take();
      const n = chunk.write('not json\n');
      const verdicts = pool.judge(chunk.subarray(0, n));
      expect(chunk.byteLength).toBe(0); // moved to the worker
      expect(JSON.parse(await verdicts)[0].kind).toBe('corrupt');
      const back: Buffer = pool.buffers.take();
      expect(back.byteLength).toBe(pool.buffers.size);
      expect(back.toString('latin1', 0, n)).toBe('not json\n'); // the same memory, back from the worker
    } finally {
      await pool.close();
    }
  });
});
