/**
 * Fixed-size buffers reused for the audit's chunks and batches. A buffer allocated per chunk
 * is freed only when the collector finds its small JS wrapper dead, and such wrappers outlive
 * a scavenge and wait for a full collection: dead 2 MB buffers then piled up to ~150 MB before
 * V8 collected them. Reused, they bound that memory to the buffers in flight.
 */
export class BufferPool {
  private readonly free: ArrayBuffer[] = [];

  constructor(
    /** Bytes of every pooled buffer. */
    readonly size: number,
    /** Free buffers kept at most (the rest are left to the collector). */
    private readonly keep = 16,
  ) {}

  /** A buffer of at least `min` bytes that owns its memory (so it can be moved to a worker). */
  take(min = this.size): Buffer {
    if (min > this.size) return Buffer.allocUnsafeSlow(min);
    const reused = this.free.pop();
    return reused ? Buffer.from(reused) : Buffer.allocUnsafeSlow(this.size);
  }

  /** Gives a buffer from `take` back for reuse (ignored when it moved to another thread or is not pool-sized). */
  give(buffer: Uint8Array): void {
    const memory = buffer.buffer;
    if (memory.byteLength === this.size && this.free.length < this.keep && memory instanceof ArrayBuffer)
      this.free.push(memory);
  }
}
