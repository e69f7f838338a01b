'use strict'
/**
 * Argument checks: a bad value from JavaScript is a `TypeError` or `RangeError` naming the
 * option (DESIGN.md §2). Types, ranges and known keys are checked here and nowhere else;
 * defaults are codex-core's, so an absent option stays absent.
 */

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

/** A duration in milliseconds: any non-negative finite number. */
function checkMillis(name, value, { nullable = false } = {}) {
  const expected = `${name} must be a non-negative number${nullable ? ' or null' : ''}`
  if (typeof value !== 'number') throw new TypeError(expected)
  if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(expected)
  return value
}

/** A count (bytes, retries): a non-negative safe integer, at most `max` when given. */
function checkCount(name, value, max) {
  const expected = max === undefined ? `${name} must be a non-negative integer` : `${name} must be an integer from 0 to ${max}`
  if (typeof value !== 'number') throw new TypeError(expected)
  if (!Number.isSafeInteger(value) || value < 0 || value > (max ?? Infinity)) throw new RangeError(expected)
  return value
}

function checkString(name, value) {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`)
  return value
}

/**
 * A string the OS takes as a C string (a path, an argument, an environment entry): a NUL byte
 * would cut it short, so it is refused here rather than failing in the kernel without an errno.
 */
function checkCString(name, value) {
  checkString(name, value)
  if (value.includes('\0')) throw new TypeError(`${name} must not contain NUL bytes`)
  return value
}

/** A path: a non-empty string without NUL bytes. */
function checkPath(name, value) {
  checkCString(name, value)
  if (value.length === 0) throw new TypeError(`${name} must not be empty`)
  return value
}

/**
 * A command line: a non-empty array of strings, each without NUL bytes. Copied element by
 * element into a plain array, so that holes and what a Proxy returns are checked here, not
 * discovered by the binding.
 */
function checkArgv(name, value) {
  if (!Array.isArray(value) || value.length === 0) {
    throw new TypeError(`${name} must be a non-empty array of strings`)
  }
  const argv = []
  for (let index = 0; index < value.length; index++) {
    if (!(index in value)) throw new TypeError(`${name}[${index}] must be a string (the array has a hole there)`)
    argv.push(checkCString(`${name}[${index}]`, value[index]))
  }
  return argv
}

function checkBoolean(name, value) {
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean`)
  return value
}

function checkFunction(name, value) {
  if (typeof value !== 'function') throw new TypeError(`${name} must be a function`)
  return value
}

/**
 * An `AbortSignal`, or anything shaped like one (`aborted`, `addEventListener`,
 * `removeEventListener`), which is all the wiring in `abort.js` uses: checked before anything
 * runs, so a half-shaped signal cannot fail after the command ran and lose its result.
 */
function checkSignal(name, value) {
  if (
    value === null ||
    typeof value !== 'object' ||
    typeof value.aborted !== 'boolean' ||
    typeof value.addEventListener !== 'function' ||
    typeof value.removeEventListener !== 'function'
  ) {
    throw new TypeError(`${name} must be an AbortSignal`)
  }
  return value
}

/**
 * A plain object of strings; numbers and booleans become strings, `undefined` entries drop out.
 * A `Map` (or any other object with its own tag) is refused: its entries are not properties,
 * and taking it as an empty record would silently drop them.
 */
function checkStringRecord(name, value) {
  checkObject(name, value)
  if (Object.prototype.toString.call(value) !== '[object Object]') {
    throw new TypeError(`${name} must be a plain object of strings, not a ${Object.prototype.toString.call(value).slice(8, -1)}`)
  }
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

/** What a wrong value is, for a message: `a number (5)`, `null`, `an Array`, `a Map`. */
function describe(value) {
  if (value === null || value === undefined) return String(value)
  if (typeof value === 'object') {
    const tag = Object.prototype.toString.call(value).slice(8, -1)
    return `${/^[AEIOU]/.test(tag) ? 'an' : 'a'} ${tag}`
  }
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'string') return 'a string'
  return `a ${typeof value} (${String(value)})`
}

/**
 * Bytes for a command's stdin as a Buffer over the same memory: a string (UTF-8) or any
 * `ArrayBufferView` — a Buffer, a typed array or a DataView, from this realm or another
 * (`ArrayBuffer.isView` does not look at prototypes). `undefined` when `value` is neither.
 */
function bytesOf(value) {
  if (typeof value === 'string') return Buffer.from(value)
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  return undefined
}

/**
 * `exec`'s `stdin`: `{ bytes }` for a string or an `ArrayBufferView`, `{ iterable }` for an
 * async iterable of them (a `Readable`, an async generator). A sync iterable (an Array…) is
 * refused rather than guessed at: an Array of numbers reads as bytes to some and as chunks
 * to others, and `Readable.from()` states which.
 */
function checkStdin(name, value) {
  const bytes = bytesOf(value)
  if (bytes !== undefined) return { bytes }
  if ((typeof value === 'object' || typeof value === 'function') && value !== null && typeof value[Symbol.asyncIterator] === 'function') {
    return { iterable: value }
  }
  const expected = `${name} must be a string, an ArrayBufferView (Buffer, Uint8Array, DataView…) or an async iterable of them (a Readable, an async generator)`
  if (value !== null && value !== undefined && typeof value[Symbol.iterator] === 'function') {
    throw new TypeError(`${expected}, not a sync iterable (${describe(value)}): wrap it with Readable.from() or an async generator`)
  }
  throw new TypeError(`${expected}, not ${describe(value)}`)
}

/** One chunk an async iterable `stdin` yielded, as a Buffer; a `TypeError` naming `name` otherwise. */
function checkStdinChunk(name, value) {
  const bytes = bytesOf(value)
  if (bytes === undefined) {
    throw new TypeError(`${name} yielded ${describe(value)}; its chunks must be strings or ArrayBufferViews (Buffer, Uint8Array…)`)
  }
  return bytes
}

/** Environment variables: names non-empty, without `=` or NUL; values without NUL. */
function checkEnv(name, value) {
  const env = checkStringRecord(name, value)
  for (const [key, entry] of Object.entries(env)) {
    if (key.length === 0) throw new TypeError(`${name} must not have an empty variable name`)
    if (key.includes('=')) throw new TypeError(`${name}: the variable name ${JSON.stringify(key)} must not contain '='`)
    checkCString(`${name}.${key}`, key)
    checkCString(`${name}.${key}`, entry)
  }
  return env
}

/** The keys each sandbox mode takes (DESIGN.md §3). */
const POLICY_KEYS = {
  'danger-full-access': new Set(['mode']),
  'read-only': new Set(['mode', 'networkAccess', 'allowUnixSockets']),
  'workspace-write': new Set([
    'mode',
    'workspaceRoot',
    'writableRoots',
    'networkAccess',
    'excludeTmp',
    'protectedPaths',
    'allowUnixSockets',
  ]),
}

/** An array of paths. */
function checkPaths(name, value) {
  if (!Array.isArray(value)) throw new TypeError(`${name} must be an array of non-empty strings`)
  for (let index = 0; index < value.length; index++) checkPath(`${name}[${index}]`, value[index])
}

/** A `SandboxPolicy`, checked key by key (a misspelt key is an error, never a narrower sandbox). */
function checkPolicy(name, policy) {
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
  for (const key of ['writableRoots', 'protectedPaths', 'allowUnixSockets']) {
    if (policy[key] !== undefined) checkPaths(`${name}.${key}`, policy[key])
  }
  if (policy.workspaceRoot !== undefined) {
    checkPath(`${name}.workspaceRoot`, policy.workspaceRoot)
    // A model-chosen cwd must never decide it: relative to what it would be is exactly that.
    if (!policy.workspaceRoot.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(policy.workspaceRoot)) {
      throw new TypeError(`${name}.workspaceRoot must be an absolute path`)
    }
  }
  return policy
}

module.exports = {
  checkObject,
  checkKnownKeys,
  checkMillis,
  checkCount,
  checkString,
  checkPath,
  checkArgv,
  checkBoolean,
  checkFunction,
  checkSignal,
  checkStringRecord,
  checkEnv,
  checkPolicy,
  checkStdin,
  checkStdinChunk,
}
