import type { Capability, TrustLevel } from '../model.js';

/**
 * Built-in tool classes of the frameworks and their tool packages, by class name, with the
 * capability they give an agent. Names are matched exactly; unknown classes fall back to
 * `classifyByName`.
 */
const BUILTIN: Record<string, Capability> = {
  // search / web (outbound)
  SerperDevTool: 'outbound',
  ScrapeWebsiteTool: 'outbound',
  WebsiteSearchTool: 'outbound',
  SeleniumScrapingTool: 'outbound',
  FirecrawlScrapeWebsiteTool: 'outbound',
  FirecrawlSearchTool: 'outbound',
  BrowserbaseLoadTool: 'outbound',
  EXASearchTool: 'outbound',
  TavilySearchResults: 'outbound',
  TavilySearch: 'outbound',
  TavilyTools: 'outbound',
  DuckDuckGoSearchRun: 'outbound',
  DuckDuckGoSearchResults: 'outbound',
  DuckDuckGoSearchTool: 'outbound',
  DuckDuckGoTools: 'outbound',
  GoogleSearchTools: 'outbound',
  GoogleSearchAPIWrapper: 'outbound',
  GoogleSerperAPIWrapper: 'outbound',
  SerpAPIWrapper: 'outbound',
  BingSearchRun: 'outbound',
  BraveSearch: 'outbound',
  WikipediaQueryRun: 'outbound',
  WikipediaTools: 'outbound',
  ArxivQueryRun: 'outbound',
  ArxivTools: 'outbound',
  RequestsGetTool: 'outbound',
  RequestsPostTool: 'outbound',
  RequestsToolkit: 'outbound',
  VisitWebpageTool: 'outbound',
  WebSearchTool: 'outbound',
  GoogleSearchTool: 'outbound',
  HackerNewsTools: 'outbound',
  Newspaper4kTools: 'outbound',
  CrawlTools: 'outbound',
  // communication (outbound to people)
  GmailToolkit: 'communication',
  GmailSendMessage: 'communication',
  SlackToolkit: 'communication',
  SlackTools: 'communication',
  EmailTools: 'communication',
  ResendTools: 'communication',
  TwilioTools: 'communication',
  // data access / retrieval
  FileReadTool: 'data_access',
  DirectoryReadTool: 'data_access',
  DirectorySearchTool: 'retrieval',
  PDFSearchTool: 'retrieval',
  TXTSearchTool: 'retrieval',
  CSVSearchTool: 'retrieval',
  DOCXSearchTool: 'retrieval',
  JSONSearchTool: 'retrieval',
  MDXSearchTool: 'retrieval',
  RagTool: 'retrieval',
  ReadFileTool: 'data_access',
  ListDirectoryTool: 'data_access',
  QueryEngineTool: 'retrieval',
  RetrieverTool: 'retrieval',
  FileSearchTool: 'retrieval',
  SQLDatabaseToolkit: 'data_access',
  QuerySQLDataBaseTool: 'data_access',
  QuerySQLDatabaseTool: 'data_access',
  InfoSQLDatabaseTool: 'data_access',
  NL2SQLTool: 'data_access',
  PGSearchTool: 'data_access',
  SQLTools: 'data_access',
  PostgresTools: 'data_access',
  DuckDbTools: 'data_access',
  CsvTools: 'data_access',
  PandasTools: 'data_access',
  // destructive (writes, deletes)
  FileWriterTool: 'destructive',
  WriteFileTool: 'destructive',
  DeleteFileTool: 'destructive',
  MoveFileTool: 'destructive',
  CopyFileTool: 'destructive',
  FileManagementToolkit: 'destructive',
  FileTools: 'destructive',
  LocalFileSystemTools: 'destructive',
  GithubTools: 'destructive',
  GitHubToolkit: 'destructive',
  JiraToolkit: 'destructive',
  // code execution
  CodeInterpreterTool: 'code_execution',
  PythonREPLTool: 'code_execution',
  PythonREPL: 'code_execution',
  PythonAstREPLTool: 'code_execution',
  PythonInterpreterTool: 'code_execution',
  PythonTools: 'code_execution',
  ShellTool: 'code_execution',
  ShellTools: 'code_execution',
  BashTool: 'code_execution',
  TerminalTool: 'code_execution',
  E2BTools: 'code_execution',
  ComputerTool: 'code_execution',
  CodeInterpreterToolkit: 'code_execution',
  LocalCommandLineCodeExecutor: 'code_execution',
  DockerCommandLineCodeExecutor: 'code_execution',
  // financial
  YFinanceTools: 'financial',
  YahooFinanceNewsTool: 'financial',
  StripeAgentToolkit: 'financial',
  StripeTools: 'financial',
  AlphaVantageAPIWrapper: 'financial',
  OpenBBTools: 'financial',
  // compute
  Calculator: 'compute',
  CalculatorTools: 'compute',
  WolframAlphaQueryRun: 'compute',
};

/** `load_tools([...])` names of LangChain. */
const LOAD_TOOLS: Record<string, Capability> = {
  serpapi: 'outbound',
  'google-search': 'outbound',
  'google-serper': 'outbound',
  'ddg-search': 'outbound',
  wikipedia: 'outbound',
  arxiv: 'outbound',
  requests: 'outbound',
  requests_all: 'outbound',
  requests_get: 'outbound',
  requests_post: 'outbound',
  'llm-math': 'compute',
  terminal: 'code_execution',
  python_repl: 'code_execution',
  'wolfram-alpha': 'compute',
};

/** Shell and REPL tools: the security rule on interpreter access looks for these. */
export const SHELL_TOOL_CLASSES = new Set([
  'ShellTool',
  'ShellTools',
  'BashTool',
  'TerminalTool',
  'PythonREPLTool',
  'PythonREPL',
  'PythonAstREPLTool',
  'PythonTools',
  'PythonInterpreterTool',
  'LocalCommandLineCodeExecutor',
]);

export function builtinCapability(className: string): Capability | null {
  return BUILTIN[className] ?? null;
}

export function loadToolsCapability(name: string): Capability {
  return LOAD_TOOLS[name] ?? 'compute';
}

export function isBuiltinToolClass(className: string): boolean {
  return className in BUILTIN;
}

/** Class-name suffixes that make an unknown class a tool (`…Tool`, `…Tools`, `…Toolkit`). */
export function looksLikeToolClass(className: string): boolean {
  return /(Tool|Tools|Toolkit)$/.test(className) && /^[A-Z]/.test(className);
}

const CALL_HINTS: [RegExp, Capability][] = [
  [/^(subprocess\.|os\.system$|os\.popen$|exec$|eval$|pty\.)/, 'code_execution'],
  [/^(os\.remove|os\.unlink|shutil\.rmtree|os\.rmdir|shutil\.move|os\.rename)$/, 'destructive'],
  [/^(stripe\.|paypal|plaid\.)/, 'financial'],
  [/^(smtplib\.|slack_sdk\.|twilio\.)/, 'communication'],
  [/^(requests\.|httpx\.|aiohttp\.|urllib\.request\.)/, 'outbound'],
  [/^(sqlite3\.|psycopg2?\.|pymongo\.|sqlalchemy\.)/, 'data_access'],
];

const NAME_HINTS: [RegExp, Capability][] = [
  [
    /(shell|bash|terminal|exec(ute)?_(code|python|command)|run_(code|python|command)|repl)/i,
    'code_execution',
  ],
  [/(delete|remove|drop|write|save|update|create|insert|upload|commit|deploy|modify)/i, 'destructive'],
  [/(pay|payment|transfer|refund|charge|invoice|stock|trade|price|finance|balance)/i, 'financial'],
  [/(email|slack|sms|notify|send|post_message|tweet)/i, 'communication'],
  [/(search|scrape|fetch|crawl|browse|http|web|url|api|weather|news)/i, 'outbound'],
  [/(read|load|get|query|lookup|list|find|sql|db|database|file|retriev)/i, 'data_access'],
];

/** Classifies a custom tool by what its body calls, then by its name. */
export function classifyCustomTool(name: string, bodyCalls: readonly string[]): Capability {
  for (const [re, cap] of CALL_HINTS) if (bodyCalls.some((c) => re.test(c))) return cap;
  for (const [re, cap] of NAME_HINTS) if (re.test(name)) return cap;
  return 'compute';
}

export function trustOf(capability: Capability): TrustLevel {
  switch (capability) {
    case 'outbound':
    case 'communication':
      return 'external';
    case 'destructive':
    case 'code_execution':
    case 'financial':
      return 'privileged';
    default:
      return 'internal';
  }
}

export const TRUST_RANK: Record<TrustLevel, number> = {
  external: 0,
  internal: 1,
  restricted: 1,
  privileged: 2,
};
