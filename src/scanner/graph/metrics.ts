import { createHash } from 'node:crypto';
import type { AgentGraph } from './build-graph.js';

export interface TopologyMetrics {
  diameter: number;
  avg_degree: number;
  max_degree: number;
  clustering_coefficient: number;
  connected_components: number;
  longest_chain: number;
  hub_score: number;
}

/** BFS sources at most (diameter on huge graphs is measured from the first N nodes). */
const MAX_BFS_SOURCES = 1500;

export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function topologyMetrics(g: AgentGraph): TopologyMetrics {
  const n = g.nodes.length;
  const idx = new Map(g.nodes.map((node, i) => [node.key, i]));
  const adj: Set<number>[] = g.nodes.map(() => new Set<number>());
  const out: number[][] = g.nodes.map(() => []);
  for (const e of g.edges) {
    const a = idx.get(e.from);
    const b = idx.get(e.to);
    if (a === undefined || b === undefined || a === b) continue;
    (adj[a] as Set<number>).add(b);
    (adj[b] as Set<number>).add(a);
    (out[a] as number[]).push(b);
  }
  let maxDegree = 0;
  for (const s of adj) maxDegree = Math.max(maxDegree, s.size);

  // Components and diameter (longest shortest path inside a component).
  const comp = new Array<number>(n).fill(-1);
  let components = 0;
  for (let i = 0; i < n; i++) {
    if (comp[i] !== -1) continue;
    const queue = [i];
    comp[i] = components;
    for (let q = 0; q < queue.length; q++)
      for (const j of adj[queue[q] as number] as Set<number>)
        if (comp[j] === -1) {
          comp[j] = components;
          queue.push(j);
        }
    components++;
  }
  let diameter = 0;
  const dist = new Int32Array(n);
  for (let s = 0; s < Math.min(n, MAX_BFS_SOURCES); s++) {
    dist.fill(-1);
    dist[s] = 0;
    const queue = [s];
    for (let q = 0; q < queue.length; q++) {
      const u = queue[q] as number;
      for (const v of adj[u] as Set<number>)
        if (dist[v] === -1) {
          dist[v] = (dist[u] as number) + 1;
          diameter = Math.max(diameter, dist[v] as number);
          queue.push(v);
        }
    }
  }

  // Average local clustering (nodes of degree < 2 count as 0, as networkx does).
  let clustering = 0;
  for (let i = 0; i < n; i++) {
    const nb = [...(adj[i] as Set<number>)];
    const k = nb.length;
    if (k < 2) continue;
    let links = 0;
    for (let x = 0; x < k; x++)
      for (let y = x + 1; y < k; y++) if ((adj[nb[x] as number] as Set<number>).has(nb[y] as number)) links++;
    clustering += (2 * links) / (k * (k - 1));
  }

  // Longest directed chain, ignoring edges that close a cycle.
  const state = new Uint8Array(n); // 0 new, 1 on stack, 2 done
  const longest = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    if (state[s] !== 0) continue;
    const stack: [number, number][] = [[s, 0]];
    state[s] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as [number, number];
      const [u, i] = top;
      const outs = out[u] as number[];
      if (i < outs.length) {
        top[1]++;
        const v = outs[i] as number;
        if (state[v] === 0) {
          state[v] = 1;
          stack.push([v, 0]);
        }
        continue;
      }
      let best = 0;
      for (const v of outs) if (state[v] === 2) best = Math.max(best, (longest[v] as number) + 1);
      longest[u] = best;
      state[u] = 2;
      stack.pop();
    }
  }
  let longestChain = 0;
  for (const l of longest) longestChain = Math.max(longestChain, l);

  let hub = 0;
  g.nodes.forEach((node, i) => {
    if (node.type === 'agent') hub = Math.max(hub, (adj[i] as Set<number>).size);
  });

  return {
    diameter,
    avg_degree: n === 0 ? 0 : round((2 * g.edges.length) / n, 2),
    max_degree: maxDegree,
    clustering_coefficient: n === 0 ? 0 : round(clustering / n, 4),
    connected_components: components,
    longest_chain: longestChain,
    hub_score: hub,
  };
}

/**
 * A hash of the typed structure that ignores every name: Weisfeiler–Lehman refinement of node
 * labels (type + kind) over typed, directed edges, then the sorted multiset of final labels
 * and labelled edges. Copies of one project collide; different structures do not.
 */
export function topologySignature(g: AgentGraph): string {
  const idx = new Map(g.nodes.map((node, i) => [node.key, i]));
  let labels = g.nodes.map((node) => `${node.type}:${node.kind}`);
  const outE: [number, string][][] = g.nodes.map(() => []);
  const inE: [number, string][][] = g.nodes.map(() => []);
  for (const e of g.edges) {
    const a = idx.get(e.from);
    const b = idx.get(e.to);
    if (a === undefined || b === undefined) continue;
    (outE[a] as [number, string][]).push([b, e.type]);
    (inE[b] as [number, string][]).push([a, e.type]);
  }
  const h = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);
  for (let round = 0; round < 3; round++) {
    labels = labels.map((label, i) => {
      const o = (outE[i] as [number, string][]).map(([j, t]) => `>${t}:${labels[j]}`).sort();
      const inn = (inE[i] as [number, string][]).map(([j, t]) => `<${t}:${labels[j]}`).sort();
      return h(`${label}|${o.join(',')}|${inn.join(',')}`);
    });
  }
  const edgeLabels = g.edges
    .map((e) => `${labels[idx.get(e.from) as number]}-${e.type}-${labels[idx.get(e.to) as number]}`)
    .sort();
  return createHash('sha256')
    .update(JSON.stringify([[...labels].sort(), edgeLabels]))
    .digest('hex')
    .slice(0, 16);
}
