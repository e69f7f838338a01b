/**
 * codex-native: sandboxed exec, a streaming OpenAI Responses client, and typed errors
 * (DESIGN.md §2, §3, §5).
 *
 * The native contract is the generated `binding.d.ts`; these public types refine it (literal
 * unions instead of enums, the facade's own options such as `signal`) rather than restate it.
 */

/// <reference types="node" />

import type * as native from './binding.js'

/** `T` with each string-enum field as the union of its values, which is what callers compare. */
type Plain<T> = { [K in keyof T]: T[K] extends string ? `${T[K]}` : T[K] }

// ---------------------------------------------------------------------------------------------
// exec
// ---------------------------------------------------------------------------------------------

/** What a sandboxed command may do. The same JSON is what `codex-linux-sandbox --policy` takes. */
export type SandboxPolicy =
  | { mode: 'danger-full-access' }
  | {
      mode: 'read-only'
      /** Let the command open network sockets (default false: only Unix stream sockets). */
      networkAccess?: boolean
      /**
       * Unix socket files (or directories holding them) outside the sandbox the command may
       * connect to, e.g. `'/run/user/1000/bus'`. Everything else outside is refused.
       */
      allowUnixSockets?: string[]
    }
  | {
      mode: 'workspace-write'
      /**
       * The directory that becomes writable (absolute). Default: `cwd`. An agent should set it
       * to its project and let the model choose only `cwd`: a model-chosen working directory
       * then never widens what is writable.
       */
      workspaceRoot?: string
      /**
       * More directories (or files) the command may write in, e.g. a tool cache such as
       * `~/.npm` or `~/.cargo`. `/`, `/proc`, `/sys` and `/dev` are refused (`SandboxPolicyError`).
       */
      writableRoots?: string[]
      /** Let the command open network sockets (default false: only Unix stream sockets). */
      networkAccess?: boolean
      /** Keep `/tmp` and `$TMPDIR` read-only (default false: both are writable). */
      excludeTmp?: boolean
      /**
       * Paths kept read-only inside every writable root (relative ones) or as named (absolute
       * ones). Default `['.git']`: git runs code from there later, outside the sandbox. A missing
       * one cannot be created either. `[]` protects nothing.
       */
      protectedPaths?: string[]
      /** See the read-only mode: outside Unix sockets the command may connect to. */
      allowUnixSockets?: string[]
    }

/** One piece of output as it is read. */
export interface OutputChunk extends Plain<native.OutputChunkJs> {}

/** Options of {@link exec}; what is left out takes the default the binding states. */
export interface ExecOptions
  extends Omit<
    native.ExecOptions,
    'cwd' | 'env' | 'inheritEnv' | 'timeoutMs' | 'sandbox' | 'sandboxExecutable' | 'stdin' | 'helperDirs'
  > {
  /**
   * Where the command starts (default: the current directory). Under `workspace-write` it is
   * also the writable root unless `sandbox.workspaceRoot` is set — which an agent should do, so
   * that a model-chosen cwd never widens what is writable. A cwd that does not exist or is not
   * a directory rejects with a `CodexIoError` (`syscall: 'chdir'`, `path`: the cwd) saying so.
   */
  cwd?: string
  /**
   * Alone: the exact environment of the child, nothing inherited. With `inheritEnv` given
   * too: variables set over the inherited environment (e.g. `{ GIT_PAGER: 'cat' }` with
   * `inheritEnv: 'filtered'` keeps the secret filter and adds one variable); variables named
   * here are passed whatever their name. Names must be non-empty, without `=` or NUL; values
   * without NUL; numbers and booleans become strings, `undefined` entries are left out. A
   * plain object: a `Map` is a `TypeError`.
   */
  env?: Record<string, string | number | boolean | undefined>
  /**
   * How much of this process's environment the child inherits: `'filtered'` (default) drops
   * every variable whose name contains KEY, SECRET or TOKEN (any case); `'all'` drops nothing.
   * Given together with `env`, `env` is set over it; `env` alone inherits nothing.
   */
  inheritEnv?: `${native.InheritEnvMode}`
  /**
   * Milliseconds before the process group is killed (SIGTERM, then SIGKILL after
   * `killGraceMs`): default 10 000; `0` or `null` for no timeout, as in Node.
   */
  timeoutMs?: number | null
  /** The sandbox; none by default. */
  sandbox?: SandboxPolicy
  /**
   * The `codex-linux-sandbox` to use (Linux), tried alone. Before the first command runs
   * under a given executable it must answer the helper's status protocol (it is asked to run
   * `true` read-only; about one sandboxed `true` of cost, once per path and file); anything
   * else — a stand-in that just runs its arguments — is refused with
   * {@link SandboxExecutableNotFoundError} and the command never runs. A wrapper that `exec`s
   * the real helper with the same arguments answers through it and works.
   */
  sandboxExecutable?: string
  /**
   * Aborting kills the process group and rejects with {@link InterruptedError} (or resolves
   * with `aborted: true` under `reject: false`); an already-aborted signal runs nothing. An
   * `AbortSignal`, or any object with `aborted`, `addEventListener` and `removeEventListener`.
   */
  signal?: AbortSignal
  /**
   * The child's standard input (default: `/dev/null`): a string (UTF-8) or any
   * `ArrayBufferView` — a Buffer, a typed array or a DataView, from this realm or another — or
   * an async iterable of them: a `Readable` (`process.stdin`, `fs.createReadStream(…)`), an
   * async generator.
   *
   * An iterable is streamed with backpressure: it is not read further while 1 MiB waits for
   * the child's pipe, so a slow reader keeps memory flat. Its end closes the
   * child's stdin. Once the child started, exec owns it: when exec settles it has been read to
   * its end, or its iterator's `return()` has been called (a `Readable` is destroyed, a
   * generator's `finally` runs) — as soon as the child closes its stdin or exits, and on a
   * timeout or an abort, which fire on time even while a `next()` is pending. An iterable the
   * child never started for (not found, aborted first) is left untouched.
   *
   * If the iterable throws, or yields something that is neither a string nor an
   * `ArrayBufferView`, the command is killed as an abort would kill it, and exec rejects —
   * even with `reject: false` — with the iterable's own error as is, or with a `TypeError`
   * naming `options.stdin` and what it yielded. A sync iterable (an Array of chunks) is a
   * `TypeError`: wrap it with `Readable.from()`.
   */
  stdin?: string | ArrayBufferView | AsyncIterable<string | ArrayBufferView>
  /**
   * `false`: resolve with the result whenever the command or the caller decided the outcome —
   * a timeout, a signal, a sandbox denial, an abort, and a command that never started (not
   * found, not executable, an unusable cwd, aborted first; its `startError` says which).
   * Failures of this machine (sandbox setup, a missing helper) and bad arguments still reject.
   */
  reject?: boolean
  /**
   * Called with each chunk of output as it is read (uncapped), before the promise settles. At
   * most 1 MiB is read ahead of it: while the callback is behind, the child's pipes are not
   * read and the command blocks on its writes, as with a paused Node stream — memory stays
   * flat, and timeouts and aborts still end the command on time. Calls are one at a time, the
   * event loop turning between them. An exception it throws is reported as an uncaught
   * exception, as from a stream's `data` listener; the command keeps running.
   */
  onOutput?: (chunk: OutputChunk) => void
}

/** The sandbox a command ran under. */
export interface SandboxInfo extends Plain<native.SandboxInfo> {}

/** Everything a finished, killed or denied command left behind. */
export interface ExecResult extends Omit<native.ExecResult, 'signal' | 'sandbox' | 'startError'> {
  /** The signal that ended the process, e.g. `'SIGSEGV'`. */
  signal: NodeJS.Signals | null
  sandbox: SandboxInfo
  /**
   * Why the command never started — not found or not executable ({@link CodexIoError},
   * `syscall: 'spawn'`), an unusable cwd (`syscall: 'chdir'`), aborted first
   * ({@link InterruptedError}) — in a result that `reject: false` resolves with; `null` when it
   * started.
   */
  startError: CodexIoError | InterruptedError | null
}

/**
 * Runs `argv` (no shell). Resolves for any exit code; rejects with {@link TimeoutError},
 * {@link SignalError}, {@link SandboxDeniedError} or {@link InterruptedError} (each an
 * {@link ExecError}, with the partial `result`), and when nothing could be run
 * ({@link CodexIoError} `ENOENT` or an unusable cwd, sandbox setup errors, an abort before
 * spawning). With `reject: false` it resolves for all of these but the machine's own failures.
 *
 * Commands that are still running when this process ends — however it ends, SIGKILL
 * included — are killed with their process group and every descendant (Linux), as are the
 * processes left in the group of a command that exited; so are those of a Worker that is
 * terminated. Unsandboxed descendants that left the group after their parent exited cannot be
 * found; the sandbox's PID namespace takes everything along.
 * @throws {TypeError} naming the option, before anything runs: argv not an array of strings
 *   (holes, NUL bytes), an env name with `=`, a half-shaped signal…
 */
export function exec(argv: string[], options?: ExecOptions): Promise<ExecResult>

/** Limits of {@link formatOutputForModel}. */
export interface FormatOptions {
  /** Most bytes (UTF-8) of output kept (default 10 240, as codex). */
  maxBytes?: number
  /** Most lines of output kept (default 256, as codex). */
  maxLines?: number
}

/**
 * `result` as text for a model, in the shape codex gives its own tool output: one line saying
 * how the command ended (`Exit code: 1`, a timeout, a signal, a sandbox denial, an abort, or
 * why it never started), `Wall time: … seconds`, then `Output:` and the interleaved output. An
 * output over either limit keeps whole lines from the head and the tail within both, joined
 * by a line saying how many lines and bytes were left out; a single line too long for the
 * budget is cut at character boundaries. Pure: it only reads the result.
 */
export function formatOutputForModel(result: ExecResult, options?: FormatOptions): string

/** What this machine enforces, and what to do about what is missing. */
export interface SandboxSupport extends native.SandboxSupportJs {}

/** Probes the sandbox layers (for a CLI's start-up check). */
export function sandboxSupport(): Promise<SandboxSupport>

// ---------------------------------------------------------------------------------------------
// Streaming client
// ---------------------------------------------------------------------------------------------

/** The API's structured error (`{ "error": { type, code, param, message } }`). */
export interface ApiError extends native.ApiErrorJs {}

/** What `onRetry` receives before each retry. */
export interface RetryInfo extends Omit<native.RetryInfoJs, 'error'> {
  /** The failure that caused the retry. */
  error: CodexError
}

/** Options of {@link ResponsesClient}; what is left out takes the default the binding states. */
export interface ClientOptions extends native.ClientOptions {
  /**
   * Called before each retry (to log it, or to tell the user why the answer is late) with the
   * retry's number, the wait before it and the failure that caused it. An exception it throws is
   * reported as an uncaught exception; the retry goes ahead.
   */
  onRetry?: (info: RetryInfo) => void
}

/** Options of one request. */
export interface RequestOptions {
  /** Aborting rejects with {@link InterruptedError} and closes the connection. */
  signal?: AbortSignal
}

export type {
  ResponseEvent,
  ResponseCreatedEvent,
  ResponseInProgressEvent,
  ResponseCompletedEvent,
  ResponseIncompleteEvent,
  ResponseFailedEvent,
  ResponseErrorEvent,
  ResponseOutputItemAddedEvent,
  ResponseOutputItemDoneEvent,
  ResponseContentPartAddedEvent,
  ResponseContentPartDoneEvent,
  ResponseTextDeltaEvent,
  ResponseTextDoneEvent,
  ResponseFunctionCallArgumentsDeltaEvent,
  ResponseFunctionCallArgumentsDoneEvent,
  ResponseReasoningSummaryPartAddedEvent,
  ResponseReasoningSummaryPartDoneEvent,
  ResponseReasoningSummaryTextDeltaEvent,
  ResponseReasoningSummaryTextDoneEvent,
  OtherListedResponseEvent,
  OtherListedEventType,
  UnlistedResponseEvent,
  UnlistedType,
  Response,
  ResponseUsage,
  ResponseOutputItem,
  ResponseOutputMessage,
  ResponseFunctionToolCall,
  ResponseReasoningItem,
  OtherListedOutputItem,
  OtherListedItemType,
  UnlistedOutputItem,
  ResponseContentPart,
  ResponseOutputText,
  ResponseOutputRefusal,
  ResponseReasoningText,
  ResponseLogprob,
} from './lib/events.js'
import type { ResponseEvent } from './lib/events.js'

/** An open stream: iterate it for events; `break` / `close()` drops the connection. */
export declare class ResponseStream implements AsyncIterableIterator<ResponseEvent> {
  private constructor()
  /** The `x-request-id` response header, to quote to OpenAI support; `null` without one. */
  readonly requestId: string | null
  /** The HTTP status (2xx). */
  readonly status: number
  /** The response headers, names lowercased. */
  readonly headers: Record<string, string>
  /**
   * The next event; `done` after `response.completed` or `response.incomplete`. Rejects with the
   * stream's failure: {@link StreamDisconnectedError}, {@link StreamTimeoutError},
   * {@link ResponseFailedError}, {@link InvalidEventError} or {@link InterruptedError}.
   */
  next(): Promise<IteratorResult<ResponseEvent, undefined>>
  /** Closes the connection (what `break` calls). */
  return(): Promise<IteratorResult<ResponseEvent, undefined>>
  /** Closes the connection; a pending `next()` ends with `done`. */
  close(): void
  [Symbol.asyncIterator](): ResponseStream
}

/** A streaming client for the OpenAI Responses API. */
export declare class ResponsesClient {
  /**
   * Checks the options and resolves the key and base URL (from `OPENAI_API_KEY` and
   * `OPENAI_BASE_URL` when not given); sends nothing.
   * @throws {EnvVarError} without an API key
   * @throws {TypeError} naming an option (or environment variable) that cannot work: a base URL
   *   that does not parse or is not http/https, a header name, a header value or key with a
   *   control character
   * @throws {RangeError} naming an option out of range, e.g. `maxRetries` over 100
   */
  constructor(options?: ClientOptions)
  /** Resolves once 2xx headers arrived; HTTP failures reject here, stream failures from iteration. */
  create(body: Record<string, unknown>, options?: RequestOptions): Promise<ResponseStream>
  /** `for await (const event of client.stream(body))`. */
  stream(body: Record<string, unknown>, options?: RequestOptions): AsyncIterableIterator<ResponseEvent>
}

// ---------------------------------------------------------------------------------------------
// Errors (DESIGN.md §2): each class's fields are those of its code in the binding's NativeError
// ---------------------------------------------------------------------------------------------

/** The codes of the binding's `NativeError`, which name the classes. */
type Code = native.NativeError['code']

/** The fields a native error of code `C` carries: its class's own. */
type FieldsOf<C extends Code> = Plain<Omit<Extract<native.NativeError, { code: C }>, 'code' | 'message' | 'cause'>>

/**
 * The type of field `K` of code `C`, as the binding states it. Each class below declares its
 * fields with their documentation (the generated types carry none a hover can show) and takes
 * their types from here, so a field renamed or removed in Rust fails this file's type check.
 */
type Field<C extends Code, K extends keyof FieldsOf<C>> = FieldsOf<C>[K]

/**
 * Fails to type-check (with `skipLibCheck: false`, as this package's own check runs) when the
 * codes of `NativeError` and the binding's `ErrorCode` differ: the two are stated once, in Rust.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type Assert<T extends true> = T
type NativeCodesAreErrorCodes = Assert<Same<Code, `${native.ErrorCode}`>>

/** The base class of every codex-native error. */
export declare class CodexError extends Error {
  constructor(message: string, fields?: Record<string, unknown>)
  /** The stable code (DESIGN.md §2), or an errno name for {@link CodexIoError}. */
  code: string
}
/** A failure of a command's run or of its sandbox. */
export declare class SandboxError extends CodexError {}
/**
 * Any error of {@link exec} that carries the run's `result`: {@link TimeoutError},
 * {@link SignalError}, {@link SandboxDeniedError}, and {@link InterruptedError} once the
 * command had started. A check rather than a parent class (those keep their parents):
 * `error instanceof ExecError` holds exactly when `error` is a `CodexError` with a `result`,
 * and narrows to a type that has one. Not constructed.
 */
export declare abstract class ExecError extends CodexError {
  result: ExecResult
  static [Symbol.hasInstance](
    value: unknown,
  ): value is TimeoutError | SignalError | SandboxDeniedError | (InterruptedError & { result: ExecResult })
}
/** A sandboxed command failed and the evidence says the sandbox caused it. */
export declare class SandboxDeniedError extends SandboxError {
  code: 'SANDBOX_DENIED'
  /** The command's exit code (its result's). */
  exitCode: number | null
  /** The command's standard output (its result's). */
  stdout: string
  /** The command's standard error, where the refusal usually shows (its result's). */
  stderr: string
  /** The whole result; `result.sandbox.denials` lists what the sandbox refused. */
  result: ExecResult
}
export interface SandboxDeniedError extends FieldsOf<'SANDBOX_DENIED'> {}
/** The command ran past `timeoutMs`; its process group was killed. */
export declare class TimeoutError extends SandboxError {
  code: 'EXEC_TIMEOUT'
  /** The timeout that expired, in ms. */
  timeoutMs: Field<'EXEC_TIMEOUT', 'timeoutMs'>
  /** What the command had written before it was killed. */
  result: ExecResult
}
export interface TimeoutError extends FieldsOf<'EXEC_TIMEOUT'> {}
/** The command was killed by a signal it did not get from us. */
export declare class SignalError extends SandboxError {
  code: 'EXEC_SIGNAL'
  /** The signal's name, e.g. `'SIGSEGV'`. */
  signal: NodeJS.Signals
  /** The signal's number on this platform. */
  signalNumber: Field<'EXEC_SIGNAL', 'signalNumber'>
  /** What the command had written before it died. */
  result: ExecResult
}
export interface SignalError extends Omit<FieldsOf<'EXEC_SIGNAL'>, 'signal'> {}
/** Landlock is missing or too old for the policy; nothing ran. */
export declare class LandlockRestrictError extends SandboxError {
  code: 'LANDLOCK_RESTRICT'
  /** The kernel's Landlock ABI, `null` when the kernel has no Landlock. */
  abi: Field<'LANDLOCK_RESTRICT', 'abi'>
  /** The ABI the policy needs. */
  needed: Field<'LANDLOCK_RESTRICT', 'needed'>
  /** What went wrong. */
  detail: Field<'LANDLOCK_RESTRICT', 'detail'>
}
export interface LandlockRestrictError extends FieldsOf<'LANDLOCK_RESTRICT'> {}
/** The seccomp filter could not be installed; nothing ran. */
export declare class SeccompError extends SandboxError {
  code: 'SECCOMP_SETUP'
  /** What went wrong. */
  detail: Field<'SECCOMP_SETUP', 'detail'>
}
export interface SeccompError extends FieldsOf<'SECCOMP_SETUP'> {}
/**
 * The sandbox policy cannot be applied as given (a writable root that is `/` or lies in `/proc`,
 * `/sys` or `/dev`, one reached through a symlink a sandboxed run could have planted, a protected
 * path this machine cannot keep read-only); `detail` says which and how to fix it. Nothing ran.
 */
export declare class SandboxPolicyError extends SandboxError {
  code: 'SANDBOX_POLICY'
  /** What cannot be applied, and how to fix it. */
  detail: Field<'SANDBOX_POLICY', 'detail'>
}
export interface SandboxPolicyError extends FieldsOf<'SANDBOX_POLICY'> {}
/** This platform has no sandbox; nothing ran. */
export declare class SandboxUnsupportedError extends SandboxError {
  code: 'SANDBOX_UNSUPPORTED'
  /** `process.platform` of this machine, e.g. `'win32'`. */
  platform: Field<'SANDBOX_UNSUPPORTED', 'platform'>
}
export interface SandboxUnsupportedError extends FieldsOf<'SANDBOX_UNSUPPORTED'> {}
/** No `codex-linux-sandbox` executable was found; `searched` lists every path tried. */
export declare class SandboxExecutableNotFoundError extends CodexError {
  code: 'SANDBOX_EXE_NOT_FOUND'
  /** Every path that was tried, in order. */
  searched: Field<'SANDBOX_EXE_NOT_FOUND', 'searched'>
}
export interface SandboxExecutableNotFoundError extends FieldsOf<'SANDBOX_EXE_NOT_FOUND'> {}
/**
 * The response stream broke after events were yielded, or ended without a terminal event; also
 * the `cause` of a {@link RetryLimitError} when a response broke before its first event.
 */
export declare class StreamDisconnectedError extends CodexError {
  code: 'STREAM_DISCONNECTED'
  /** How many events had been yielded before the break. */
  eventsReceived: Field<'STREAM_DISCONNECTED', 'eventsReceived'>
  /** The transport error, if there was one (its `code` is the errno name, e.g. `'ECONNRESET'`). */
  cause?: Error
}
export interface StreamDisconnectedError extends FieldsOf<'STREAM_DISCONNECTED'> {}
/**
 * No response headers within `requestTimeoutMs` (`phase: 'headers'`, `headersMs`), or no byte of
 * an open stream within `streamIdleTimeoutMs` (`phase: 'idle'`, `idleMs`). Never retried.
 */
export declare class StreamTimeoutError extends CodexError {
  code: 'STREAM_TIMEOUT'
  /** Which wait gave up: for the response headers, or for the next byte of the stream. */
  phase: Field<'STREAM_TIMEOUT', 'phase'>
  /** The idle timeout that expired, in ms (`phase: 'idle'`; otherwise `null`). */
  idleMs: Field<'STREAM_TIMEOUT', 'idleMs'>
  /** The headers timeout that expired, in ms (`phase: 'headers'`; otherwise `null`). */
  headersMs: Field<'STREAM_TIMEOUT', 'headersMs'>
}
export interface StreamTimeoutError extends FieldsOf<'STREAM_TIMEOUT'> {}
/**
 * The server answered with a status that is not retried, a 2xx that is not an event stream (the
 * message names its content type), or a redirect that is not followed (the message names where
 * to: only a 307 or 308 within the same origin is followed).
 */
export declare class UnexpectedStatusError extends CodexError {
  code: 'UNEXPECTED_STATUS'
  /** The HTTP status. */
  status: Field<'UNEXPECTED_STATUS', 'status'>
  /** The response body (at most 64 KiB). */
  body: Field<'UNEXPECTED_STATUS', 'body'>
  /** The `x-request-id` header, to quote to OpenAI support. */
  requestId: Field<'UNEXPECTED_STATUS', 'requestId'>
  /** The body parsed in the API's error shape (`apiError.code`: e.g. `'invalid_api_key'`). */
  apiError: Field<'UNEXPECTED_STATUS', 'apiError'>
}
export interface UnexpectedStatusError extends FieldsOf<'UNEXPECTED_STATUS'> {}
/**
 * Every retry was used up. The message ends with what the last attempt met: its status, or what
 * failed (`… after 5 attempts: connection refused (ECONNREFUSED)`).
 */
export declare class RetryLimitError extends CodexError {
  code: 'RETRY_LIMIT'
  /** The last HTTP status; `null` when no response ever came (then see `cause`). */
  status: Field<'RETRY_LIMIT', 'status'>
  /** The last response body (at most 64 KiB); `null` when no response ever came. */
  body: Field<'RETRY_LIMIT', 'body'>
  /** Requests made in all: the first one and every retry. */
  attempts: Field<'RETRY_LIMIT', 'attempts'>
  /** The last `x-request-id` header. */
  requestId: Field<'RETRY_LIMIT', 'requestId'>
  /** The last body parsed in the API's error shape. */
  apiError: Field<'RETRY_LIMIT', 'apiError'>
  /**
   * When no response came: the transport error (its `code` is the errno name, e.g.
   * `'ECONNREFUSED'`), or a {@link StreamDisconnectedError} for a response that broke before
   * its first event.
   */
  cause?: Error
}
export interface RetryLimitError extends FieldsOf<'RETRY_LIMIT'> {}
/** The server ended the response with `response.failed` or an `error` event. */
export declare class ResponseFailedError extends CodexError {
  code: 'RESPONSE_FAILED'
  /** The API's error code, e.g. `'rate_limit_exceeded'` or `'server_error'`. */
  errorCode: Field<'RESPONSE_FAILED', 'errorCode'>
  /** The response's id (`response.failed`). */
  responseId: Field<'RESPONSE_FAILED', 'responseId'>
  /** The error as the API sent it. */
  apiError: Field<'RESPONSE_FAILED', 'apiError'>
}
export interface ResponseFailedError extends FieldsOf<'RESPONSE_FAILED'> {}
/** An abort, shaped like Node's own: `name` is `'AbortError'`, `code` is `'ABORT_ERR'`. */
export declare class InterruptedError extends CodexError {
  name: 'AbortError'
  code: 'ABORT_ERR'
  /** What the command had produced (exec after spawning only). */
  result?: ExecResult
}
/** The child's pipes or process could not be set up. */
export declare class SpawnError extends CodexError {
  code: 'SPAWN_FAILED'
}
/** An OS error with Node's errno fields; `code` is the errno's name, e.g. `'ENOENT'`. */
export declare class CodexIoError extends CodexError {
  code: string
  /** The errno, negative as in Node's own errors. */
  errno: Field<'EIO', 'errno'>
  /** The failing operation, e.g. `'spawn'`. */
  syscall: Field<'EIO', 'syscall'>
  /** The path involved, e.g. the command that was not found. */
  path: Field<'EIO', 'path'>
}
export interface CodexIoError extends Omit<FieldsOf<'EIO'>, 'errnoName'> {}
/**
 * An event was not valid JSON, was not one JSON object with at most one `type` key, or was
 * over 16 MiB; `raw` holds its start.
 */
export declare class InvalidEventError extends CodexError {
  code: 'INVALID_EVENT'
  /** The start of the event's data (at most 1 KiB). */
  raw: Field<'INVALID_EVENT', 'raw'>
}
export interface InvalidEventError extends FieldsOf<'INVALID_EVENT'> {}
/** A required environment variable (e.g. `OPENAI_API_KEY`) is missing. */
export declare class EnvVarError extends CodexError {
  code: 'MISSING_ENV_VAR'
  /** The variable, e.g. `'OPENAI_API_KEY'`. */
  var: Field<'MISSING_ENV_VAR', 'var'>
  /** What to do about it, to show the user. */
  instructions: Field<'MISSING_ENV_VAR', 'instructions'>
}
export interface EnvVarError extends FieldsOf<'MISSING_ENV_VAR'> {}
/** A bug on our side: a caught panic, a failed internal task. */
export declare class InternalError extends CodexError {
  code: 'INTERNAL'
}

// Only what is marked `export` above is public; the helper types stay private.
export {}
