'use strict'
/**
 * The error classes of DESIGN.md §2 and `fromNative`, which turns a native error into its class.
 *
 * Every error is built here, in JavaScript, so that `instanceof` holds under plain Node, Jest
 * (another realm) and Vitest alike. The codes are not written here: `CLASS_BY_CODE` keys each
 * class on the binding's `ErrorCode`, the list codex-core states once.
 */

const { ErrorCode } = require('./native.js')

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

/**
 * Any error of `exec` that carries the run's `result`: `TimeoutError`, `SignalError`,
 * `SandboxDeniedError`, and `InterruptedError` once the command had started. It is a check
 * rather than a parent class (those classes keep their parents): `error instanceof ExecError`
 * holds exactly when `error` is a `CodexError` with a `result`.
 */
class ExecError extends CodexError {
  constructor() {
    throw new TypeError('ExecError is not constructed: it is the test `instanceof ExecError` for errors that carry a result')
  }

  static [Symbol.hasInstance](value) {
    return value instanceof CodexError && typeof value.result === 'object' && value.result !== null
  }
}

/**
 * A sandboxed command failed and the evidence says the sandbox caused it; `exitCode`, `stdout`
 * and `stderr` are its result's.
 */
class SandboxDeniedError extends SandboxError {
  constructor(message, fields = {}) {
    const { result } = fields
    const outcome = result && { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr }
    super(message, { ...outcome, ...fields })
  }
}
/** The command ran past `timeoutMs`; its process group was killed. */
class TimeoutError extends SandboxError {}
/** The command was killed by a signal it did not get from us. */
class SignalError extends SandboxError {}
/** Landlock is missing or too old for the policy; nothing ran. */
class LandlockRestrictError extends SandboxError {}
/** The seccomp filter could not be installed; nothing ran. */
class SeccompError extends SandboxError {}
/**
 * The sandbox policy cannot be applied as given — a writable root that is `/` or lies in `/proc`,
 * `/sys` or `/dev`, one reached through a symlink a sandboxed run could have planted, a protected
 * path this machine cannot keep read-only; `detail` says which and how to fix it. Nothing ran.
 */
class SandboxPolicyError extends SandboxError {}
/** This platform has no sandbox; nothing ran. */
class SandboxUnsupportedError extends SandboxError {}
/** No `codex-linux-sandbox` executable was found; `searched` lists every path tried. */
class SandboxExecutableNotFoundError extends CodexError {}
/** The response stream broke after events were yielded, or ended without a terminal event. */
class StreamDisconnectedError extends CodexError {}
/** No response headers for `requestTimeoutMs` (`phase: 'headers'`), or no byte of an open stream for `streamIdleTimeoutMs` (`phase: 'idle'`). */
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
/** An OS error with Node's errno fields: its `code` is the errno's name (`ENOENT`, `EACCES`…). */
class CodexIoError extends CodexError {
  constructor(message, { errnoName, ...fields } = {}) {
    super(message, fields)
    if (errnoName !== undefined) this.code = errnoName
  }
}
/** An event was not valid JSON or was over the size limit; `raw` holds its start. */
class InvalidEventError extends CodexError {}
/** A required environment variable (e.g. `OPENAI_API_KEY`) is missing. */
class EnvVarError extends CodexError {}
/** A bug on our side: a caught panic, a failed internal task. */
class InternalError extends CodexError {}

/**
 * The class each native error code becomes: the one list. A bad argument that only native code
 * could judge (a malformed header, a base URL) is a `TypeError`, as Node's own.
 * @type {Map<string, Function>}
 */
const CLASS_BY_CODE = new Map([
  [ErrorCode.SandboxDenied, SandboxDeniedError],
  [ErrorCode.ExecTimeout, TimeoutError],
  [ErrorCode.ExecSignal, SignalError],
  [ErrorCode.LandlockRestrict, LandlockRestrictError],
  [ErrorCode.SeccompSetup, SeccompError],
  [ErrorCode.SandboxPolicy, SandboxPolicyError],
  [ErrorCode.SandboxUnsupported, SandboxUnsupportedError],
  [ErrorCode.SandboxExecutableNotFound, SandboxExecutableNotFoundError],
  [ErrorCode.StreamDisconnected, StreamDisconnectedError],
  [ErrorCode.StreamTimeout, StreamTimeoutError],
  [ErrorCode.UnexpectedStatus, UnexpectedStatusError],
  [ErrorCode.RetryLimit, RetryLimitError],
  [ErrorCode.ResponseFailed, ResponseFailedError],
  [ErrorCode.Aborted, InterruptedError],
  [ErrorCode.SpawnFailed, SpawnError],
  [ErrorCode.Io, CodexIoError],
  [ErrorCode.InvalidEvent, InvalidEventError],
  [ErrorCode.MissingEnvVar, EnvVarError],
  [ErrorCode.Internal, InternalError],
  [ErrorCode.InvalidArgument, TypeError],
])

/** Every public error class by name: the bases, `ExecError` and each class of `CLASS_BY_CODE`. */
const classes = { CodexError, SandboxError, ExecError }
for (const Base of Object.values(classes)) Object.defineProperty(Base, 'code', { value: undefined, configurable: true })
for (const [code, Class] of CLASS_BY_CODE) {
  if (!(Class.prototype instanceof CodexError)) continue
  Object.defineProperty(Class, 'code', { value: code, configurable: true })
  classes[Class.name] = Class
}
for (const Class of Object.values(classes)) {
  // On the prototype and not enumerable, like Node's own error names.
  Object.defineProperty(Class.prototype, 'name', { value: Class.name, writable: true, configurable: true })
}
// An abort is named as Node names its own.
Object.defineProperty(InterruptedError.prototype, 'name', { value: 'AbortError', writable: true, configurable: true })

/**
 * The error a native error object stands for (`binding.d.ts`' `NativeError`), with `result`
 * the partial exec result that came with it, if any.
 * @param {import('../binding').NativeError} native
 * @param {import('../binding').ExecResult | null} [result]
 * @returns {Error}
 */
function fromNative(native, result = null) {
  const { code, message, ...fields } = native
  // An unknown code is a binding out of step with this file: a bug, as the test says.
  const Class = CLASS_BY_CODE.get(code) ?? InternalError
  if (Class === TypeError) return new TypeError(message)
  if ('cause' in fields) fields.cause = causeFrom(fields.cause)
  if (result !== null) fields.result = result
  return new Class(message, fields)
}

/** A native cause as an Error: one of ours keeps its class, a foreign one its errno name. */
function causeFrom(cause) {
  if (cause === null) return undefined
  if ('code' in cause) return fromNative(cause)
  const error = new Error(cause.message)
  if (cause.errnoName !== null) error.code = cause.errnoName
  return error
}

/** An `InterruptedError` for a signal that was already aborted: nothing ran. */
function abortedBeforeStart(signal) {
  return new InterruptedError('the operation was aborted', { cause: signal.reason })
}

/**
 * A user callback as native code calls it: it returns nothing and never throws into native
 * code; what it throws becomes an uncaught exception, as from an EventEmitter listener.
 */
function reportingThrows(callback) {
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

module.exports = { CLASS_BY_CODE, classes, fromNative, abortedBeforeStart, reportingThrows }
