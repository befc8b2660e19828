import { emptyDetection } from '../../model.js';
import {
  hasSetting,
  inModules,
  kw,
  lastSegment,
  memberList,
  newAgent,
  newGroup,
  refNames,
  site,
  strArg,
} from '../detect-context.js';
import type { FrameworkDetector } from '../detector.js';
import { detectTools } from '../tool-sites.js';

const ROOTS = ['autogen', 'autogen_agentchat', 'autogen_core', 'autogen_ext', 'pyautogen', 'ag2'];
const AGENT_CLASSES = [
  'AssistantAgent',
  'UserProxyAgent',
  'ConversableAgent',
  'CodeExecutorAgent',
  'SocietyOfMindAgent',
  'RetrieveUserProxyAgent',
  'RetrieveAssistantAgent',
  'GPTAssistantAgent',
  'MultimodalConversableAgent',
  'CaptainAgent',
  'MultimodalWebSurfer',
  'FileSurfer',
  'MagenticOneCoderAgent',
];
const TEAMS = ['RoundRobinGroupChat', 'SelectorGroupChat', 'Swarm', 'MagenticOneGroupChat'];

export const autogen: FrameworkDetector = {
  id: 'autogen',
  displayName: 'AutoGen',
  modules: ROOTS,
  packages: ['autogen-agentchat', 'pyautogen', 'ag2', 'autogen', 'autogen-core'],
  filePatterns: ['**/*.py', '**/*.ipynb', 'OAI_CONFIG_LIST'],
  detect(ctx) {
    const d = emptyDetection();
    const subclasses = ctx.subclassesOf(ROOTS, AGENT_CLASSES);
    const sites = [
      ...ctx.callsTo(ROOTS, AGENT_CLASSES),
      ...[...subclasses].flatMap((n) => ctx.callsNamed(n)),
    ];
    const seen = new Set<string>();
    for (const cs of sites) {
      const key = `${cs.file.path}:${cs.call.line}:${cs.call.callee}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const c = cs.call;
      const cls = lastSegment(c.callee);
      const v04 = inModules(c.qualified, ['autogen_agentchat']);
      const mode = strArg(kw(c, 'human_input_mode'));
      const hitl = (cls === 'UserProxyAgent' && (v04 || mode === 'ALWAYS')) || mode === 'ALWAYS';
      const exec = kw(c, 'code_execution_config');
      const executes =
        cls === 'CodeExecutorAgent' ||
        (exec !== undefined && !(exec.kind === 'bool' && !exec.value) && exec.kind !== 'none');
      if (exec?.kind === 'dict') {
        const docker = exec.entries.get('use_docker');
        if (docker?.kind === 'bool' && !docker.value)
          d.dangerousFlags.push({ flag: 'use_docker=False', site: site(cs) });
      }
      const toolsArg = kw(c, 'tools') ?? kw(c, 'functions');
      d.agents.push(
        newAgent(this.displayName, cs, {
          toolRefs: refNames(toolsArg, cs.file),
          bounded: hasSetting(c, ['max_consecutive_auto_reply', 'max_tool_iterations']),
          intrinsic: executes ? ['code_execution'] : [],
          hitl,
        }),
      );
      if (hitl) d.hitlSites.push(site(cs));
    }
    for (const cs of ctx.callsTo(ROOTS, ['GroupChat'])) {
      const c = cs.call;
      d.groups.push(
        newGroup(this.displayName, 'group_chat', cs, {
          ...memberList(kw(c, 'agents') ?? c.args[0], cs.file),
          bounded: hasSetting(c, ['max_round']),
        }),
      );
    }
    for (const cs of ctx.callsTo(ROOTS, TEAMS)) {
      const c = cs.call;
      d.groups.push(
        newGroup(this.displayName, 'team', cs, {
          ...memberList(kw(c, 'participants') ?? c.args[0], cs.file),
          bounded: hasSetting(c, ['termination_condition', 'max_turns']) || c.args.length > 1,
          sequential: lastSegment(c.callee) === 'RoundRobinGroupChat',
        }),
      );
    }
    for (const cs of ctx.callsTo(ROOTS, ['register_function'])) {
      const fn = cs.call.args[0];
      if (fn?.kind === 'name') {
        const caller = kw(cs.call, 'caller');
        const agentName = caller?.kind === 'name' ? caller.value : null;
        const agent = d.agents.find((a) => a.name === agentName);
        agent?.toolRefs.push(lastSegment(fn.value));
      }
    }
    d.tools.push(
      ...detectTools(ctx, { roots: ROOTS, factories: ['FunctionTool'], baseClasses: ['BaseTool'] }),
    );
    return d;
  },
};
