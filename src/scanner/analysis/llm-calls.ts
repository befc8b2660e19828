import type { CallFact, PythonFacts } from '../model.js';
import { LLM_INVOKE_METHODS as INVOKE_METHODS } from '../parse/python-facts.js';

/** Chat-model classes and client constructors, by class name → provider. */
export const CHAT_MODEL_PROVIDERS: Record<string, string> = {
  ChatOpenAI: 'openai',
  OpenAI: 'openai',
  AsyncOpenAI: 'openai',
  OpenAIChat: 'openai',
  OpenAIChatCompletionsModel: 'openai',
  OpenAIResponsesModel: 'openai',
  OpenAIModel: 'openai',
  OpenAIChatCompletionClient: 'openai',
  OpenAIChatCompletion: 'openai',
  AzureChatOpenAI: 'azure_openai',
  AzureOpenAI: 'azure_openai',
  AsyncAzureOpenAI: 'azure_openai',
  AzureOpenAIChatCompletionClient: 'azure_openai',
  AzureChatCompletion: 'azure_openai',
  ChatAnthropic: 'anthropic',
  Anthropic: 'anthropic',
  AsyncAnthropic: 'anthropic',
  AnthropicModel: 'anthropic',
  Claude: 'anthropic',
  AnthropicChatCompletionClient: 'anthropic',
  ChatGoogleGenerativeAI: 'google',
  ChatVertexAI: 'google',
  GoogleModel: 'google',
  GeminiModel: 'google',
  Gemini: 'google',
  GenerativeModel: 'google',
  ChatOllama: 'ollama',
  Ollama: 'ollama',
  OllamaLLM: 'ollama',
  OllamaChatCompletionClient: 'ollama',
  ChatGroq: 'groq',
  Groq: 'groq',
  GroqModel: 'groq',
  ChatMistralAI: 'mistral',
  MistralModel: 'mistral',
  ChatBedrock: 'aws_bedrock',
  ChatBedrockConverse: 'aws_bedrock',
  BedrockConverseModel: 'aws_bedrock',
  AwsBedrock: 'aws_bedrock',
  ChatCohere: 'cohere',
  ChatDeepSeek: 'deepseek',
  DeepSeek: 'deepseek',
  ChatTogether: 'together',
  ChatFireworks: 'fireworks',
  ChatHuggingFace: 'huggingface',
  HfApiModel: 'huggingface',
  InferenceClientModel: 'huggingface',
  LiteLLMModel: 'litellm',
  LiteLLM: 'litellm',
  LLM: 'litellm',
};

/** Factories that return a chat model whatever the provider. */
const GENERIC_MODEL_FACTORIES = new Set(['init_chat_model', 'load_chat_model', 'get_llm', 'get_model']);

function last(dotted: string): string {
  const i = dotted.lastIndexOf('.');
  return i === -1 ? dotted : dotted.slice(i + 1);
}

function head(dotted: string): string {
  const m = /[.(]/.exec(dotted);
  return m ? dotted.slice(0, m.index) : dotted;
}

export function isChatModelConstructor(call: CallFact): boolean {
  const name = last(call.callee);
  if (GENERIC_MODEL_FACTORIES.has(name)) return true;
  if (!(name in CHAT_MODEL_PROVIDERS)) return false;
  // `LLM` and `OpenAI` are common words; only count them when imported from a known package.
  return call.qualified !== call.callee || call.callee.includes('.');
}

/** Variables (module or function level) holding a chat model or an LLM client. */
export function llmVariables(file: PythonFacts): Set<string> {
  const vars = new Set<string>();
  for (const call of file.calls) {
    if (call.assignedTo === null) continue;
    if (isChatModelConstructor(call)) vars.add(call.assignedTo);
  }
  // `llm_with_tools = llm.bind_tools(...)` and similar derived models.
  for (const call of file.calls) {
    if (call.assignedTo === null) continue;
    const method = last(call.callee);
    if (
      (method === 'bind_tools' || method === 'with_structured_output' || method === 'bind') &&
      vars.has(head(call.callee))
    )
      vars.add(call.assignedTo);
  }
  // LCEL chains with a model in them (`chain = prompt | llm | parser`).
  for (const a of file.assigns) if (a.value.kind === 'name' && vars.has(a.value.value)) vars.add(a.target);
  return vars;
}

/** A call that sends a request to a model: a model invocation or a provider SDK call. */
export function isLlmCall(call: CallFact, llmVars: ReadonlySet<string>): boolean {
  const callee = call.callee;
  if (
    /\.chat\.completions\.create$|\.responses\.create$|\.messages\.create$|\.completions\.create$/.test(
      callee,
    )
  )
    return true;
  if (call.qualified === 'litellm.completion' || call.qualified === 'litellm.acompletion') return true;
  const method = last(callee);
  if (!INVOKE_METHODS.has(method) || !callee.includes('.')) return false;
  const receiver = callee.slice(0, callee.length - method.length - 1);
  if (llmVars.has(receiver) || llmVars.has(head(receiver))) return true;
  // `ChatOpenAI(...).invoke(...)` / `llm.bind_tools(t).invoke(...)`
  const inner = /^(.*)\(\)$/.exec(receiver)?.[1];
  if (inner === undefined) return false;
  const innerLast = last(inner);
  return (
    innerLast in CHAT_MODEL_PROVIDERS || GENERIC_MODEL_FACTORIES.has(innerLast) || llmVars.has(head(inner))
  );
}

/** Outbound HTTP calls by the libraries agents use. */
export function isHttpCall(call: CallFact): boolean {
  return (
    /^(requests|httpx|aiohttp)\.(get|post|put|patch|delete|head|request)$/.test(call.qualified) ||
    /^urllib\.request\.urlopen$/.test(call.qualified)
  );
}

/** Functions (by name, per file) that call a model directly or through local helpers. */
export function functionsCallingLlm(files: readonly PythonFacts[]): Set<string> {
  const direct = new Set<string>();
  const calledBy = new Map<string, Set<string>>();
  for (const file of files) {
    const vars = llmVariables(file);
    for (const call of file.calls) {
      if (call.fn === null) continue;
      if (isLlmCall(call, vars) || isChatModelConstructor(call)) direct.add(call.fn);
    }
    for (const fn of file.functions) calledBy.set(fn.name, new Set(fn.calledNames));
  }
  // Helpers: a function calling a function that calls a model (bounded fixpoint).
  for (let round = 0; round < 4; round++) {
    let grew = false;
    for (const [fn, callees] of calledBy) {
      if (direct.has(fn)) continue;
      for (const c of callees)
        if (direct.has(c)) {
          direct.add(fn);
          grew = true;
          break;
        }
    }
    if (!grew) break;
  }
  return direct;
}
