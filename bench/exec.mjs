// exec benchmarks (DESIGN.md §7): `exec(['true'])` against Node's execFile and execa, sandboxed
// exec against unsandboxed execFile, 256 MiB of stdout against `spawn` discarding the data, and
// 256 MiB of streamed stdin against `spawn` with the same stream piped into its stdin.
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'

import { execa } from 'execa'

import { codex, interleaved, perCall, since, verdict } from './lib.mjs'

const execFileAsync = promisify(execFile)
const CALLS = 50
const ROUNDS = 9
const BIG = 256 * 1024 * 1024

export async function benchExec() {
  const results = []
  const workspace = mkdtempSync(join(tmpdir(), 'codex-bench-'))
  try {
    for (let i = 0; i < 20; i++) {
      await codex.exec(['true'])
      await execFileAsync('true')
      await execa('true')
    }
    const spawnTimes = await interleaved(
      {
        codex: () => perCall(() => codex.exec(['true']), CALLS),
        execFile: () => perCall(() => execFileAsync('true'), CALLS),
        execa: () => perCall(() => execa('true'), CALLS),
      },
      ROUNDS,
    )
    console.log(`exec(['true']): codex ${spawnTimes.codex.toFixed(3)} ms, execFile ${spawnTimes.execFile.toFixed(3)} ms, execa ${spawnTimes.execa.toFixed(3)} ms`)
    results.push(verdict("await exec(['true']) / promisified execFile", spawnTimes.codex / spawnTimes.execFile, '≤ 1.0', spawnTimes.codex <= spawnTimes.execFile))
    results.push(verdict("await exec(['true']) / execa", spawnTimes.codex / spawnTimes.execa, '≤ 1.0', spawnTimes.codex <= spawnTimes.execa))

    const sandbox = { mode: 'workspace-write' }
    await codex.exec(['true'], { cwd: workspace, sandbox })
    const sandboxTimes = await interleaved(
      {
        sandboxed: () => perCall(() => codex.exec(['true'], { cwd: workspace, sandbox }), CALLS),
        execFile: () => perCall(() => execFileAsync('true'), CALLS),
      },
      ROUNDS,
    )
    console.log(`sandboxed exec(['true']) ${sandboxTimes.sandboxed.toFixed(3)} ms, execFile ${sandboxTimes.execFile.toFixed(3)} ms`)
    results.push(verdict('sandboxed exec / unsandboxed execFile', sandboxTimes.sandboxed / sandboxTimes.execFile, '≤ 1.5', sandboxTimes.sandboxed / sandboxTimes.execFile <= 1.5))

    const big = ['head', '-c', String(BIG), '/dev/zero']
    const throughput = await interleaved(
      {
        codex: async () => {
          const start = process.hrtime.bigint()
          const result = await codex.exec(big, { maxOutputBytes: 1024 * 1024, timeoutMs: null })
          if (result.stdoutBytes !== BIG) throw new Error(`read ${result.stdoutBytes} bytes`)
          return BIG / 1024 / 1024 / (since(start) / 1000)
        },
        spawn: () => spawnDiscarding(big),
      },
      5,
    )
    console.log(`256 MiB stdout: codex ${throughput.codex.toFixed(0)} MiB/s, spawn discarding ${throughput.spawn.toFixed(0)} MiB/s`)
    results.push(verdict('256 MiB stdout throughput: exec / spawn discarding', throughput.codex / throughput.spawn, '≥ 1.0', throughput.codex >= throughput.spawn))

    const rss = await peakRssDelta(() => codex.exec(big, { maxOutputBytes: 1024 * 1024, timeoutMs: null }))
    const spawnRss = await peakRssDelta(() => spawnDiscarding(big))
    console.log(`peak RSS growth during 256 MiB: codex ${rss.toFixed(1)} MiB, spawn discarding ${spawnRss.toFixed(1)} MiB`)
    results.push(verdict('peak RSS growth while exec reads 256 MiB', rss, 'flat (<64)', rss < 64, 'MiB'))

    const count = ['wc', '-c']
    const fed = await interleaved(
      {
        codex: async () => {
          const start = process.hrtime.bigint()
          const result = await codex.exec(count, { stdin: Readable.from(chunks()), timeoutMs: null })
          if (result.stdout.trim() !== String(BIG)) throw new Error(`wc counted ${result.stdout}`)
          return BIG / 1024 / 1024 / (since(start) / 1000)
        },
        spawn: () => spawnFed(count),
      },
      5,
    )
    console.log(`256 MiB stdin: codex ${fed.codex.toFixed(0)} MiB/s, spawn piping ${fed.spawn.toFixed(0)} MiB/s`)
    results.push(verdict('256 MiB streamed stdin: exec / spawn piping the stream', fed.codex / fed.spawn, '≥ 1.0', fed.codex >= fed.spawn))

    const stdinRss = await peakRssDelta(() => codex.exec(count, { stdin: Readable.from(chunks()), timeoutMs: null }))
    const spawnStdinRss = await peakRssDelta(() => spawnFed(count))
    console.log(`peak RSS growth during 256 MiB of stdin: codex ${stdinRss.toFixed(1)} MiB, spawn piping ${spawnStdinRss.toFixed(1)} MiB`)
    results.push(verdict('peak RSS growth while exec feeds 256 MiB', stdinRss, 'flat (<64)', stdinRss < 64, 'MiB'))
  } finally {
    rmSync(workspace, { recursive: true, force: true })
  }
  return results
}

/** MiB/s of `argv`'s stdout read by `spawn` and thrown away. */
function spawnDiscarding(argv) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    let bytes = 0
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] })
    child.stdout.on('data', (chunk) => {
      bytes += chunk.length
    })
    child.on('error', reject)
    child.on('close', () => {
      if (bytes !== BIG) reject(new Error(`read ${bytes} bytes`))
      resolve(BIG / 1024 / 1024 / (since(start) / 1000))
    })
  })
}

/** 256 MiB as 64 KiB chunks, made as they are asked for (one buffer, never changed). */
async function* chunks() {
  const chunk = Buffer.alloc(64 * 1024, 'x')
  for (let sent = 0; sent < BIG; sent += chunk.length) yield chunk
}

/** MiB/s of the same stream piped by `spawn` into `argv`'s stdin (its output: the count). */
async function spawnFed(argv) {
  const start = process.hrtime.bigint()
  const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'ignore'] })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (text) => {
    output += text
  })
  const closed = new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', resolve)
  })
  await pipeline(Readable.from(chunks()), child.stdin)
  await closed
  if (output.trim() !== String(BIG)) throw new Error(`wc counted ${output}`)
  return BIG / 1024 / 1024 / (since(start) / 1000)
}

/** The largest RSS growth (MiB) seen while `run` runs, sampled every 5 ms. */
async function peakRssDelta(run) {
  globalThis.gc?.()
  const base = process.memoryUsage.rss()
  let peak = base
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 5)
  await run()
  clearInterval(timer)
  peak = Math.max(peak, process.memoryUsage.rss())
  return (peak - base) / 1024 / 1024
}
