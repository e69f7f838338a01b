// The error classes of DESIGN.md §2: hierarchy, codes, names, and that both entries share them.
import { createRequire } from 'node:module'

import { describe, expect, it } from 'vitest'

import * as esm from 'codex-native'

const require = createRequire(import.meta.url)
const cjs = require('../index.js')

// The codes come from the binding (codex-core states them once); the classes from the package.
const { ErrorCode } = require('../lib/native.js')
const { CLASS_BY_CODE } = require('../lib/errors.js')
const CODES = Object.values(ErrorCode)
const CLASSES = Object.values(cjs).filter((value) => value.prototype instanceof Error)
const BASES = [cjs.CodexError, cjs.SandboxError, cjs.ExecError]

describe('error classes', () => {
  it('every native error code has a class, and every class a native code', () => {
    expect(CODES.length).toBeGreaterThan(0)
    expect([...CLASS_BY_CODE.keys()].sort()).toEqual([...CODES].sort())
    for (const Class of CLASSES) {
      if (BASES.includes(Class)) expect(Class.code).toBeUndefined()
      else expect(CODES).toContain(Class.code)
    }
    for (const Class of CLASS_BY_CODE.values()) {
      if (Class !== TypeError) expect(CLASSES).toContain(Class)
    }
  })

  for (const code of CODES) {
    const Class = CLASS_BY_CODE.get(code)
    if (Class === TypeError) continue
    it(`${Class.name} extends ${Object.getPrototypeOf(Class).name} with code ${code}`, () => {
      const error = new Class('boom', { detail: 'x', cause: new Error('root') })
      expect(error).toBeInstanceOf(Object.getPrototypeOf(Class))
      expect(error).toBeInstanceOf(esm.CodexError)
      expect(error).toBeInstanceOf(Error)
      expect(error.code).toBe(code)
      expect(error.name).toBe(Class === esm.InterruptedError ? 'AbortError' : Class.name)
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
      expect(dts).toMatch(new RegExp(`export (declare )?(abstract )?(class|function) ${name}\\b`))
    }
  })

  it('does not expose the generated binding', () => {
    expect(cjs).not.toHaveProperty('CancelToken')
    expect(() => require('codex-native/binding.js')).toThrow()
  })
})
