/**
 * codex-native: sandboxed exec, a streaming OpenAI Responses client, and typed errors
 * (DESIGN.md §2, §3, §5). These are the hand-written public types; the generated binding's
 * types are private.
 */

/// <reference types="node" />

// ---------------------------------------------------------------------------------------------
// exec
// ---------------------------------------------------------------------------------------------

/** What a sandboxed command may do. The same JSON is what `codex-linux-sandbox --policy` takes. */
export type SandboxPolicy =
  | { mode: 'danger-full-access' }
  | { mode: 'read-only'; networkAccess?: boolean }
  | { mode: 'workspace-write'; writableRoots?: string[]; networkAccess?: boolean; excludeTmp?: boolean }

/** One piece of output as it is read. */
export interface OutputChunk {
  stream: 'stdout' | 'stderr'
  data: Buffer
}

/** Options of {@link exec}. */
export interface ExecOptions {
  /** Working directory (and the sandbox's workspace root); the current one by default. */
  cwd?: string
  /** The exact environment of the child; nothing is inherited. */
  env?: Record<string, string | number | boolean | undefined>
  /** Without `env`: `'filtered'` (default) drops every variable whose name contains KEY, SECRET or TOKEN. */
  inheritEnv?: 'filtered' | 'all'
  /** Kill the process group after this many ms (default 10 000; `null`: never). */
  timeoutMs?: number | null
  /** Delay between SIGTERM and SIGKILL on timeout or abort (default 2000 ms). */
  killGraceMs?: number
  /** The sandbox; none by default. */
  sandbox?: SandboxPolicy
  /** Aborting kills the process group; an already-aborted signal rejects without spawning. */
  signal?: AbortSignal
  /** The child's standard input (default: `/dev/null`). */
  stdin?: string | Buffer | Uint8Array
  /** Bytes kept per stream (default 1 MiB); the rest is read and dropped (head + tail kept). */
  maxOutputBytes?: number
  /** `false`: resolve with the result on timeout, signal, denial and abort instead of rejecting. */
  reject?: boolean
  /**
   * Called with each chunk of output as it arrives (uncapped), before the promise settles. An
   * exception it throws is reported as an uncaught exception, as from a stream's `data` listener;
   * the command keeps running.
   */
  onOutput?: (chunk: OutputChunk) => void
  /** Path of `codex-linux-sandbox` (else `CODEX_LINUX_SANDBOX_EXE`, else the packaged one). */
  sandboxExecutable?: string
}

/** The sandbox a command ran under. */
export interface SandboxInfo {
  kind: 'none' | 'linux' | 'seatbelt'
  landlock?: 'full' | 'partial'
  seccomp?: boolean
  mountNamespace?: boolean
}

/** Everything a finished, killed or denied command left behind. */
export interface ExecResult {
  exitCode: number | null
  /** The signal that ended the process, e.g. `'SIGSEGV'`. */
  signal: NodeJS.Signals | null
  timedOut: boolean
  aborted: boolean
  sandboxDenied: boolean
  stdout: string
  stderr: string
  /** Both streams interleaved in arrival order. */
  aggregatedOutput: string
  /** Bytes seen on stdout, kept or not. */
  stdoutBytes: number
  stderrBytes: number
  /** Whether output was cut to `maxOutputBytes` (head and tail kept, with a marker between). */
  truncated: boolean
  durationMs: number
  sandbox: SandboxInfo
}

/**
 * Runs `argv` (no shell). Resolves for any exit code; rejects with {@link TimeoutError},
 * {@link SignalError}, {@link SandboxDeniedError} or {@link InterruptedError} (each with the partial
 * `result`; resolved instead with `reject: false`), and always rejects when nothing could be run
 * ({@link CodexIoError} `ENOENT`, sandbox setup errors, an abort before spawning).
 */
export function exec(argv: string[], options?: ExecOptions): Promise<ExecResult>

/** What this machine enforces, and what to do about what is missing. */
export interface SandboxSupport {
  platform: string
  helperPath: string | null
  landlockAbi: number | null
  seccomp: boolean
  userNamespaces: boolean
  seatbelt: boolean
  /** One actionable sentence per missing piece; empty when everything is in place. */
  problems: string[]
}

/** Probes the sandbox layers (for a CLI's start-up check). */
export function sandboxSupport(): Promise<SandboxSupport>

// ---------------------------------------------------------------------------------------------
// Streaming client
// ---------------------------------------------------------------------------------------------

/** The API's structured error (`{ "error": { type, code, param, message } }`). */
export interface ApiError {
  type: string | null
  code: string | null
  param: string | null
  message: string | null
}

/** What `onRetry` receives before each retry. */
export interface RetryInfo {
  /** Which retry this is: 1 for the second request. */
  attempt: number
  delayMs: number
  /** The status that caused it, `null` after a transport failure. */
  status: number | null
  error?: CodexError
}

/** Options of {@link ResponsesClient}. */
export interface ClientOptions {
  /** Default: `OPENAI_API_KEY`. */
  apiKey?: string
  /** Default: `OPENAI_BASE_URL`, else `https://api.openai.com/v1`. */
  baseUrl?: string
  /** Retries after the first attempt (default 4). */
  maxRetries?: number
  /** First backoff delay (default 200 ms). */
  retryBaseDelayMs?: number
  /** Backoff ceiling (default 8000 ms). */
  retryMaxDelayMs?: number
  /** Longest silence on an open stream, comments included (default 300 000 ms). */
  streamIdleTimeoutMs?: number
  /** Longest wait for response headers. */
  requestTimeoutMs?: number
  /** Extra headers; they replace the default `Authorization` (e.g. Azure's `api-key`). */
  headers?: Record<string, string>
  /** Query parameters for every request (e.g. Azure's `api-version`). */
  query?: Record<string, string>
  onRetry?: (info: RetryInfo) => void
}

/** Options of one request. */
export interface RequestOptions {
  /** Aborting rejects with {@link InterruptedError} and closes the connection. */
  signal?: AbortSignal
}

/** One server event, parsed from the SSE `data:` exactly as sent (as the `openai` SDK yields it). */
export interface ResponseEvent {
  type: string
  [field: string]: unknown
}

/** An open stream: iterate it for events; `break` / `close()` drops the connection. */
export declare class ResponseStream implements AsyncIterableIterator<ResponseEvent> {
  private constructor()
  readonly requestId: string | null
  readonly status: number
  readonly headers: Record<string, string>
  next(): Promise<IteratorResult<ResponseEvent, undefined>>
  return(): Promise<IteratorResult<ResponseEvent, undefined>>
  close(): void
  [Symbol.asyncIterator](): ResponseStream
}

/** A streaming client for the OpenAI Responses API. */
export declare class ResponsesClient {
  /** @throws {EnvVarError} without an API key */
  constructor(options?: ClientOptions)
  /** Resolves once 2xx headers arrived; HTTP failures reject here, stream failures from iteration. */
  create(body: Record<string, unknown>, options?: RequestOptions): Promise<ResponseStream>
  /** `for await (const event of client.stream(body))`. */
  stream(body: Record<string, unknown>, options?: RequestOptions): AsyncIterableIterator<ResponseEvent>
}

// ---------------------------------------------------------------------------------------------
// Errors (DESIGN.md §2)
// ---------------------------------------------------------------------------------------------

/** The base class of every codex-native error. */
export declare class CodexError extends Error {
  constructor(message: string, fields?: Record<string, unknown>)
  /** The stable code (DESIGN.md §2), or an errno name for {@link CodexIoError}. */
  code: string
}
/** A failure of a command's run or of its sandbox. */
export declare class SandboxError extends CodexError {}
export declare class SandboxDeniedError extends SandboxError {
  code: 'SANDBOX_DENIED'
  exitCode: number | null
  stdout: string
  stderr: string
  result: ExecResult
}
export declare class TimeoutError extends SandboxError {
  code: 'EXEC_TIMEOUT'
  timeoutMs: number
  result: ExecResult
}
export declare class SignalError extends SandboxError {
  code: 'EXEC_SIGNAL'
  signal: NodeJS.Signals | null
  signalNumber: number
  result: ExecResult
}
export declare class LandlockRestrictError extends SandboxError {
  code: 'LANDLOCK_RESTRICT'
  /** The kernel's Landlock ABI, null when Landlock is unavailable. */
  abi: number | null
  needed: number
  detail: string
}
export declare class SeccompError extends SandboxError {
  code: 'SECCOMP_SETUP'
  detail: string
}
export declare class SandboxUnsupportedError extends SandboxError {
  code: 'SANDBOX_UNSUPPORTED'
  platform: string
}
export declare class SandboxExecutableNotFoundError extends CodexError {
  code: 'SANDBOX_EXE_NOT_FOUND'
  searched: string[]
}
export declare class StreamDisconnectedError extends CodexError {
  code: 'STREAM_DISCONNECTED'
  eventsReceived: number
}
export declare class StreamTimeoutError extends CodexError {
  code: 'STREAM_TIMEOUT'
  idleMs: number
}
export declare class UnexpectedStatusError extends CodexError {
  code: 'UNEXPECTED_STATUS'
  status: number
  body: string
  requestId: string | null
  apiError: ApiError | null
}
export declare class RetryLimitError extends CodexError {
  code: 'RETRY_LIMIT'
  /** The last status, null when no response ever came (then `cause` is the transport error). */
  status: number | null
  body: string | null
  attempts: number
  requestId: string | null
  apiError: ApiError | null
}
export declare class ResponseFailedError extends CodexError {
  code: 'RESPONSE_FAILED'
  errorCode: string | null
  responseId: string | null
  apiError: ApiError | null
}
/** An abort, shaped like Node's own: `name` is `'AbortError'`, `code` is `'ABORT_ERR'`. */
export declare class InterruptedError extends CodexError {
  name: 'AbortError'
  code: 'ABORT_ERR'
  /** What the command had produced (exec after spawning only). */
  result?: ExecResult
}
export declare class SpawnError extends CodexError {
  code: 'SPAWN_FAILED'
}
export declare class CodexIoError extends CodexError {
  /** Node's errno name, e.g. `'ENOENT'`. */
  code: string
  /** Negative, as Node's `err.errno`. */
  errno: number | null
  syscall: string
  path: string | null
}
export declare class InvalidEventError extends CodexError {
  code: 'INVALID_EVENT'
  /** The start of the event's data (≤ 1 KiB). */
  raw: string
}
export declare class EnvVarError extends CodexError {
  code: 'MISSING_ENV_VAR'
  var: string
  instructions: string | null
}
export declare class InternalError extends CodexError {
  code: 'INTERNAL'
}
