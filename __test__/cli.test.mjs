// bin/codex-native: exit codes, output, one-line typed errors, doctor, stream.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { completedResponse, sse, sseHead, startServer } from './helpers/sse-server.mjs'

const cli = new URL('../bin/codex-native', import.meta.url).pathname

function run(args, env = {}) {
  return spawnSync(cli, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 20_000 })
}

/** Runs the CLI asynchronously (the test's own event loop must keep serving). */
function runAsync(args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cli, args, { env: { ...process.env, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('close', (status) => resolve({ status, stdout, stderr }))
  })
}

let workspace
let outside
beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'codex-cli-'))
  outside = mkdtempSync(join(homedir(), '.codex-cli-outside-'))
})
afterAll(() => {
  rmSync(workspace, { recursive: true, force: true })
  rmSync(outside, { recursive: true, force: true })
})

describe('codex-native exec', () => {
  it("prints the command's output and exits with its code", () => {
    const result = run(['exec', '--', 'sh', '-c', 'echo out; echo err >&2; exit 7'])
    expect(result.status).toBe(7)
    expect(result.stdout).toBe('out\n')
    expect(result.stderr).toBe('err\n')
  })

  it('exits 124 with one line on a timeout', () => {
    const result = run(['exec', '--timeout', '100', '--', 'sleep', '5'])
    expect(result.status).toBe(124)
    expect(result.stderr).toMatch(/^codex-native: command timed out after 100 ms\n$/)
  })

  it('exits 127 when the command is not found, 64 on a bad command line', () => {
    const missing = run(['exec', '--', 'codex-no-such-command'])
    expect(missing.status).toBe(127)
    expect(missing.stderr.split('\n').filter(Boolean)).toHaveLength(1)
    expect(run(['exec', '--sandbox', 'yolo', '--', 'true']).status).toBe(64)
    expect(run(['exec']).status).toBe(64)
    expect(run(['frobnicate']).status).toBe(64)
  })

  it('exits 128+N when the command dies of signal N', () => {
    expect(run(['exec', '--', 'sh', '-c', 'kill -TERM $$']).status).toBe(128 + 15)
  })

  it.runIf(process.platform === 'linux')('runs sandboxed: writes in --cwd, exits 123 on a denied write', () => {
    const ok = run(['exec', '--sandbox', 'workspace-write', '--cwd', workspace, '--', 'sh', '-c', 'echo hi > f && cat f'])
    expect(ok.status).toBe(0)
    expect(ok.stdout).toBe('hi\n')
    const denied = run(['exec', '--sandbox', 'workspace-write', '--cwd', workspace, '--', 'touch', join(outside, 'x')])
    expect(denied.status).toBe(123)
    expect(denied.stderr).toMatch(/codex-native: sandbox denied the command/)
    const rooted = run(['exec', '--sandbox', 'workspace-write', '--writable-root', outside, '--cwd', workspace, '--', 'touch', join(outside, 'y')])
    expect(rooted.status).toBe(0)
  })

  it('documents the exit codes in --help', () => {
    const help = run(['--help'])
    expect(help.status).toBe(0)
    for (const code of ['64', '123', '124', '127', '130']) expect(help.stdout).toContain(code)
  })
})

describe('codex-native doctor', () => {
  it.runIf(process.platform === 'linux')('shows the helper and the kernel layers', () => {
    const result = run(['doctor'])
    expect(result.stdout).toMatch(/helper\s+\/.*codex-linux-sandbox/)
    expect(result.stdout).toMatch(/landlock ABI\s+\d+/)
    expect(result.stdout).toMatch(/seccomp\s+yes/)
    expect([0, 1]).toContain(result.status)
  })

  it('says what to do when the helper is missing, and exits 1', () => {
    const result = run(['doctor'], { CODEX_LINUX_SANDBOX_EXE: join(workspace, 'missing-helper') })
    expect(result.status).toBe(1)
    expect(result.stdout).toMatch(/to fix:/)
  })
})

describe('codex-native stream', () => {
  it('prints the text deltas as they arrive', async () => {
    const server = await startServer((_request, socket) => socket.write(sseHead() + completedResponse('streamed from the cli').map(sse).join('')))
    try {
      const result = await runAsync(['stream', '--model', 'm', '--base-url', server.baseUrl, 'hello'], { OPENAI_API_KEY: 'sk-test' })
      expect(result.stderr).toBe('')
      expect(result.status).toBe(0)
      expect(result.stdout).toBe('streamed from the cli\n')
      expect(JSON.parse(server.requests[0].body)).toMatchObject({ model: 'm', input: 'hello', stream: true })
    } finally {
      await server.stop()
    }
  })

  it('exits 78 with the instructions when OPENAI_API_KEY is missing', () => {
    const result = run(['stream', '--model', 'm', 'hi'], { OPENAI_API_KEY: '' })
    expect(result.status).toBe(78)
    expect(result.stderr).toMatch(/^codex-native: missing environment variable OPENAI_API_KEY/)
  })
})
