import { agno } from './agno/index.js';
import { autogen } from './autogen/index.js';
import { crewai } from './crewai/index.js';
import type { FrameworkDetector } from './detector.js';
import { dspy } from './dspy/index.js';
import { googleAdk } from './google_adk/index.js';
import { haystack } from './haystack/index.js';
import { langchain } from './langchain/index.js';
import { langgraph } from './langgraph/index.js';
import { llamaindex } from './llamaindex/index.js';
import { openaiAgents } from './openai_agents/index.js';
import { pydanticAi } from './pydantic_ai/index.js';
import { semanticKernel } from './semantic_kernel/index.js';
import { smolagents } from './smolagents/index.js';

/** Every framework detector, one per folder (a test checks the folders equal this list). */
export const FRAMEWORK_DETECTORS: readonly FrameworkDetector[] = [
  langchain,
  langgraph,
  crewai,
  autogen,
  llamaindex,
  agno,
  smolagents,
  openaiAgents,
  pydanticAi,
  semanticKernel,
  haystack,
  dspy,
  googleAdk,
];
