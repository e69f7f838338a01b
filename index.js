'use strict'
/**
 * codex-native: the public entry point (CommonJS). `index.mjs` re-exports this module, so both
 * entries share one set of classes and `instanceof` holds across them.
 *
 * The generated loader (`binding.js`) stays private. Native calls never throw: they resolve with
 * `{ result | stream | client, error }`, and every `CodexError` is built here, in JavaScript, so
 * that `instanceof` holds under plain Node, Jest (another realm) and Vitest alike.
 */

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const binding = require('./lib/native.js')

// ---------------------------------------------------------------------------------------------
// Errors (DESIGN.md §2)
// ---------------------------------------------------------------------------------------------

/** The base class of every error codex-native produces. */
class CodexError extends Error {
  /**
   * @param {string} message
   * @param {Record<string, unknown>} [fields] the class's fields; `cause` becomes `error.cause`
   */
  constructor(message, fields = {}) {
    const { cause, ...rest } = fields
    super(message, cause === undefined || cause === null ? undefined : { cause })
    /** @type {string} */
    this.code = new.target.code
    Object.assign(this, rest)
  }
}

/** A failure of a command's run, or of the sandbox around it. */
class SandboxError extends CodexError {}

/** A sandboxed command failed and the evidence says the sandbox caused it. */
class SandboxDeniedError extends SandboxError {}
/** The command ran past `timeoutMs`; its process group was killed. */
class TimeoutError extends SandboxError {}
/** The command was killed by a signal it did not get from us. */
class SignalError extends SandboxError {}
/** Landlock is missing or too old for the policy; nothing ran. */
class LandlockRestrictError extends SandboxError {}
/** The seccomp filter could not be built or installed; nothing ran. */
class SeccompError extends SandboxError {}
/** This platform has no sandbox; nothing ran. */
class SandboxUnsupportedError extends SandboxError {}
/** No `codex-linux-sandbox` executable was found; `searched` lists every path tried. */
class SandboxExecutableNotFoundError extends CodexError {}
/** The response stream broke after events were yielded, or ended without a terminal event. */
class StreamDisconnectedError extends CodexError {}
/** No byte arrived for the idle timeout, or no response headers for the request timeout. */
class StreamTimeoutError extends CodexError {}
/** The server answered with a status that is not retried. */
class UnexpectedStatusError extends CodexError {}
/** Every retry was used up; `status` is null when no response ever came. */
class RetryLimitError extends CodexError {}
/** The server ended the response with `response.failed` or an `error` event. */
class ResponseFailedError extends CodexError {}
/** The operation was aborted through its `signal` (name `AbortError`, code `ABORT_ERR`, as Node's). */
class InterruptedError extends CodexError {}
/** The child's pipes or process could not be set up. */
class SpawnError extends CodexError {}
/** An OS error with Node's errno fields (`code` is `ENOENT`, `EACCES`…). */
class CodexIoError extends CodexError {}
/** An event was not valid JSON or was over the size limit; `raw` holds its start. */
class InvalidEventError extends CodexError {}
/** A required environment variable (e.g. `OPENAI_API_KEY`) is missing. */
class EnvVarError extends CodexError {}
/** A bug on our side: a caught panic, a dead internal task. */
class InternalError extends CodexError {}

/** @type {Array<[Function, string | undefined, string]>} class, code, name */
const CLASS_TABLE = [
  [CodexError, undefined, 'CodexError'],
  [SandboxError, undefined, 'SandboxError'],
  [SandboxDeniedError, 'SANDBOX_DENIED', 'SandboxDeniedError'],
  [TimeoutError, 'EXEC_TIMEOUT', 'TimeoutError'],
  [SignalError, 'EXEC_SIGNAL', 'SignalError'],
  [LandlockRestrictError, 'LANDLOCK_RESTRICT', 'LandlockRestrictError'],
  [SeccompError, 'SECCOMP_SETUP', 'SeccompError'],
  [SandboxUnsupportedError, 'SANDBOX_UNSUPPORTED', 'SandboxUnsupportedError'],
  [SandboxExecutableNotFoundError, 'SANDBOX_EXE_NOT_FOUND', 'SandboxExecutableNotFoundError'],
  [StreamDisconnectedError, 'STREAM_DISCONNECTED', 'StreamDisconnectedError'],
  [StreamTimeoutError, 'STREAM_TIMEOUT', 'StreamTimeoutError'],
  [UnexpectedStatusError, 'UNEXPECTED_STATUS', 'UnexpectedStatusError'],
  [RetryLimitError, 'RETRY_LIMIT', 'RetryLimitError'],
  [ResponseFailedError, 'RESPONSE_FAILED', 'ResponseFailedError'],
  [InterruptedError, 'ABORT_ERR', 'AbortError'],
  [SpawnError, 'SPAWN_FAILED', 'SpawnError'],
  [CodexIoError, 'EIO', 'CodexIoError'],
  [InvalidEventError, 'INVALID_EVENT', 'InvalidEventError'],
  [EnvVarError, 'MISSING_ENV_VAR', 'EnvVarError'],
  [InternalError, 'INTERNAL', 'InternalError'],
]

/** @type {Map<string, Function>} */
const CLASS_BY_CODE = new Map()
for (const [Class, code, name] of CLASS_TABLE) {
  // On the prototype and not enumerable, like Node's own error names.
  Object.defineProperty(Class.prototype, 'name', { value: name, writable: true, configurable: true })
  Object.defineProperty(Class, 'code', { value: code, configurable: true })
  if (code !== undefined) CLASS_BY_CODE.set(code, Class)
}

/** The binding's code for an argument its own validation rejected. */
const INVALID_ARGUMENT = 'ERR_INVALID_ARG_VALUE'

/** Signal number → name; the first of two aliases wins (6 is SIGABRT, not SIGIOT), as in Node. */
const SIGNAL_NAMES = new Map()
for (const [name, number] of Object.entries(os.constants.signals)) {
  if (!SIGNAL_NAMES.has(number)) SIGNAL_NAMES.set(number, name)
}

/**
 * Turns a native error object into its class (DESIGN.md §2 table).
 * @param {{ code: string, message: string, result?: object, fields?: Record<string, unknown> }} native
 * @returns {Error}
 */
function fromNative(native) {
  if (native.code === INVALID_ARGUMENT) return new TypeError(native.message)
  const fields = { ...native.fields }
  if (fields.cause !== undefined && fields.cause !== null) fields.cause = causeFrom(fields.cause)
  if (native.result !== undefined && native.result !== null) fields.result = publicResult(native.result)
  if (native.code === 'SANDBOX_DENIED') {
    fields.exitCode = fields.result?.exitCode ?? null
    fields.stdout = fields.result?.stdout ?? ''
    fields.stderr = fields.result?.stderr ?? ''
  } else if (native.code === 'EXEC_SIGNAL') {
    fields.signal = signalName(fields.signalNumber)
  }
  const Class = CLASS_BY_CODE.get(native.code) ?? (native.code.startsWith('E') ? CodexIoError : InternalError)
  const error = new Class(native.message, fields)
  error.code = native.code
  return error
}

/** A native cause (`{ code, message, …fields }`) as an Error; our codes keep their class. */
function causeFrom(cause) {
  const { code, message, ...fields } = cause
  if (typeof code === 'string' && CLASS_BY_CODE.has(code)) return fromNative({ code, message, fields })
  const error = new Error(message)
  if (typeof code === 'string') error.code = code
  return error
}

/** Node's name of a signal number (`11` → `'SIGSEGV'`), or null. */
function signalName(number) {
  if (number === undefined || number === null) return null
  return SIGNAL_NAMES.get(number) ?? `SIG${number}`
}

/**
 * The public `ExecResult` of a native one.
 * @returns {import('./index').ExecResult}
 */
function publicResult(native) {
  const sandbox = { kind: native.sandbox.kind }
  if (native.sandbox.landlock !== undefined) sandbox.landlock = native.sandbox.landlock
  if (native.sandbox.seccomp !== undefined) sandbox.seccomp = native.sandbox.seccomp
  if (native.sandbox.mountNamespace !== undefined) sandbox.mountNamespace = native.sandbox.mountNamespace
  return {
    exitCode: native.exitCode ?? null,
    signal: signalName(native.signalNumber),
    timedOut: native.timedOut,
    aborted: native.aborted,
    sandboxDenied: native.sandboxDenied,
    stdout: native.stdout,
    stderr: native.stderr,
    aggregatedOutput: native.aggregatedOutput,
    stdoutBytes: native.stdoutBytes,
    stderrBytes: native.stderrBytes,
    truncated: native.truncated,
    durationMs: native.durationMs,
    sandbox,
  }
}

/**
 * A user callback as native code calls it: it returns nothing and never throws into native code;
 * what it throws becomes an uncaught exception, as from an EventEmitter listener.
 */
function callbackForNative(callback) {
  return (value) => {
    try {
      callback(value)
    } catch (error) {
      process.nextTick(() => {
        throw error
      })
    }
  }
}

/** `onOutput` as the binding calls it: chunks, then a `null` that marks the end of the output. */
function outputCallback(onOutput) {
  return callbackForNative((chunk) => {
    if (chunk !== null) onOutput(chunk)
  })
}

/** An `InterruptedError` for a signal that was already aborted: nothing ran. */
function abortedBeforeStart(signal) {
  return new InterruptedError('the operation was aborted', { cause: signal.reason })
}

// ---------------------------------------------------------------------------------------------
// Argument validation: TypeError / RangeError naming the option
// ---------------------------------------------------------------------------------------------

function checkObject(name, value) {
  if (value === undefined) return {}
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${name} must be an object`)
  }
  return value
}

function checkKnownKeys(name, value, known) {
  for (const key of Object.keys(value)) {
    if (!known.has(key)) throw new TypeError(`${name}.${key} is not a known option`)
  }
}

function checkMillis(name, value, { nullable = false, integer = false } = {}) {
  const expected = `${name} must be a non-negative ${integer ? 'integer' : 'number'}${nullable ? ' or null' : ''}`
  if (typeof value !== 'number') throw new TypeError(expected)
  if (!(value >= 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new RangeError(expected)
  }
  return value
}

function checkString(name, value) {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`)
  return value
}

function checkBoolean(name, value) {
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean`)
  return value
}

function checkFunction(name, value) {
  if (typeof value !== 'function') throw new TypeError(`${name} must be a function`)
  return value
}

function checkSignal(name, value) {
  if (value === null || typeof value !== 'object' || typeof value.addEventListener !== 'function' || typeof value.aborted !== 'boolean') {
    throw new TypeError(`${name} must be an AbortSignal`)
  }
  return value
}

function checkStringRecord(name, value) {
  checkObject(name, value)
  const record = {}
  for (const [key, entry] of Object.entries(value)) {
    if (entry === undefined) continue
    if (entry === null || typeof entry === 'object' || typeof entry === 'function') {
      throw new TypeError(`${name}.${key} must be a string`)
    }
    record[key] = String(entry)
  }
  return record
}

const POLICY_KEYS = {
  'danger-full-access': new Set(['mode']),
  'read-only': new Set(['mode', 'networkAccess']),
  'workspace-write': new Set(['mode', 'writableRoots', 'networkAccess', 'excludeTmp']),
}

/** Validates a `SandboxPolicy`; returns its JSON, or null for danger-full-access. */
function policyJson(policy) {
  const name = 'options.sandbox'
  if (policy === null || typeof policy !== 'object' || Array.isArray(policy)) {
    throw new TypeError(`${name} must be an object with a mode`)
  }
  const known = POLICY_KEYS[policy.mode]
  if (known === undefined) {
    throw new TypeError(`${name}.mode must be one of ${Object.keys(POLICY_KEYS).map((m) => `'${m}'`).join(', ')}`)
  }
  checkKnownKeys(name, policy, known)
  if (policy.networkAccess !== undefined) checkBoolean(`${name}.networkAccess`, policy.networkAccess)
  if (policy.excludeTmp !== undefined) checkBoolean(`${name}.excludeTmp`, policy.excludeTmp)
  if (policy.writableRoots !== undefined) {
    if (!Array.isArray(policy.writableRoots) || !policy.writableRoots.every((root) => typeof root === 'string')) {
      throw new TypeError(`${name}.writableRoots must be an array of strings`)
    }
  }
  return policy.mode === 'danger-full-access' ? null : JSON.stringify(policy)
}

// ---------------------------------------------------------------------------------------------
// Helper resolution (DESIGN.md §4): option, env, platform package, source checkout
// ---------------------------------------------------------------------------------------------

const HELPER_NAME = 'codex-linux-sandbox'
const TRIPLES = { x64: 'x86_64-unknown-linux-gnu', arm64: 'aarch64-unknown-linux-gnu' }

/** @type {string[] | undefined} */
let defaultCandidates

/** Where the shipped or freshly built helper may be, most specific first; computed once. */
function packagedHelperCandidates() {
  if (defaultCandidates !== undefined) return defaultCandidates
  const candidates = []
  const platformDir = `linux-${process.arch}-gnu`
  try {
    const manifest = require.resolve(`@codex-native/binding-${platformDir}/package.json`)
    candidates.push(path.join(path.dirname(manifest), HELPER_NAME))
  } catch {
    // No platform package installed: a source checkout, or a platform without one.
  }
  candidates.push(path.join(__dirname, HELPER_NAME))
  if (fs.existsSync(path.join(__dirname, 'Cargo.toml'))) {
    candidates.push(path.join(__dirname, 'npm', platformDir, HELPER_NAME))
    const targetDir = process.env.CARGO_TARGET_DIR || path.join(__dirname, 'target')
    const triple = TRIPLES[process.arch]
    for (const profile of ['release', 'debug']) {
      if (triple !== undefined) candidates.push(path.join(targetDir, triple, profile, HELPER_NAME))
      candidates.push(path.join(targetDir, profile, HELPER_NAME))
    }
  }
  defaultCandidates = candidates
  return candidates
}

/**
 * The helper paths to try, in order: the `sandboxExecutable` option or `CODEX_LINUX_SANDBOX_EXE`
 * alone when given (an explicit choice is never second-guessed), else the packaged ones.
 * @param {string | undefined} explicit
 */
function helperCandidates(explicit) {
  if (explicit !== undefined) return [explicit]
  const fromEnv = process.env.CODEX_LINUX_SANDBOX_EXE
  if (fromEnv) return [fromEnv]
  return packagedHelperCandidates()
}

// ---------------------------------------------------------------------------------------------
// exec (DESIGN.md §3)
// ---------------------------------------------------------------------------------------------

const DEFAULT_TIMEOUT_MS = 10_000
const EXEC_OPTIONS = new Set([
  'cwd', 'env', 'inheritEnv', 'timeoutMs', 'killGraceMs', 'sandbox', 'signal', 'stdin',
  'maxOutputBytes', 'reject', 'onOutput', 'sandboxExecutable',
])

/** Validates `exec`'s options into the binding's shape. */
function nativeExecOptions(options) {
  checkKnownKeys('options', options, EXEC_OPTIONS)
  const native = {}
  if (options.cwd !== undefined) native.cwd = checkString('options.cwd', options.cwd)
  if (options.env !== undefined) native.env = checkStringRecord('options.env', options.env)
  if (options.inheritEnv !== undefined && options.inheritEnv !== 'filtered' && options.inheritEnv !== 'all') {
    throw new TypeError("options.inheritEnv must be 'filtered' or 'all'")
  }
  native.inheritEnv = options.inheritEnv
  if (options.timeoutMs === undefined) native.timeoutMs = DEFAULT_TIMEOUT_MS
  else if (options.timeoutMs !== null) native.timeoutMs = checkMillis('options.timeoutMs', options.timeoutMs, { nullable: true })
  if (options.killGraceMs !== undefined) native.killGraceMs = checkMillis('options.killGraceMs', options.killGraceMs)
  if (options.maxOutputBytes !== undefined) {
    native.maxOutputBytes = checkMillis('options.maxOutputBytes', options.maxOutputBytes, { integer: true })
  }
  if (options.stdin !== undefined) {
    if (typeof options.stdin === 'string') native.stdin = Buffer.from(options.stdin)
    else if (options.stdin instanceof Uint8Array) native.stdin = Buffer.from(options.stdin.buffer, options.stdin.byteOffset, options.stdin.byteLength)
    else throw new TypeError('options.stdin must be a string, a Buffer or a Uint8Array')
  }
  if (options.sandboxExecutable !== undefined) checkString('options.sandboxExecutable', options.sandboxExecutable)
  if (options.sandbox !== undefined) {
    const json = policyJson(options.sandbox)
    if (json !== null) {
      native.sandbox = json
      native.sandboxExecutable = helperCandidates(options.sandboxExecutable)
    }
  }
  if (options.reject !== undefined) checkBoolean('options.reject', options.reject)
  if (options.onOutput !== undefined) checkFunction('options.onOutput', options.onOutput)
  if (options.signal !== undefined) checkSignal('options.signal', options.signal)
  return native
}

/**
 * Runs a command (no shell). Resolves with its result for any exit code; rejects with a
 * `CodexError` on timeout, signal, sandbox denial or abort (or resolves with the partial result
 * when `reject: false`), and always rejects when the command could not be started.
 * @param {string[]} argv
 * @param {import('./index').ExecOptions} [options]
 * @returns {Promise<import('./index').ExecResult>}
 */
async function exec(argv, options) {
  if (!Array.isArray(argv) || argv.length === 0 || !argv.every((arg) => typeof arg === 'string')) {
    throw new TypeError('argv must be a non-empty array of strings')
  }
  const opts = checkObject('options', options)
  const native = nativeExecOptions(opts)
  const signal = opts.signal
  if (signal?.aborted) throw abortedBeforeStart(signal)
  const cancel = new binding.CancelToken()
  const onAbort = () => cancel.cancel()
  signal?.addEventListener('abort', onAbort, { once: true })
  let outcome
  try {
    outcome = await binding.exec(argv, native, cancel, opts.onOutput && outputCallback(opts.onOutput))
  } finally {
    signal?.removeEventListener('abort', onAbort)
  }
  if (outcome.result !== undefined) return publicResult(outcome.result)
  const error = fromNative(outcome.error)
  if (opts.reject === false && error.result !== undefined) return error.result
  throw error
}

/**
 * What this machine can enforce, for a CLI's start-up check (`codex-native doctor` prints it).
 * @returns {Promise<import('./index').SandboxSupport>}
 */
async function sandboxSupport() {
  let support
  try {
    support = await binding.sandboxSupport(helperCandidates(undefined))
  } catch (cause) {
    throw new InternalError(`sandbox probe failed: ${cause.message}`, { cause })
  }
  return {
    platform: support.platform,
    helperPath: support.helperPath ?? null,
    landlockAbi: support.landlockAbi ?? null,
    seccomp: support.seccomp,
    userNamespaces: support.userNamespaces,
    seatbelt: support.seatbelt,
    problems: support.problems,
  }
}

// ---------------------------------------------------------------------------------------------
// Streaming client (DESIGN.md §5)
// ---------------------------------------------------------------------------------------------

const CLIENT_OPTIONS = new Set([
  'apiKey', 'baseUrl', 'maxRetries', 'retryBaseDelayMs', 'retryMaxDelayMs', 'streamIdleTimeoutMs',
  'requestTimeoutMs', 'headers', 'query', 'onRetry',
])
const REQUEST_OPTIONS = new Set(['signal'])
/** Events taken per crossing into native code (see bench/stream.mjs for the measurement). */
const EVENTS_PER_BATCH = 256

/** Validates the client's options into the binding's shape. */
function nativeClientOptions(options) {
  checkKnownKeys('options', options, CLIENT_OPTIONS)
  const native = {}
  if (options.apiKey !== undefined) native.apiKey = checkString('options.apiKey', options.apiKey)
  if (options.baseUrl !== undefined) native.baseUrl = checkString('options.baseUrl', options.baseUrl)
  if (options.maxRetries !== undefined) {
    native.maxRetries = checkMillis('options.maxRetries', options.maxRetries, { integer: true })
  }
  for (const key of ['retryBaseDelayMs', 'retryMaxDelayMs', 'streamIdleTimeoutMs', 'requestTimeoutMs']) {
    if (options[key] !== undefined) native[key] = checkMillis(`options.${key}`, options[key])
  }
  if (options.headers !== undefined) native.headers = checkStringRecord('options.headers', options.headers)
  if (options.query !== undefined) native.query = checkStringRecord('options.query', options.query)
  if (options.onRetry !== undefined) checkFunction('options.onRetry', options.onRetry)
  return native
}

/** The `onRetry` hook as the binding calls it: native error data becomes its class first. */
function retryHook(onRetry) {
  const hook = callbackForNative(onRetry)
  return (info) => {
    const event = { attempt: info.attempt, delayMs: info.delayMs, status: info.status ?? null }
    if (info.error !== undefined) event.error = fromNative(info.error)
    hook(event)
  }
}

/** Validates a request's options; returns the signal, if any. */
function requestSignal(options) {
  const opts = checkObject('options', options)
  checkKnownKeys('options', opts, REQUEST_OPTIONS)
  return opts.signal === undefined ? undefined : checkSignal('options.signal', opts.signal)
}

/** The request body as JSON text, with `stream: true`. */
function requestBody(body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new TypeError('body must be an object')
  return JSON.stringify(body.stream === true ? body : { ...body, stream: true })
}

/**
 * An open Responses stream: an async iterable of the server's events, parsed, exactly as sent.
 * `break` or `return()` closes the connection.
 */
class ResponseStream {
  /** @type {any} */ #native
  /** @type {object[]} */ #events = []
  #index = 0
  #finished = false
  #closed = false
  /** @type {Promise<unknown> | undefined} */ #reading
  /** @type {Promise<any> | undefined} the native read already under way */ #prefetch
  /** @type {(() => void) | undefined} */ #release

  /** @internal */
  constructor(native, release) {
    this.#native = native
    this.#release = release
    /** The `x-request-id` response header, or null. */
    this.requestId = native.requestId ?? null
    /** The HTTP status (2xx). */
    this.status = native.status
    /** The response headers, lowercased names. */
    this.headers = native.headers
  }

  /** The next event; `done` after the terminal event. Rejects with the stream's failure. */
  next() {
    if (this.#reading === undefined && this.#index < this.#events.length) {
      return Promise.resolve({ value: this.#events[this.#index++], done: false })
    }
    const reading = (this.#reading ?? Promise.resolve()).then(() => this.#step())
    const settled = () => {
      if (this.#reading === guarded) this.#reading = undefined
    }
    const guarded = reading.then(
      (step) => (settled(), step),
      (error) => {
        settled()
        throw error
      },
    )
    this.#reading = guarded
    return guarded
  }

  async #step() {
    if (this.#index < this.#events.length) return { value: this.#events[this.#index++], done: false }
    if (this.#finished) return { value: undefined, done: true }
    const batch = await (this.#prefetch ?? this.#native.next(EVENTS_PER_BATCH))
    this.#prefetch = undefined
    if (batch.events !== undefined) {
      // Rust reads and parses the next batch while JavaScript parses this one.
      this.#prefetch = this.#native.next(EVENTS_PER_BATCH)
      this.#events = JSON.parse(batch.events)
      this.#index = 1
      return { value: this.#events[0], done: false }
    }
    this.#finish()
    if (batch.error === undefined || (this.#closed && batch.error.code === 'ABORT_ERR')) {
      return { value: undefined, done: true }
    }
    throw fromNative(batch.error)
  }

  /** Closes the connection; a pending `next()` ends with `done`. */
  close() {
    if (this.#closed) return
    this.#closed = true
    this.#native.close()
    this.#finish()
  }

  /** Called by `break`: closes the connection. */
  return() {
    this.close()
    this.#events = []
    this.#index = 0
    return Promise.resolve({ value: undefined, done: true })
  }

  [Symbol.asyncIterator]() {
    return this
  }

  #finish() {
    this.#finished = true
    const release = this.#release
    this.#release = undefined
    release?.()
  }
}

/** A streaming client for the OpenAI Responses API, with retries and typed failures. */
class ResponsesClient {
  /** @type {any} */ #native

  /**
   * @param {import('./index').ClientOptions} [options]
   * @throws {EnvVarError} when no API key is given and `OPENAI_API_KEY` is unset
   */
  constructor(options) {
    const opts = checkObject('options', options)
    const native = nativeClientOptions(opts)
    const outcome = binding.createClient(native, opts.onRetry === undefined ? undefined : retryHook(opts.onRetry))
    if (outcome.error !== undefined) throw fromNative(outcome.error)
    this.#native = outcome.client
  }

  /**
   * Sends the request; resolves once 2xx headers arrived (HTTP failures reject here, stream
   * failures surface from iteration), as the `openai` SDK's `create({ stream: true })`.
   * @param {object} body the request body; `stream: true` is set for you
   * @param {{ signal?: AbortSignal }} [options]
   * @returns {Promise<ResponseStream>}
   */
  async create(body, options) {
    const json = requestBody(body)
    const signal = requestSignal(options)
    if (signal?.aborted) throw abortedBeforeStart(signal)
    const cancel = new binding.CancelToken()
    const onAbort = () => cancel.cancel()
    signal?.addEventListener('abort', onAbort, { once: true })
    const release = () => signal?.removeEventListener('abort', onAbort)
    let outcome
    try {
      outcome = await this.#native.create(json, cancel)
    } catch (error) {
      release()
      throw error
    }
    if (outcome.error !== undefined) {
      release()
      throw fromNative(outcome.error)
    }
    return new ResponseStream(outcome.stream, release)
  }

  /**
   * `for await (const event of client.stream(body))`: `create` and iteration in one; `break`
   * closes the connection.
   * @param {object} body
   * @param {{ signal?: AbortSignal }} [options]
   * @returns {AsyncIterableIterator<object>}
   */
  stream(body, options) {
    /** @type {ResponseStream | undefined} */
    let stream
    /** @type {Promise<ResponseStream> | undefined} */
    let opening
    let returned = false
    const open = () => {
      opening ??= this.create(body, options).then((opened) => {
        stream = opened
        if (returned) opened.close()
        return opened
      })
      return opening
    }
    return {
      next: () => (stream !== undefined ? stream.next() : open().then((opened) => opened.next())),
      return: () => {
        returned = true
        stream?.close()
        return Promise.resolve({ value: undefined, done: true })
      },
      [Symbol.asyncIterator]() {
        return this
      },
    }
  }
}

module.exports = {
  exec,
  sandboxSupport,
  ResponsesClient,
  ResponseStream,
  CodexError,
  SandboxError,
  SandboxDeniedError,
  TimeoutError,
  SignalError,
  LandlockRestrictError,
  SeccompError,
  SandboxUnsupportedError,
  SandboxExecutableNotFoundError,
  StreamDisconnectedError,
  StreamTimeoutError,
  UnexpectedStatusError,
  RetryLimitError,
  ResponseFailedError,
  InterruptedError,
  SpawnError,
  CodexIoError,
  InvalidEventError,
  EnvVarError,
  InternalError,
}
