// exec's stdin as an async iterable: streamed with backpressure, ended (return()) when the
// command stops reading, and a broken input kills the command.
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { InterruptedError, TimeoutError, exec } from 'codex-native'

const MiB = 1024 * 1024

let dir
let bigFile
let bigHash
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'codex-stdin-'))
  bigFile = join(dir, 'big.bin')
  const bytes = randomBytes(6 * MiB + 12345)
  writeFileSync(bigFile, bytes)
  bigHash = createHash('sha256').update(bytes).digest('hex')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** An iterable whose `next()` never settles, and whether its `return()` was called. */
function stalled() {
  const seen = { returned: false }
  const iterable = {
    [Symbol.asyncIterator]: () => ({
      next: () => new Promise(() => {}),
      return: async () => {
        seen.returned = true
        return { done: true, value: undefined }
      },
    }),
  }
  return { iterable, seen }
}

/** The sha256 of everything a command wrote to stdout, kept whole through onOutput. */
async function stdoutHash(argv, options) {
  const hash = createHash('sha256')
  const result = await exec(argv, { ...options, onOutput: ({ stream, data }) => stream === 'stdout' && hash.update(data) })
  return { result, hash: hash.digest('hex') }
}

describe('exec: an async iterable stdin', () => {
  it('streams a Readable (a multi-MiB file) to the command unchanged, and closes its stdin at the end', async () => {
    const { hash, result } = await stdoutHash(['cat'], { stdin: createReadStream(bigFile) })
    expect(result.exitCode).toBe(0)
    expect(result.stdoutBytes).toBe(6 * MiB + 12345)
    expect(hash).toBe(bigHash)
    const summed = await exec(['sha256sum'], { stdin: createReadStream(bigFile) })
    expect(summed.stdout).toBe(`${bigHash}  -\n`)
  })

  it('takes an async generator of strings and Uint8Arrays, in order', async () => {
    async function* chunks() {
      yield 'héllo '
      yield new Uint8Array([119, 111, 114, 108, 100])
      await sleep(20)
      yield Buffer.from('!\n')
      yield new DataView(new Uint8Array([0, 111, 107, 0]).buffer, 1, 2)
    }
    expect((await exec(['cat'], { stdin: chunks() })).stdout).toBe('héllo world!\nok')
  })

  it('reads no further ahead of a slow reader than its 1 MiB queue and 1 MiB pipe hold, and keeps memory flat for 256 MiB', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x')
    let pulled = 0
    async function* lazily(total) {
      while (pulled < total) {
        pulled += chunk.length
        yield chunk
      }
    }
    // Reads exactly 1 MiB, then sits on a full pipe until it exits.
    const stalling = exec(['sh', '-c', 'dd bs=65536 count=16 iflag=fullblock of=/dev/null status=none; sleep 0.7'], {
      stdin: lazily(256 * MiB),
    })
    await sleep(500)
    const ahead = pulled - MiB
    await stalling
    expect(pulled).toBeGreaterThanOrEqual(MiB)
    expect(ahead).toBeLessThan(3 * MiB)
    expect(pulled - MiB).toBeLessThan(3 * MiB)

    // The same generator, read to its end by a reader that starts late.
    pulled = 0
    globalThis.gc?.()
    const before = process.memoryUsage().rss
    let peak = before
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
    const pending = exec(['sh', '-c', 'sleep 0.5; wc -c'], { stdin: lazily(256 * MiB), timeoutMs: 60_000 })
    await sleep(300)
    const beforeReading = pulled
    const result = await pending
    clearInterval(sampler)
    expect(beforeReading).toBeLessThan(3 * MiB)
    expect(result.stdout.trim()).toBe(String(256 * MiB))
    expect(peak - before).toBeLessThan(64 * MiB)
  })

  it('resolves when the command exits without reading, and ends the iterator (return())', async () => {
    let finished = false
    async function* endless() {
      try {
        for (;;) yield 'y\n'.repeat(4096)
      } finally {
        finished = true
      }
    }
    const result = await exec(['true'], { stdin: endless() })
    expect(result.exitCode).toBe(0)
    expect(finished).toBe(true)

    finished = false
    const head = await exec(['head', '-c', '5'], { stdin: endless() })
    expect(head.stdout).toBe('y\ny\ny')
    expect(finished).toBe(true)
  })

  it('destroys a Readable it did not read to its end, and leaves one the command never started for', async () => {
    const readable = createReadStream(bigFile)
    await exec(['head', '-c', '1'], { stdin: readable })
    expect(readable.destroyed).toBe(true)
    const unread = createReadStream(bigFile, { end: 3 })
    await expect(exec(['/nonexistent/command'], { stdin: unread })).rejects.toMatchObject({ code: 'ENOENT' })
    expect(unread.destroyed).toBe(false)
    expect((await exec(['wc', '-c'], { stdin: unread })).stdout).toBe('4\n')
  })

  it('times out on time while next() is pending, and calls return()', async () => {
    const { iterable, seen } = stalled()
    const started = Date.now()
    const error = await exec(['cat'], { stdin: iterable, timeoutMs: 500 }).catch((e) => e)
    expect(error).toBeInstanceOf(TimeoutError)
    // Not held up by the pending pull for the 2 s drain after the kill either.
    expect(Date.now() - started).toBeLessThan(1500)
    expect(seen.returned).toBe(true)
  })

  it('aborts on time while next() is pending, and calls return()', async () => {
    const { iterable, seen } = stalled()
    const started = Date.now()
    const error = await exec(['cat'], { stdin: iterable, signal: AbortSignal.timeout(300) }).catch((e) => e)
    expect(error).toBeInstanceOf(InterruptedError)
    expect(Date.now() - started).toBeLessThan(1500)
    expect(seen.returned).toBe(true)
  })

  it('keeps onOutput going while stdin streams', async () => {
    const seen = []
    async function* lines() {
      for (let i = 0; i < 3; i++) {
        yield `line ${i}\n`
        await sleep(30)
      }
    }
    await exec(['cat'], { stdin: lines(), onOutput: ({ data }) => seen.push(String(data)) })
    expect(seen.join('')).toBe('line 0\nline 1\nline 2\n')
    expect(seen.length).toBeGreaterThan(1)
  })
})

describe('exec: a broken stdin kills the command', () => {
  it('rejects a chunk of a wrong type with a TypeError naming options.stdin, kills the command and ends the iterator', async () => {
    const marker = join(dir, 'after-bad-chunk')
    const readable = Readable.from(['first\n', 5])
    const started = Date.now()
    const error = await exec(['sh', '-c', `cat >/dev/null; touch ${marker}`], { stdin: readable, reject: false }).catch((e) => e)
    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toMatch(/^options\.stdin yielded a number \(5\); its chunks must be strings or ArrayBufferViews/)
    // Killed at once, not at the 10 s default timeout, and never given an end of file.
    expect(Date.now() - started).toBeLessThan(3000)
    await sleep(300)
    expect(existsSync(marker)).toBe(false)
    expect(readable.destroyed).toBe(true)
  })

  it("rejects with the iterable's own error as is and kills the command", async () => {
    const marker = join(dir, 'after-throw')
    const boom = new Error('the source broke')
    async function* breaking() {
      yield 'some input\n'
      await sleep(50)
      throw boom
    }
    const started = Date.now()
    const error = await exec(['sh', '-c', `cat >/dev/null; touch ${marker}`], { stdin: breaking() }).catch((e) => e)
    expect(error).toBe(boom)
    expect(Date.now() - started).toBeLessThan(3000)
    await sleep(300)
    expect(existsSync(marker)).toBe(false)
  })

  it('refuses what is not bytes or an async iterable, sync iterables included', async () => {
    await expect(exec(['true'], { stdin: ['a', 'b'] })).rejects.toThrow(
      /^options\.stdin must be a string, an ArrayBufferView .* or an async iterable of them .*, not a sync iterable \(an Array\): wrap it with Readable\.from\(\)/,
    )
    await expect(exec(['true'], { stdin: { next() {} } })).rejects.toThrow(/options\.stdin must be .*, not an Object$/)
  })
})

describe.runIf(process.platform === 'linux')('exec: stdin streams into a sandboxed command', () => {
  it('reaches a read-only sandboxed command unchanged', async () => {
    const result = await exec(['sha256sum'], { stdin: createReadStream(bigFile), sandbox: { mode: 'read-only' } })
    expect(result.stdout).toBe(`${bigHash}  -\n`)
    expect(result.sandbox.kind).toBe('linux')
  })
})
