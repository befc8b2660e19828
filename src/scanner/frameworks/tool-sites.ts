import {
  builtinCapability,
  classifyCustomTool,
  isBuiltinToolClass,
  looksLikeToolClass,
  trustOf,
} from '../analysis/tool-catalog.js';
import type { CallFact, Capability, PythonFacts, ToolDef } from '../model.js';
import { type DetectContext, inModules, lastSegment } from './detect-context.js';

export interface ToolSpec {
  /** Module roots whose decorators/base classes/tool classes belong to this framework. */
  roots: readonly string[];
  /** Decorator last segments that turn a function into a tool (`tool`, `function_tool`). */
  decorators?: readonly string[];
  /** Decorators written on an object (`@agent.tool`): attribute names after the dot. */
  methodDecorators?: readonly string[];
  /** Base classes that make a class a tool (`BaseTool`, `Tool`, `Toolkit`). */
  baseClasses?: readonly string[];
  /** Factory calls returning tools (`FunctionTool.from_defaults`). */
  factories?: readonly string[];
}

/** Methods that do a tool's work, and the base classes that make a class one tool. */
const TOOL_RUN_METHODS = new Set([
  '_run',
  '_arun',
  'run',
  'arun',
  'forward',
  '__call__',
  'invoke',
  'ainvoke',
]);
const SINGLE_TOOL_BASES = new Set(['BaseTool', 'Tool', 'StructuredTool']);

/**
 * Whether a call is made in the run method of a tool class of its own file
 * (`class Search(BaseTool): def _run(self, q): return DuckDuckGoSearchRun().run(q)`): the tool
 * it instantiates is how that tool works, not another tool an agent is given. A toolkit's
 * methods (`get_tools`) do hand their tools out, and stay counted.
 */
function insideToolRun(file: PythonFacts, call: CallFact): boolean {
  if (call.cls === null || call.fn === null || !TOOL_RUN_METHODS.has(call.fn)) return false;
  return file.classes.some(
    (c) => c.name === call.cls && c.bases.some((b) => SINGLE_TOOL_BASES.has(lastSegment(b.qualified))),
  );
}

function bodyCalls(file: PythonFacts, fn: string): string[] {
  return file.calls.filter((c) => c.fn === fn).map((c) => c.qualified);
}

function tool(
  name: string,
  source: ToolDef['source'],
  capability: Capability,
  file: string,
  line: number,
): ToolDef {
  return { name, source, capability, trust: trustOf(capability), site: { file, line } };
}

/** Tools defined or instantiated with one framework's API, once per definition site. */
export function detectTools(ctx: DetectContext, spec: ToolSpec): ToolDef[] {
  const tools: ToolDef[] = [];
  const decorators = new Set(spec.decorators ?? []);
  const methodDecorators = new Set(spec.methodDecorators ?? []);
  for (const file of ctx.files) {
    if (file.isTest) continue;
    for (const fn of file.functions) {
      const isTool = fn.decorators.some((d) => {
        const last = lastSegment(d.qualified);
        if (decorators.has(last) && inModules(d.qualified, spec.roots)) return true;
        return methodDecorators.has(last) && d.name.includes('.') && !inModules(d.qualified, spec.roots);
      });
      if (isTool)
        tools.push(
          tool(
            fn.name,
            'decorator',
            classifyCustomTool(fn.name, bodyCalls(file, fn.name)),
            file.path,
            fn.line,
          ),
        );
    }
  }
  if (spec.baseClasses && spec.baseClasses.length > 0) {
    const subclasses = ctx.subclassesOf(spec.roots, spec.baseClasses);
    for (const file of ctx.files) {
      if (file.isTest) continue;
      for (const cls of file.classes) {
        if (!subclasses.has(cls.name)) continue;
        const methods = file.calls.filter((c) => c.cls === cls.name).map((c) => c.qualified);
        tools.push(tool(cls.name, 'subclass', classifyCustomTool(cls.name, methods), file.path, cls.line));
      }
    }
  }
  for (const file of ctx.files) {
    if (file.isTest) continue;
    for (const call of file.calls) {
      if (!inModules(call.qualified, spec.roots) || insideToolRun(file, call)) continue;
      const last = lastSegment(call.callee);
      if (
        isBuiltinToolClass(last) ||
        (looksLikeToolClass(last) && !(spec.baseClasses ?? []).includes(last))
      ) {
        const cap = builtinCapability(last) ?? classifyCustomTool(last, []);
        tools.push({
          ...tool(call.assignedTo ?? last, 'builtin', cap, file.path, call.line),
          className: last,
        });
        continue;
      }
      if ((spec.factories ?? []).some((f) => call.callee.endsWith(f))) {
        const fnArg = call.kwargs.get('fn') ?? call.args[0];
        const fnName = fnArg?.kind === 'name' ? lastSegment(fnArg.value) : (call.assignedTo ?? last);
        const nameArg = call.kwargs.get('name');
        const label = nameArg?.kind === 'str' ? nameArg.value : fnName;
        const calls = ctx.functionsNamed(fnName).flatMap((f) => bodyCalls(f.file, fnName));
        tools.push(
          tool(call.assignedTo ?? fnName, 'function', classifyCustomTool(label, calls), file.path, call.line),
        );
      }
    }
  }
  return tools;
}
