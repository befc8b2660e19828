/**
 * Strings numbered 0…n-1 in the order they were first added, kept off the V8 heap: their UTF-8
 * bytes back to back in one buffer and an open-addressing table of ids. About 20 bytes per
 * name plus its bytes, where a Map entry and its string take over 100; the audit keeps one
 * entry per repository and per topology hash, so this is what its memory grows with.
 */
export class NameTable {
  private bytes: Buffer = Buffer.allocUnsafe(64 * 1024);
  private used = 0;
  /** Name i is bytes[ends[i-1] (or 0), ends[i]). */
  private ends: Int32Array = new Int32Array(1024);
  private hashes: Int32Array = new Int32Array(1024);
  /** Open addressing: id + 1 per slot, 0 for empty. */
  private slots: Int32Array = new Int32Array(2048);
  private scratch: Buffer = Buffer.allocUnsafe(1024);
  size = 0;

  /** The id of `name`, or -1. */
  find(name: string): number {
    const len = this.encode(name);
    return this.lookup(len, hashBytes(this.scratch, len)).id;
  }

  /** The id of `name`, added when new (then `size` grows by one). */
  add(name: string): number {
    const len = this.encode(name);
    const hash = hashBytes(this.scratch, len);
    const { id, slot } = this.lookup(len, hash);
    if (id >= 0) return id;
    const newId = this.size++;
    if (this.used + len > this.bytes.length) this.bytes = grow(this.bytes, this.used + len);
    this.scratch.copy(this.bytes, this.used, 0, len);
    this.used += len;
    if (newId >= this.ends.length) {
      this.ends = growInt32(this.ends);
      this.hashes = growInt32(this.hashes);
    }
    this.ends[newId] = this.used;
    this.hashes[newId] = hash;
    this.slots[slot] = newId + 1;
    if (this.size * 2 > this.slots.length) this.rehash();
    return newId;
  }

  /** Name `id` (a new string each call). */
  name(id: number): string {
    if (id < 0 || id >= this.size) throw new RangeError(`no name ${id} (size ${this.size})`);
    return this.bytes.toString('utf8', id === 0 ? 0 : (this.ends[id - 1] as number), this.ends[id] as number);
  }

  /** Writes `name` as UTF-8 to `scratch` (grown as needed); returns its length. */
  private encode(name: string): number {
    if (name.length * 3 > this.scratch.length) this.scratch = Buffer.allocUnsafe(name.length * 3);
    return this.scratch.write(name, 0, 'utf8');
  }

  private lookup(len: number, hash: number): { id: number; slot: number } {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot] as number;
      if (entry === 0) return { id: -1, slot };
      const id = entry - 1;
      if (this.hashes[id] === hash && this.equals(id, len)) return { id, slot };
    }
  }

  private equals(id: number, len: number): boolean {
    const start = id === 0 ? 0 : (this.ends[id - 1] as number);
    if ((this.ends[id] as number) - start !== len) return false;
    return this.bytes.compare(this.scratch, 0, len, start, start + len) === 0;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.size; id++) {
      let slot = (this.hashes[id] as number) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
  }
}

/** FNV-1a over bytes [0, len). */
function hashBytes(b: Buffer, len: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < len; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193);
  return h;
}

function grow(b: Buffer, atLeast: number): Buffer {
  const next = Buffer.allocUnsafe(Math.max(b.length * 2, atLeast));
  b.copy(next);
  return next;
}

function growInt32(a: Int32Array): Int32Array {
  const next = new Int32Array(a.length * 2);
  next.set(a);
  return next;
}
