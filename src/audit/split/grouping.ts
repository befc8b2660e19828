import { GrowableInt32 } from '../counts.js';

/**
 * Union–find over repository indices: repositories linked by a shared key (a topology hash, a
 * fork family) end in one group, so the split can keep each group on one side. Memory: two
 * ints per repository plus one map entry per distinct key.
 */
export class LeakageGroups {
  // Stryker disable next-line UnaryOperator: every index is added (addRepo) before it is read
  private readonly parent = new GrowableInt32(1024, -1);
  private readonly size = new GrowableInt32(1024, 0);
  private readonly firstByKey = new Map<string, number>();

  addRepo(index: number): void {
    this.parent.set(index, index);
    this.size.set(index, 1);
  }

  /** Puts repository `index` in the group of every other repository linked to `key`. */
  link(index: number, key: string): void {
    const first = this.firstByKey.get(key);
    if (first === undefined) this.firstByKey.set(key, index);
    else this.union(first, index);
  }

  find(index: number): number {
    let root = index;
    while (this.parent.get(root) !== root) root = this.parent.get(root);
    let cur = index;
    // Path compression: speed only, the root found is the same without it.
    // Stryker disable next-line ConditionalExpression: equivalent (performance only)
    while (this.parent.get(cur) !== root) {
      const next = this.parent.get(cur);
      this.parent.set(cur, root);
      cur = next;
    }
    return root;
  }

  union(a: number, b: number): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    // The lower index stays root so the group's name (its first repository) is stable.
    // Stryker disable next-line EqualityOperator: ra === rb returned above
    if (rb < ra) [ra, rb] = [rb, ra];
    this.parent.set(rb, ra);
    this.size.set(ra, this.size.get(ra) + this.size.get(rb));
  }

  groupSize(index: number): number {
    return this.size.get(this.find(index));
  }
}
