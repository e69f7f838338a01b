// What exec hands over while a command writes: onOutput's backpressure, and the output as a
// model should read it (formatOutputForModel).
import { describe, expect, it } from 'vitest'

import { TimeoutError, exec, formatOutputForModel } from 'codex-native'

const MiB = 1024 * 1024

/** Spins for `ms` milliseconds, as a callback that does real work per chunk would. */
function busy(ms) {
  const until = performance.now() + ms
  while (performance.now() < until);
}

describe('onOutput backpressure', () => {
  it('a slow callback under `yes` keeps memory flat and the timeout on time', async () => {
    // Warm up: the first run loads what every later one shares.
    await exec(['yes'], { timeoutMs: 200, reject: false, onOutput: () => {} })
    const before = process.memoryUsage.rss()
    let peak = before
    let chunks = 0
    let seen = 0
    const started = performance.now()
    const error = await exec(['yes'], {
      timeoutMs: 3000,
      onOutput: ({ data }) => {
        busy(1)
        seen += data.length
        if (++chunks % 20 === 0) peak = Math.max(peak, process.memoryUsage.rss())
      },
    }).catch((e) => e)
    const elapsed = performance.now() - started
    peak = Math.max(peak, process.memoryUsage.rss())
    expect(error).toBeInstanceOf(TimeoutError)
    // Timeout + kill grace (2 s, though `yes` dies on SIGTERM) + 1 s.
    expect(elapsed).toBeLessThan(3000 + 2000 + 1000)
    expect(peak - before).toBeLessThan(50 * MiB)
    // Every byte read reached the callback, and the callback set the pace: about one 64 KiB
    // chunk per millisecond, not the gigabytes `yes` writes when nothing holds it back.
    expect(seen).toBe(error.result.stdoutBytes)
    expect(seen).toBeLessThan(4000 * 64 * 1024)
  })

  it('a callback that keeps up still sees everything, at full speed', async () => {
    let seen = 0
    const result = await exec(['head', '-c', String(64 * MiB), '/dev/zero'], {
      timeoutMs: null,
      onOutput: ({ data }) => {
        seen += data.length
      },
    })
    expect(seen).toBe(64 * MiB)
    expect(result.stdoutBytes).toBe(64 * MiB)
  })

  it('an abort while the callback holds the reading back settles promptly', async () => {
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 300)
    const started = performance.now()
    const result = await exec(['yes'], {
      timeoutMs: null,
      signal: controller.signal,
      reject: false,
      onOutput: () => busy(5),
    })
    expect(result.aborted).toBe(true)
    expect(performance.now() - started).toBeLessThan(300 + 2000 + 1000)
  })
})

/** A result as exec gives it, for the formatter alone. */
function result(aggregatedOutput, fields = {}) {
  return {
    exitCode: 0,
    signal: null,
    timedOut: false,
    aborted: false,
    sandboxDenied: false,
    stdout: aggregatedOutput,
    stderr: '',
    aggregatedOutput,
    stdoutBytes: Buffer.byteLength(aggregatedOutput),
    stderrBytes: 0,
    truncated: false,
    durationMs: 1234,
    sandbox: { kind: 'none' },
    startError: null,
    ...fields,
  }
}

/** The output part of a formatted result. */
function outputOf(text) {
  return text.slice(text.indexOf('Output:\n') + 'Output:\n'.length)
}

describe('formatOutputForModel', () => {
  it('gives a short output whole, after the exit code and the wall time', () => {
    expect(formatOutputForModel(result('one\ntwo\n'))).toBe('Exit code: 0\nWall time: 1.2 seconds\nOutput:\none\ntwo\n')
  })

  it('keeps whole lines of head and tail within both limits, saying how much it left out', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i}\n`)
    const text = formatOutputForModel(result(lines.join('')), { maxBytes: 200, maxLines: 10 })
    const output = outputOf(text)
    const kept = output.split('\n').filter((line) => line.startsWith('line '))
    expect(kept).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4', 'line 995', 'line 996', 'line 997', 'line 998', 'line 999'])
    const omitted = lines.slice(5, 995)
    expect(output).toContain(`\n[... ${omitted.length} lines (${Buffer.byteLength(omitted.join(''))} bytes) omitted ...]\n`)
    // The byte limit binds before the line limit.
    const tight = outputOf(formatOutputForModel(result(lines.join('')), { maxBytes: 40, maxLines: 100 }))
    expect(Buffer.byteLength(tight.replace(/\[\.\.\. .* omitted \.\.\.\]\n/, ''))).toBeLessThanOrEqual(40)
    expect(tight).toMatch(/^line 0\nline 1\n/)
  })

  it('keeps CRLF line ends with their lines', () => {
    const rows = Array.from({ length: 100 }, (_, i) => `row ${i}\r\n`)
    const output = outputOf(formatOutputForModel(result(rows.join('')), { maxLines: 4 }))
    const omitted = Buffer.byteLength(rows.slice(2, 98).join(''))
    expect(output).toBe(`row 0\r\nrow 1\r\n[... 96 lines (${omitted} bytes) omitted ...]\nrow 98\r\nrow 99\r\n`)
  })

  it('cuts one huge line at character boundaries, head and tail', () => {
    const line = `${'é'.repeat(5000)}${'😀'.repeat(5000)}`
    const output = outputOf(formatOutputForModel(result(line), { maxBytes: 1001 }))
    const [head, tail] = output.split(/\n\[\.\.\. \d+ bytes of a long line omitted \.\.\.\]\n/)
    expect(head).toBe('é'.repeat(250))
    expect(tail).toBe('😀'.repeat(125))
    expect(output).toContain(`[... ${Buffer.byteLength(line) - 500 - 500} bytes of a long line omitted ...]`)
    expect(output).not.toContain('\uFFFD')
  })

  it('passes invalid UTF-8, which exec turned into U+FFFD, through whole', async () => {
    const ran = await exec(['sh', '-c', 'for i in $(seq 300); do printf "bad \\377\\376 line $i\\n"; done'])
    const output = outputOf(formatOutputForModel(ran, { maxLines: 6 }))
    expect(output.split('\n').slice(0, 3)).toEqual(['bad \uFFFD\uFFFD line 1', 'bad \uFFFD\uFFFD line 2', 'bad \uFFFD\uFFFD line 3'])
    expect(output).toMatch(/\[\.\.\. 294 lines \(\d+ bytes\) omitted \.\.\.\]\nbad \uFFFD\uFFFD line 298\n/)
  })

  it('states a timeout, a signal, a denial, an abort and a command that never started in one line', async () => {
    const firstLine = (fields) => formatOutputForModel(result('', fields)).split('\n')[0]
    expect(firstLine({ exitCode: null, signal: 'SIGTERM', timedOut: true })).toBe('Timed out; the command and its children were killed')
    expect(firstLine({ exitCode: null, signal: 'SIGSEGV' })).toBe('Killed by signal SIGSEGV')
    expect(firstLine({ exitCode: 1, sandboxDenied: true })).toBe('Exit code: 1 (the sandbox refused something it tried)')
    expect(firstLine({ exitCode: null, signal: 'SIGTERM', aborted: true })).toBe('Aborted; the command and its children were killed')
    const notFound = await exec(['codex-no-such-command'], { reject: false })
    expect(formatOutputForModel(notFound).split('\n')[0]).toMatch(/^Did not start: spawn codex-no-such-command: /)
  })

  it('counts what exec had already dropped from a longer output', async () => {
    const ran = await exec(['sh', '-c', 'seq 1 200000'], { maxOutputBytes: 4096 })
    expect(ran.truncated).toBe(true)
    const output = outputOf(formatOutputForModel(ran, { maxBytes: 100, maxLines: 10 }))
    const omitted = Number(/\(([0-9]+) bytes\) omitted/.exec(output)[1])
    const kept = Buffer.byteLength(output.replace(/\[\.\.\. .* omitted \.\.\.\]\n/, ''))
    expect(omitted + kept).toBe(ran.stdoutBytes)
    expect(output).toMatch(/\[\.\.\. at least \d+ lines/)
  })

  it('names a bad argument', () => {
    expect(() => formatOutputForModel({})).toThrow(/result must be an ExecResult/)
    expect(() => formatOutputForModel(result(''), { maxBytes: -1 })).toThrow(/options.maxBytes/)
    expect(() => formatOutputForModel(result(''), { maxLine: 3 })).toThrow(/options.maxLine is not a known option/)
  })
})
