import { loadToolsCapability, trustOf } from '../../analysis/tool-catalog.js';
import { emptyDetection } from '../../model.js';
import { hasSetting, isTrue, kw, lastSegment, newAgent, refNames, site } from '../detect-context.js';
import type { FrameworkDetector } from '../detector.js';
import { detectTools } from '../tool-sites.js';

const ROOTS = ['langchain*'];
const EXECUTORS = [
  'initialize_agent',
  'AgentExecutor',
  'from_agent_and_tools',
  'create_pandas_dataframe_agent',
  'create_csv_agent',
  'create_python_agent',
  'create_spark_dataframe_agent',
  'create_sql_agent',
  'create_json_agent',
  'PlanAndExecute',
  'create_agent',
];
const CODE_EXECUTING = new Set([
  'create_pandas_dataframe_agent',
  'create_csv_agent',
  'create_python_agent',
  'create_spark_dataframe_agent',
]);
const DANGEROUS_FLAGS = [
  'allow_dangerous_code',
  'allow_dangerous_requests',
  'allow_dangerous_deserialization',
];

export const langchain: FrameworkDetector = {
  id: 'langchain',
  displayName: 'LangChain',
  modules: ['langchain*'],
  packages: ['langchain', 'langchain-core', 'langchain-community', 'langchain-openai'],
  filePatterns: ['**/*.py', '**/*.ipynb'],
  detect(ctx) {
    const d = emptyDetection();
    for (const cs of ctx.callsTo(ROOTS, EXECUTORS)) {
      const c = cs.call;
      const name = lastSegment(c.callee);
      if (name === 'from_agent_and_tools' && !c.callee.includes('AgentExecutor')) continue;
      const toolsArg = kw(c, 'tools') ?? (name === 'initialize_agent' ? c.args[0] : undefined);
      d.agents.push(
        newAgent(this.displayName, cs, {
          toolRefs: refNames(toolsArg, cs.file),
          bounded: hasSetting(c, ['max_iterations', 'max_execution_time']),
          intrinsic: CODE_EXECUTING.has(name) ? ['code_execution'] : [],
        }),
      );
    }
    for (const cs of ctx.callsTo(ROOTS, ['HumanInputRun', 'HumanApprovalCallbackHandler']))
      d.hitlSites.push(site(cs));
    for (const cs of ctx.callsTo(ROOTS, ['load_tools'])) {
      const list = cs.call.args[0];
      if (list?.kind !== 'list') continue;
      for (const item of list.items) {
        if (item.kind !== 'str') continue;
        if (item.value === 'human') {
          d.hitlSites.push(site(cs));
          continue;
        }
        const capability = loadToolsCapability(item.value);
        d.tools.push({
          name: item.value,
          source: 'builtin',
          capability,
          trust: trustOf(capability),
          site: site(cs),
        });
      }
    }
    for (const file of ctx.files) {
      if (file.isTest) continue;
      for (const c of file.calls) {
        for (const flag of DANGEROUS_FLAGS)
          if (isTrue(c.kwargs.get(flag)))
            d.dangerousFlags.push({ flag, site: { file: file.path, line: c.line } });
      }
    }
    d.tools.push(
      ...detectTools(ctx, {
        roots: ROOTS,
        decorators: ['tool'],
        baseClasses: ['BaseTool'],
        factories: ['Tool.from_function', 'StructuredTool.from_function', 'Tool'],
      }),
    );
    return d;
  },
};
