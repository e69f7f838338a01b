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

/** An object of strings; numbers and booleans become strings, `undefined` entries drop out. */
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

/** An array of strings, e.g. paths. */
function checkStrings(name, value) {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item.length > 0)) {
    throw new TypeError(`${name} must be an array of non-empty strings`)
  }
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
    if (policy[key] !== undefined) checkStrings(`${name}.${key}`, policy[key])
  }
  if (policy.workspaceRoot !== undefined) {
    checkString(`${name}.workspaceRoot`, policy.workspaceRoot)
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
  checkBoolean,
  checkFunction,
  checkSignal,
  checkStringRecord,
  checkPolicy,
}
