// The README's example is what a user pastes first: it must at least parse as the module it says it is.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

describe('README', () => {
  it('has an example that is a valid ES module (top-level await needs one)', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const example = readme.split('## Example')[1]?.match(/```js\n([\s\S]*?)```/)?.[1]
    expect(example).toMatch(/^\/\/ example\.mjs/)
    // `require` is not defined in an ES module (outside comments).
    expect(example.replace(/\/\/.*$/gm, '')).not.toMatch(/\brequire\(/)
    const dir = mkdtempSync(join(tmpdir(), 'codex-readme-'))
    try {
      const file = join(dir, 'example.mjs')
      writeFileSync(file, example)
      expect(() => execFileSync(process.execPath, ['--check', file], { stdio: 'pipe' })).not.toThrow()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
