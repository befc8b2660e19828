import { createReadStream, promises as fs } from 'node:fs';
import { createInterface } from 'node:readline';

/** One line of a JSONL file: its parsed value, or why it could not be read. */
export type JsonlLine =
  | { ok: true; line: number; value: unknown; raw: string }
  | { ok: false; line: number; error: string; raw: string };

/**
 * Streams a JSONL file line by line (memory bounded by the longest line). Blank lines are
 * skipped; a corrupt or truncated line is yielded as an error with its 1-based line number,
 * never thrown, so callers can count and report it without losing the rest.
 */
export async function* readJsonl(file: string): AsyncGenerator<JsonlLine> {
  // Stryker disable next-line ObjectLiteral,StringLiteral: readline decodes byte chunks as UTF-8 itself
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const raw of rl) {
    line++;
    if (raw.trim() === '') continue;
    try {
      yield { ok: true, line, value: JSON.parse(raw), raw };
    } catch (err) {
      yield { ok: false, line, error: `invalid JSON: ${(err as Error).message}`, raw };
    }
  }
}

export async function fileExists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Append-only JSONL writer that makes each record durable before `append` resolves
 * (write + fsync), so a caller may acknowledge work only after its line is on disk.
 * A torn last line left by a crash (a record whose write was never acknowledged) is cut off on
 * open, so the file never holds a half record and new records never merge into one.
 */
export class JsonlAppender {
  private constructor(
    readonly file: string,
    private readonly handle: fs.FileHandle,
    /** Bytes of a torn tail removed on open (0 when the file was clean). */
    readonly repairedBytes: number,
  ) {}

  static async open(file: string): Promise<JsonlAppender> {
    const handle = await fs.open(file, 'a+');
    const { size } = await handle.stat();
    const end = await lastNewlineEnd(handle, size);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: truncating to the current size is a no-op
    if (end < size) await handle.truncate(end);
    return new JsonlAppender(file, handle, size - end);
  }

  async append(records: readonly unknown[]): Promise<void> {
    if (records.length === 0) return;
    const bytes = Buffer.from(records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const { size } = await this.handle.stat();
    try {
      // A full disk can make write() return short without throwing: loop, and on any error
      // cut the file back so no torn or partial batch is left behind the caller's back.
      let offset = 0;
      while (offset < bytes.length) {
        const { bytesWritten } = await this.handle.write(bytes, offset, bytes.length - offset);
        // Stryker disable next-line all: a regular file's write() never returns 0 without an error; kept for other file kinds
        if (bytesWritten <= 0) throw new Error(`short write to ${this.file}`);
        offset += bytesWritten;
      }
      await this.handle.sync();
    } catch (err) {
      await this.handle.truncate(size).catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** Offset just past the last newline of the file (0 when it has none). */
async function lastNewlineEnd(handle: fs.FileHandle, size: number): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024);
  let pos = size;
  while (pos > 0) {
    const start = Math.max(0, pos - chunk.length);
    const { bytesRead } = await handle.read(chunk, 0, pos - start, start);
    const idx = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (idx >= 0) return start + idx + 1;
    pos = start;
  }
  return 0;
}
