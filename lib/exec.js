'use strict'
/** `exec` and `sandboxSupport` (DESIGN.md §3). */

const fs = require('node:fs')
const path = require('node:path')

const binding = require('./native.js')
const { cancelTokenFor, throwIfAborted } = require('./abort.js')
const { fromNative, reportingThrows } = require('./errors.js')
const { StdinFeed } = require('./stdin.js')
const {
  checkArgv,
  checkBoolean,
  checkCount,
  checkEnv,
  checkFunction,
  checkKnownKeys,
  checkMillis,
  checkObject,
  checkPath,
  checkPolicy,
  checkSignal,
  checkStdin,
} = require('./validate.js')

const EXEC_OPTIONS = new Set([
  'cwd', 'env', 'inheritEnv', 'timeoutMs', 'killGraceMs', 'sandbox', 'signal', 'stdin',
  'maxOutputBytes', 'reject', 'onOutput', 'sandboxExecutable',
])

/** The Rust target triples the static helper is built for (scripts/build-sandbox-helper.sh), by `process.arch`. */
const TRIPLES = { x64: 'x86_64-unknown-linux-musl', arm64: 'aarch64-unknown-linux-musl' }

/** @type {string[] | undefined} */
let helperDirs

/**
 * Where this package puts the helper: the platform package, the package itself and, in a source
 * checkout, the build's output directories. Only the layout is known here; the order of the
 * search, `CODEX_LINUX_SANDBOX_EXE` and the helper's name are codex-core's (DESIGN.md §4).
 * Computed once, on first use.
 */
function installedHelperDirs() {
  if (helperDirs !== undefined) return helperDirs
  const root = path.join(__dirname, '..')
  const platformDir = `linux-${process.arch}-gnu`
  const dirs = []
  try {
    dirs.push(path.dirname(require.resolve(`@codex-native/binding-${platformDir}/package.json`)))
  } catch {
    // No platform package installed: a source checkout, or a platform without one.
  }
  dirs.push(root)
  if (fs.existsSync(path.join(root, 'Cargo.toml'))) {
    dirs.push(path.join(root, 'npm', platformDir))
    const targetDir = process.env.CARGO_TARGET_DIR || path.join(root, 'target')
    const triple = TRIPLES[process.arch]
    for (const profile of ['release', 'debug']) {
      if (triple !== undefined) dirs.push(path.join(targetDir, triple, profile))
      dirs.push(path.join(targetDir, profile))
    }
  }
  helperDirs = dirs
  return dirs
}

/**
 * `exec`'s options, checked, in the binding's shape (`binding.d.ts`' `ExecOptions`); what is
 * absent takes codex-core's default. An iterable `stdin` is not an option of the binding's:
 * it is returned as `stdinIterable`, for `exec` to feed.
 */
function nativeExecOptions(options) {
  checkKnownKeys('options', options, EXEC_OPTIONS)
  const native = {}
  if (options.cwd !== undefined) native.cwd = checkPath('options.cwd', options.cwd)
  if (options.env !== undefined) native.env = checkEnv('options.env', options.env)
  if (options.inheritEnv !== undefined) {
    if (options.inheritEnv !== 'filtered' && options.inheritEnv !== 'all') {
      throw new TypeError("options.inheritEnv must be 'filtered' or 'all'")
    }
    native.inheritEnv = options.inheritEnv
  }
  if (options.timeoutMs !== undefined) {
    native.timeoutMs = options.timeoutMs === null ? null : checkMillis('options.timeoutMs', options.timeoutMs, { nullable: true })
  }
  if (options.killGraceMs !== undefined) native.killGraceMs = checkMillis('options.killGraceMs', options.killGraceMs)
  if (options.maxOutputBytes !== undefined) native.maxOutputBytes = checkCount('options.maxOutputBytes', options.maxOutputBytes)
  let stdinIterable
  if (options.stdin !== undefined) {
    const stdin = checkStdin('options.stdin', options.stdin)
    if (stdin.bytes !== undefined) native.stdin = stdin.bytes
    stdinIterable = stdin.iterable
  }
  if (options.sandboxExecutable !== undefined) {
    native.sandboxExecutable = checkPath('options.sandboxExecutable', options.sandboxExecutable)
  }
  if (options.sandbox !== undefined) {
    native.sandbox = checkPolicy('options.sandbox', options.sandbox)
    native.helperDirs = installedHelperDirs()
  }
  if (options.reject !== undefined) checkBoolean('options.reject', options.reject)
  if (options.onOutput !== undefined) checkFunction('options.onOutput', options.onOutput)
  if (options.signal !== undefined) checkSignal('options.signal', options.signal)
  return { native, stdinIterable }
}

/** `onOutput` as the binding calls it: chunks, then a `null` that marks the end of the output. */
function outputCallback(onOutput) {
  return reportingThrows((chunk) => {
    if (chunk !== null) onOutput(chunk)
  })
}

/**
 * Runs a command (no shell). Resolves with its result for any exit code; rejects with a
 * `CodexError` on timeout, signal, sandbox denial or abort, and when the command could not be
 * started. With `reject: false` it resolves instead for everything the command or the caller
 * caused — the partial result of a timeout, signal, denial or abort, and a result whose
 * `startError` says why a command never started (not found, not executable, an unusable cwd,
 * aborted first) — and rejects only when this machine could not run it (sandbox setup, helper,
 * resources) or the arguments are wrong.
 *
 * An async iterable `stdin` is exec's once the command started: read as the command reads,
 * and, when exec settles, read to its end or ended with its iterator's `return()`; one the
 * command never started for is left untouched. When it throws or
 * yields something that is not a string or an `ArrayBufferView`, the command is killed as an
 * abort would and exec rejects with that error as is (a `TypeError` naming `options.stdin` for
 * a wrong chunk), `reject: false` or not: its result would not say why the input stopped.
 * @param {string[]} argv
 * @param {import('../index').ExecOptions} [options]
 * @returns {Promise<import('../index').ExecResult>}
 */
async function exec(argv, options) {
  const command = checkArgv('argv', argv)
  const opts = checkObject('options', options)
  const { native, stdinIterable } = nativeExecOptions(opts)
  const reject = opts.reject !== false
  if (reject) throwIfAborted(opts.signal)
  const feed = stdinIterable && new StdinFeed(stdinIterable)
  const { token, release } = cancelTokenFor(opts.signal)
  let outcome
  try {
    outcome = await binding.exec(command, native, token, opts.onOutput && outputCallback(opts.onOutput), feed?.writer)
  } finally {
    release()
    feed?.release()
  }
  if (feed?.failure) throw feed.failure.error
  const { result } = outcome
  if (result !== null) result.startError = result.startError === null ? null : fromNative(result.startError)
  if (outcome.type === 'done') return result
  if (outcome.type === 'notStarted') {
    if (reject) throw result.startError
    return result
  }
  if (!reject && result !== null) return result
  throw fromNative(outcome.error, result)
}

/**
 * What this machine can enforce, for a CLI's start-up check (`codex-native doctor` prints it).
 * @returns {Promise<import('../index').SandboxSupport>}
 */
async function sandboxSupport() {
  const outcome = await binding.sandboxSupport(installedHelperDirs())
  if (outcome.type === 'failed') throw fromNative(outcome.error)
  return outcome.support
}

module.exports = { exec, sandboxSupport }
