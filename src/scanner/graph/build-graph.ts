import type { Analysis } from '../analysis/analyze.js';
import { TRUST_RANK } from '../analysis/tool-catalog.js';
import type { Capability, ToolDef, TrustLevel } from '../model.js';

export type NodeType = 'agent' | 'capability' | 'external' | 'data_store' | 'guardrail';
export type EdgeType =
  | 'tool_of'
  | 'sends_to'
  | 'reads_from'
  | 'writes_to'
  | 'feeds_into'
  | 'delegates_to'
  | 'filtered_by'
  | 'shares_tool';

export interface GraphNode {
  key: string;
  type: NodeType;
  /** Structural label (no names): capability kind, guardrail type, store kind… */
  kind: string;
}

export interface GraphEdge {
  from: string;
  to: string;
  type: EdgeType;
}

export interface DataPath {
  source: ToolDef;
  sink: ToolDef;
  hops: number;
  controlled: boolean;
  /** Agent ids on the path. */
  agents: string[];
}

export interface AgentGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Capability node per tool, keyed like the nodes. */
  capabilities: { key: string; tool: ToolDef }[];
  trustCrossings: Map<string, number>;
  downwardCrossings: number;
  paths: DataPath[];
  /** Per tool key: agents using it. */
  toolAgents: Map<string, string[]>;
}

const EXTERNAL_OF: Partial<Record<Capability, string>> = {
  outbound: 'web',
  communication: 'messaging',
  financial: 'payments',
};
const SOURCES = new Set<Capability>(['outbound', 'retrieval', 'communication', 'data_access']);
const SINKS = new Set<Capability>([
  'outbound',
  'communication',
  'destructive',
  'financial',
  'code_execution',
]);

function toolKey(t: ToolDef): string {
  return `cap:${t.site.file}:${t.site.line}:${t.name}`;
}

/** The agent–tool–data graph of the repository, and the data paths through it. */
export function buildGraph(a: Analysis): AgentGraph {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const edgeSet = new Set<string>();
  const addNode = (key: string, type: NodeType, kind: string) => {
    if (!nodes.has(key)) nodes.set(key, { key, type, kind });
  };
  const addEdge = (from: string, to: string, type: EdgeType) => {
    const k = `${from}|${to}|${type}`;
    if (edgeSet.has(k)) return;
    edgeSet.add(k);
    edges.push({ from, to, type });
  };

  for (const agent of a.agents) addNode(`agent:${agent.id}`, 'agent', 'agent');
  const capabilities: AgentGraph['capabilities'] = [];
  const addCapability = (t: ToolDef) => {
    const key = toolKey(t);
    if (nodes.has(key)) return key;
    addNode(key, 'capability', t.capability);
    capabilities.push({ key, tool: t });
    const ext = EXTERNAL_OF[t.capability];
    if (ext) {
      addNode(`ext:${ext}`, 'external', ext);
      addEdge(key, `ext:${ext}`, 'sends_to');
    }
    if (t.capability === 'data_access' || t.capability === 'retrieval') {
      const store = t.capability === 'retrieval' ? 'index' : 'data';
      addNode(`store:${store}`, 'data_store', store);
      addEdge(key, `store:${store}`, 'reads_from');
    }
    if (t.capability === 'destructive') {
      addNode('store:data', 'data_store', 'data');
      addEdge(key, 'store:data', 'writes_to');
    }
    return key;
  };
  for (const t of a.tools) addCapability(t);
  for (const s of a.mcpServers) {
    if (s.definedHere) continue;
    addCapability({
      name: s.key,
      source: 'mcp',
      capability: 'outbound',
      trust: 'external',
      site: s.site,
    });
  }
  const toolAgents = new Map<string, string[]>();
  for (const agent of a.agents) {
    for (const t of a.agentCapabilities.get(agent.id) ?? []) {
      const key = addCapability(t);
      addEdge(key, `agent:${agent.id}`, 'tool_of');
      const list = toolAgents.get(key) ?? [];
      if (!list.includes(agent.id)) list.push(agent.id);
      toolAgents.set(key, list);
    }
  }

  // Agent-to-agent hand-overs: group flows, explicit delegation, delegation inside a crew.
  const agentsByName = new Map<string, string[]>();
  for (const agent of a.agents) {
    const list = agentsByName.get(agent.name) ?? [];
    list.push(agent.id);
    agentsByName.set(agent.name, list);
  }
  const resolve = (name: string, preferFile: string): string | undefined => {
    const ids = agentsByName.get(name) ?? agentsByName.get(name.split('.').pop() as string) ?? [];
    return ids.find((id) => id.startsWith(`${preferFile}:`)) ?? ids[0];
  };
  const flows: [string, string, 'feeds_into' | 'delegates_to'][] = [];
  for (const g of a.groups) {
    const members = a.groupMembers.get(g.id) ?? [];
    for (const [from, to] of g.flows) {
      const f = resolve(from, g.site.file);
      const t = resolve(to, g.site.file);
      if (f && t && f !== t) flows.push([f, t, 'feeds_into']);
    }
    for (const id of members) {
      const agent = a.agents.find((x) => x.id === id);
      if (agent?.delegates && g.kind === 'crew')
        for (const other of members) if (other !== id) flows.push([id, other, 'delegates_to']);
    }
  }
  for (const agent of a.agents)
    for (const target of agent.delegatesTo) {
      const t = resolve(target, agent.site.file);
      if (t && t !== agent.id) flows.push([agent.id, t, 'delegates_to']);
    }
  for (const [f, t, type] of flows) addEdge(`agent:${f}`, `agent:${t}`, type);

  for (const [, users] of toolAgents) {
    const sorted = [...users].sort();
    for (let i = 0; i < sorted.length; i++)
      for (let j = i + 1; j < sorted.length; j++)
        addEdge(`agent:${sorted[i]}`, `agent:${sorted[j]}`, 'shares_tool');
  }

  for (const g of a.guardrails) {
    const key = `guard:${g.site.file}:${g.site.line}:${g.type}`;
    addNode(key, 'guardrail', g.type);
    if (g.agentId !== null) addEdge(`agent:${g.agentId}`, key, 'filtered_by');
  }

  // Trust crossings and data paths: capabilities of one agent, and across one hand-over.
  const guarded = new Set(a.guardrails.filter((g) => g.agentId !== null).map((g) => g.agentId as string));
  for (const agent of a.agents) if (agent.hitl) guarded.add(agent.id);
  const trustCrossings = new Map<string, number>();
  let downwardCrossings = 0;
  const paths: DataPath[] = [];
  const capsOf = (id: string) => a.agentCapabilities.get(id) ?? [];
  const consider = (src: ToolDef, dst: ToolDef, hops: number, agentIds: string[], sinkAgent: string) => {
    if (src === dst) return;
    if (src.trust !== dst.trust) {
      const k = `${src.trust}→${dst.trust}`;
      trustCrossings.set(k, (trustCrossings.get(k) ?? 0) + 1);
      if (TRUST_RANK[src.trust as TrustLevel] > TRUST_RANK[dst.trust as TrustLevel]) downwardCrossings++;
    }
    if (SOURCES.has(src.capability) && SINKS.has(dst.capability))
      paths.push({ source: src, sink: dst, hops, controlled: guarded.has(sinkAgent), agents: agentIds });
  };
  for (const agent of a.agents) {
    const caps = capsOf(agent.id);
    for (const s of caps) for (const d of caps) consider(s, d, 2, [agent.id], agent.id);
  }
  for (const [f, t] of flows)
    for (const s of capsOf(f)) for (const d of capsOf(t)) consider(s, d, 3, [f, t], t);

  const sortedNodes = [...nodes.values()].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  edges.sort((x, y) => (x.from + x.to + x.type < y.from + y.to + y.type ? -1 : 1));
  return { nodes: sortedNodes, edges, capabilities, trustCrossings, downwardCrossings, paths, toolAgents };
}
