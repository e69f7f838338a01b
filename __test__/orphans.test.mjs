// Nothing a command started outlives the Node process that ran it, however that process ends
// (DESIGN.md §3): each test starts a Node that runs exec, ends it one way, and looks from
// outside for the command's grandchildren — one in its process group, one that setsid'd.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { sleepers, waitUntil } from './helpers/processes.mjs'

const parentScript = new URL('./helpers/orphan-parent.cjs', import.meta.url).pathname

let workspace
beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'codex-orphans-'))
})
afterAll(() => rmSync(workspace, { recursive: true, force: true }))

let run = 0
/** A sleep argument no other test uses: 1000 s and a unique fraction. */
function token() {
  return `000.${process.pid}${String(++run).padStart(3, '0')}`
}

/**
 * Starts the parent in `mode`, waits until the grandchildren named by `args` run, calls `end`
 * on the parent, and returns whether they are all gone within 5 s.
 */
async function endAndLook(mode, sandbox, args, end) {
  const tag = token()
  const names = args.map((prefix) => `${prefix}${tag}`)
  const parent = spawn(process.execPath, [parentScript, mode, sandbox, tag, workspace], { stdio: ['pipe', 'pipe', 'ignore'] })
  const exited = new Promise((resolve) => parent.once('exit', resolve))
  try {
    const started = await waitUntil(() => names.every((name) => sleepers(name).length === 1), 10_000)
    expect(started, `the grandchildren of ${mode}/${sandbox} never started`).toBe(true)
    await end(parent, exited)
    return await waitUntil(() => names.every((name) => sleepers(name).length === 0), 5000)
  } finally {
    parent.kill('SIGKILL')
    // Whatever a failing test left behind, by pid, never by name.
    for (const name of names) for (const pid of sleepers(name)) process.kill(pid, 'SIGKILL')
  }
}

const tell = (parent) => parent.stdin.write('end\n')

const endings = {
  'process.exit()': ['exit', async (parent, exited) => { tell(parent); await exited }],
  'an uncaught exception': ['throw', async (parent, exited) => { tell(parent); await exited }],
  'SIGINT': ['signal', async (parent, exited) => { parent.kill('SIGINT'); await exited }],
  'SIGTERM': ['signal', async (parent, exited) => { parent.kill('SIGTERM'); await exited }],
  'SIGKILL': ['signal', async (parent, exited) => { parent.kill('SIGKILL'); await exited }],
  'worker.terminate()': [
    'worker',
    // The parent lives on: only the Worker that ran exec ended.
    async (parent) => {
      tell(parent)
      await new Promise((resolve) => parent.stdout.once('data', resolve))
    },
  ],
}

for (const sandbox of ['none', 'workspace-write']) {
  describe.runIf(process.platform === 'linux')(`no orphans, sandbox: ${sandbox}`, () => {
    for (const [name, [mode, end]] of Object.entries(endings)) {
      it(`a running command's grandchildren, setsid'd too, die with the Node process on ${name}`, async () => {
        expect(await endAndLook(mode, sandbox, ['1', '2'], end)).toBe(true)
      })
    }

  })
}

// Under the sandbox nothing outlives the command itself: its PID namespace dies with it.
describe.runIf(process.platform === 'linux')('no orphans after a normal exit', () => {
  it('what a finished command left in its group dies when Node exits normally', async () => {
    const exitsNormally = async (_parent, exited) => {
      expect(await exited).toBe(0)
    }
    expect(await endAndLook('normal', 'none', ['1'], exitsNormally)).toBe(true)
  })
})
