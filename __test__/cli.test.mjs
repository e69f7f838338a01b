// bin/codex-native: exit codes, output, one-line typed errors, doctor, stream.
import { spawn, spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { completedResponse, sse, sseHead, startServer } from './helpers/sse-server.mjs'

const root = new URL('..', import.meta.url).pathname
const cli = join(root, 'bin', 'codex-native')

function run(args, env = {}, options = {}) {
  return spawnSync(cli, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 20_000, ...options })
}

/** Runs the CLI asynchronously (the test's own event loop must keep serving); stdin is empty. */
function runAsync(args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cli, args, { env: { ...process.env, ...env } })
    child.stdin.end()
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('close', (status) => resolve({ status, stdout, stderr }))
  })
}

let workspace
let outside
/** A command that outlives the library's 10 s default timeout, started first and checked last. */
let longRun
beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'codex-cli-'))
  outside = mkdtempSync(join(homedir(), '.codex-cli-outside-'))
  longRun = runAsync(['exec', '--', 'sh', '-c', 'sleep 10.5; echo done'])
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

  it('exits 124 with one line naming --timeout on a timeout', () => {
    const result = run(['exec', '--timeout', '100', '--', 'sleep', '5'])
    expect(result.status).toBe(124)
    expect(result.stderr).toMatch(/^codex-native: command timed out after 100 ms \(--timeout\)[^\n]*\n$/)
  })

  it('takes the command at its first argument that is not an option: exec ls -la works without --', () => {
    const result = run(['exec', 'ls', '-la', root])
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/^total \d+/)
    const options = run(['exec', '--cwd', workspace, 'sh', '-c', 'pwd'])
    expect(options.stdout).toBe(`${workspace}\n`)
  })

  it('gives the command its stdin when that is not a terminal', () => {
    expect(run(['exec', 'cat'], {}, { input: 'piped in\n' }).stdout).toBe('piped in\n')
    expect(run(['exec', 'wc', '-c'], {}, { stdio: ['ignore', 'pipe', 'pipe'] }).stdout.trim()).toBe('0')
  })

  it('streams a large stdin to the command unchanged', () => {
    const input = randomBytes(8 * 1024 * 1024 + 7)
    const result = run(['exec', '--', 'sha256sum'], {}, { input })
    expect(result.status).toBe(0)
    expect(result.stdout).toBe(`${createHash('sha256').update(input).digest('hex')}  -\n`)
  })

  it('ends promptly when the command stops reading an endless stdin', () => {
    const started = Date.now()
    const result = spawnSync('bash', ['-c', 'yes | "$0" exec -- head -c 10', cli], { encoding: 'utf8', timeout: 20_000 })
    expect(result.stdout).toBe('y\ny\ny\ny\ny\n')
    expect(result.status).toBe(0)
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('exits quietly (141, as SIGPIPE) when the reader of its output goes away', () => {
    const result = spawnSync('bash', ['-c', 'set -o pipefail; "$0" exec -- yes | head -1', cli], { encoding: 'utf8', timeout: 20_000 })
    expect(result.stdout).toBe('y\n')
    expect(result.stderr).toBe('')
    expect(result.status).toBe(141)
  })

  it('names the signal that killed the command', () => {
    const result = run(['exec', '--', 'sh', '-c', 'ulimit -c 0; kill -SEGV $$'])
    expect(result.status).toBe(128 + 11)
    expect(result.stderr).toBe('codex-native: command was killed by SIGSEGV\n')
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
    expect(denied.stderr).toMatch(/--writable-root DIR/)
    const readOnly = run(['exec', '--sandbox', 'read-only', '--cwd', workspace, '--', 'touch', 'f2'])
    expect(readOnly.status).toBe(123)
    expect(readOnly.stderr).toMatch(/--sandbox workspace-write lets it write in --cwd/)
    const rooted = run(['exec', '--sandbox', 'workspace-write', '--writable-root', outside, '--cwd', workspace, '--', 'touch', join(outside, 'y')])
    expect(rooted.status).toBe(0)
  })

  it.runIf(process.platform === 'linux')('takes --writable-root=~/DIR relative to the home directory', () => {
    // `outside` plays the home directory: without the root, a write there is denied (above).
    mkdirSync(join(outside, 'cache'), { recursive: true })
    const home = { HOME: outside }
    const result = run(['exec', '--sandbox', 'workspace-write', '--writable-root=~/cache', '--cwd', workspace, '--', 'touch', join(outside, 'cache', 'z')], home)
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
  })

  it('refuses a --writable-root that does not exist', () => {
    const result = run(['exec', '--sandbox', 'workspace-write', '--writable-root', join(workspace, 'nope'), '--', 'true'])
    expect(result.status).toBe(64)
    expect(result.stderr).toBe(`codex-native: --writable-root ${join(workspace, 'nope')}: no such directory (create it first)\n`)
  })

  it('documents the exit codes in --help', () => {
    const help = run(['--help'])
    expect(help.status).toBe(0)
    for (const code of ['64', '71', '123', '124', '127', '130', '141']) expect(help.stdout).toContain(code)
  })
})

describe('codex-native --help and --version', () => {
  it.each(['exec', 'stream', 'doctor'])('%s: --help, -h and codex-native help', (command) => {
    for (const args of [[command, '--help'], [command, '-h'], ['help', command]]) {
      const result = run(args)
      expect(result.status).toBe(0)
      expect(result.stdout).toMatch(new RegExp(`^usage: codex-native ${command}`))
    }
  })

  it('prints the version', () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
    const result = run(['--version'])
    expect(result.status).toBe(0)
    expect(result.stdout).toBe(`codex-native ${version}\n`)
  })

  it('says which option it does not know, in its own words', () => {
    const result = run(['exec', '--frobnicate', 'ls'])
    expect(result.status).toBe(64)
    expect(result.stderr).toBe('codex-native: exec: unknown option --frobnicate (see codex-native exec --help)\n')
  })

  it('shows how to let a command write to a tool cache', () => {
    const help = run(['exec', '--help']).stdout
    expect(help).toContain('--writable-root ~/.npm')
    expect(help).toContain('~/.cache')
    expect(help).toContain('~/.cargo')
  })
})

describe('codex-native doctor', () => {
  it.runIf(process.platform === 'linux')('shows the helper and the kernel layers', () => {
    const result = run(['doctor'])
    expect(result.stdout).toMatch(/helper\s+\/.*codex-linux-sandbox/)
    expect(result.stdout).toMatch(/landlock ABI\s+\d+/)
    expect(result.stdout).toMatch(/seccomp\s+yes/)
    // Layer by layer, what holds here and what is left open (this kernel: Landlock ABI 7).
    expect(result.stdout).toMatch(/^ {2}landlock {4}enforced {2}ABI \d+: writes only in the writable roots/m)
    expect(result.stdout).toMatch(/needs ABI 9\); the supervisor confines them/)
    expect(result.stdout).toMatch(/^ {2}namespaces {2}enforced {2}user, mount, PID and IPC namespaces/m)
    expect([0, 1]).toContain(result.status)
  })

  it('says what to do when the helper is missing in CLI terms, and exits 1', () => {
    const result = run(['doctor'], { CODEX_LINUX_SANDBOX_EXE: join(workspace, 'missing-helper') })
    expect(result.status).toBe(1)
    expect(result.stdout).toMatch(/to fix:/)
    if (process.platform === 'linux') expect(result.stdout).toMatch(/set CODEX_LINUX_SANDBOX_EXE to its path/)
    expect(result.stdout).not.toMatch(/sandboxExecutable/)
  })

  it('reports an addon that cannot load instead of crashing; other commands exit 71', () => {
    // The package's JavaScript without its native addon, as when the platform package is missing.
    const copy = mkdtempSync(join(tmpdir(), 'codex-cli-unbuilt-'))
    try {
      for (const entry of ['package.json', 'index.js', 'binding.js', 'lib', 'bin']) cpSync(join(root, entry), join(copy, entry), { recursive: true })
      const doctor = spawnSync(join(copy, 'bin', 'codex-native'), ['doctor'], { encoding: 'utf8' })
      expect(doctor.status).toBe(1)
      expect(doctor.stdout).toMatch(/^native addon +not loaded$/m)
      expect(doctor.stdout).toMatch(/looked for: @codex-native\/binding-/)
      expect(doctor.stdout).toMatch(/found: @codex-native\/binding-\S+ is not installed/)
      const exec = spawnSync(join(copy, 'bin', 'codex-native'), ['exec', 'true'], { encoding: 'utf8' })
      expect(exec.status).toBe(71)
      expect(exec.stderr).toMatch(/^codex-native: the native addon of codex-native could not be loaded/)
    } finally {
      rmSync(copy, { recursive: true, force: true })
    }
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

  it('ends the partial line before the error when the stream breaks', async () => {
    const events = completedResponse('half a sentence').slice(0, -1)
    const server = await startServer((_request, socket) => socket.end(sseHead() + events.map(sse).join('')))
    try {
      const result = await runAsync(['stream', '--model', 'm', '--base-url', server.baseUrl, 'hello'], { OPENAI_API_KEY: 'sk-test' })
      expect(result.status).toBe(74)
      expect(result.stdout).toBe('half a sentence\n')
      expect(result.stderr).toMatch(/^codex-native: stream disconnected/)
    } finally {
      await server.stop()
    }
  })

  it('prints the cause under a retry limit (connection refused)', async () => {
    const server = await startServer(() => {})
    await server.stop()
    const result = await runAsync(['stream', '--model', 'm', '--base-url', server.baseUrl, 'hello'], { OPENAI_API_KEY: 'sk-test' })
    expect(result.status).toBe(75)
    const [headline, ...causes] = result.stderr.trimEnd().split('\n')
    expect(headline).toBe('codex-native: retry limit reached after 5 attempts: connection refused (ECONNREFUSED)')
    expect(causes.length).toBeGreaterThan(0)
    for (const cause of causes) expect(cause).toMatch(/^  caused by: /)
    expect(causes.at(-1)).toMatch(/Connection refused/)
  }, 20_000)

  it('exits 78 with the instructions when OPENAI_API_KEY is missing', () => {
    const result = run(['stream', '--model', 'm', 'hi'], { OPENAI_API_KEY: '' })
    expect(result.status).toBe(78)
    expect(result.stderr).toMatch(/^codex-native: missing environment variable OPENAI_API_KEY/)
  })
})

describe('codex-native exec without --timeout', () => {
  it("has no timeout of its own (the library's default is 10 s)", async () => {
    const result = await longRun
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(result.stdout).toBe('done\n')
  }, 25_000)
})
