// The error classes of DESIGN.md §2: hierarchy, codes, names, and that both entries share them.
import { createRequire } from 'node:module'

import { describe, expect, it } from 'vitest'

import * as esm from 'codex-native'

const require = createRequire(import.meta.url)
const cjs = require('../index.js')

const TABLE = [
  ['SandboxDeniedError', 'SandboxError', 'SANDBOX_DENIED'],
  ['TimeoutError', 'SandboxError', 'EXEC_TIMEOUT'],
  ['SignalError', 'SandboxError', 'EXEC_SIGNAL'],
  ['LandlockRestrictError', 'SandboxError', 'LANDLOCK_RESTRICT'],
  ['SeccompError', 'SandboxError', 'SECCOMP_SETUP'],
  ['SandboxUnsupportedError', 'SandboxError', 'SANDBOX_UNSUPPORTED'],
  ['SandboxExecutableNotFoundError', 'CodexError', 'SANDBOX_EXE_NOT_FOUND'],
  ['StreamDisconnectedError', 'CodexError', 'STREAM_DISCONNECTED'],
  ['StreamTimeoutError', 'CodexError', 'STREAM_TIMEOUT'],
  ['UnexpectedStatusError', 'CodexError', 'UNEXPECTED_STATUS'],
  ['RetryLimitError', 'CodexError', 'RETRY_LIMIT'],
  ['ResponseFailedError', 'CodexError', 'RESPONSE_FAILED'],
  ['InterruptedError', 'CodexError', 'ABORT_ERR'],
  ['SpawnError', 'CodexError', 'SPAWN_FAILED'],
  ['CodexIoError', 'CodexError', 'EIO'],
  ['InvalidEventError', 'CodexError', 'INVALID_EVENT'],
  ['EnvVarError', 'CodexError', 'MISSING_ENV_VAR'],
  ['InternalError', 'CodexError', 'INTERNAL'],
]

describe('error classes', () => {
  for (const [name, parent, code] of TABLE) {
    it(`${name} extends ${parent} with code ${code}`, () => {
      const Class = esm[name]
      const error = new Class('boom', { detail: 'x', cause: new Error('root') })
      expect(error).toBeInstanceOf(esm[parent])
      expect(error).toBeInstanceOf(esm.CodexError)
      expect(error).toBeInstanceOf(Error)
      expect(error.code).toBe(code)
      expect(error.name).toBe(name === 'InterruptedError' ? 'AbortError' : name)
      expect(error.message).toBe('boom')
      expect(error.detail).toBe('x')
      expect(error.cause.message).toBe('root')
      expect(Object.keys(error)).not.toContain('name')
      expect(String(error)).toBe(`${error.name}: boom`)
    })
  }

  it('SandboxError extends CodexError', () => {
    expect(new esm.SandboxError('x')).toBeInstanceOf(esm.CodexError)
  })
})

describe('entry points', () => {
  it('CJS and ESM export the same names and the same objects', () => {
    const esmNames = Object.keys(esm).filter((name) => name !== 'default').sort()
    expect(esmNames).toEqual(Object.keys(cjs).sort())
    for (const name of esmNames) expect(esm[name]).toBe(cjs[name])
    expect(esm.default).toBe(cjs)
  })

  it('index.d.ts declares every runtime export', async () => {
    const { readFile } = await import('node:fs/promises')
    const dts = await readFile(new URL('../index.d.ts', import.meta.url), 'utf8')
    for (const name of Object.keys(cjs)) {
      expect(dts).toMatch(new RegExp(`export (declare )?(class|function) ${name}\\b`))
    }
  })

  it('does not expose the generated binding', () => {
    expect(cjs).not.toHaveProperty('CancelToken')
    expect(() => require('codex-native/binding.js')).toThrow()
  })
})
