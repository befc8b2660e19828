/**
 * The warm scanner's framing: each message is a 4-byte big-endian length followed by that many
 * bytes of UTF-8 JSON. Used both ways over the scanner process's stdin and stdout.
 */
export const FRAME_HEADER_BYTES = 4;

export function encodeFrame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  const header = Buffer.alloc(FRAME_HEADER_BYTES);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

export type FrameError =
  | { kind: 'too_large'; bytes: number; max: number }
  | { kind: 'bad_json'; detail: string };

/**
 * Accumulates chunks and hands out complete messages. A frame announcing more than `maxBytes`
 * is an error (the stream is then unusable: the caller drops the connection).
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxBytes: number) {}

  /** Messages completed by `chunk`, or the first framing error. */
  push(chunk: Buffer): { messages: unknown[]; error: FrameError | null } {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const messages: unknown[] = [];
    for (;;) {
      if (this.buffered < FRAME_HEADER_BYTES) return { messages, error: null };
      const head = this.peek(FRAME_HEADER_BYTES);
      const length = head.readUInt32BE(0);
      if (length > this.maxBytes)
        return { messages, error: { kind: 'too_large', bytes: length, max: this.maxBytes } };
      if (this.buffered < FRAME_HEADER_BYTES + length) return { messages, error: null };
      const frame = this.take(FRAME_HEADER_BYTES + length).subarray(FRAME_HEADER_BYTES);
      try {
        messages.push(JSON.parse(frame.toString('utf8')));
      } catch (err) {
        return { messages, error: { kind: 'bad_json', detail: (err as Error).message } };
      }
    }
  }

  private peek(n: number): Buffer {
    if ((this.chunks[0] as Buffer).length < n) this.chunks = [Buffer.concat(this.chunks)];
    return (this.chunks[0] as Buffer).subarray(0, n);
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }
}
