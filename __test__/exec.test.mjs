// exec through the public API: every behaviour of DESIGN.md §3.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runInNewContext } from 'node:vm'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import {
  CodexError,
  CodexIoError,
  ExecError,
  InterruptedError,
  SandboxError,
  SandboxExecutableNotFoundError,
  SignalError,
  TimeoutError,
  exec,
} from 'codex-native'

import { alive, waitUntil } from './helpers/processes.mjs'

let dir
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'codex-exec-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('exec: results', () => {
  it('resolves with the output and exit code of a successful command', async () => {
    const result = await exec(['sh', '-c', 'printf out; printf err >&2'])
    expect(result).toMatchObject({
      exitCode: 0,
      signal: null,
      timedOut: false,
      aborted: false,
      sandboxDenied: false,
      stdout: 'out',
      stderr: 'err',
      stdoutBytes: 3,
      stderrBytes: 3,
      truncated: false,
      sandbox: { kind: 'none' },
    })
    expect(result.aggregatedOutput).toBe('outerr')
    expect(result.durationMs).toBeGreaterThan(0)
  })

  it('resolves (does not reject) on a non-zero exit', async () => {
    const result = await exec(['sh', '-c', 'echo no >&2; exit 3'])
    expect(result.exitCode).toBe(3)
    expect(result.stderr).toBe('no\n')
  })

  it('interleaves stdout and stderr in arrival order', async () => {
    const result = await exec(['sh', '-c', 'echo 1; sleep 0.05; echo 2 >&2; sleep 0.05; echo 3'])
    expect(result.aggregatedOutput).toBe('1\n2\n3\n')
  })

  it('runs in cwd, feeds stdin from a string or a Buffer, and defaults stdin to /dev/null', async () => {
    expect((await exec(['pwd'], { cwd: dir })).stdout.trim()).toBe(dir)
    expect((await exec(['cat'], { stdin: 'from a string' })).stdout).toBe('from a string')
    expect((await exec(['cat'], { stdin: Buffer.from([0x61, 0x62]) })).stdout).toBe('ab')
    expect((await exec(['cat'])).stdout).toBe('')
  })

  it('keeps the head and tail past maxOutputBytes, still reading (and counting) everything', async () => {
    const result = await exec(['sh', '-c', 'head -c 300000 /dev/zero | tr "\\0" a; printf END'], { maxOutputBytes: 1000 })
    expect(result.truncated).toBe(true)
    expect(result.stdoutBytes).toBe(300003)
    expect(result.stdout.startsWith('aaaa')).toBe(true)
    expect(result.stdout.endsWith('END')).toBe(true)
    expect(result.stdout.length).toBeLessThan(1200)
    expect(result.stdout).not.toMatch(/^a+END$/)
  })

  it('turns invalid UTF-8 into U+FFFD', async () => {
    const result = await exec(['printf', 'a\\377b'])
    expect(result.stdout).toBe('a\uFFFDb')
  })

  it('hands chunks to onOutput as Buffers, before the promise settles', async () => {
    const chunks = []
    const result = await exec(['sh', '-c', 'printf one; sleep 0.05; printf two >&2'], {
      onOutput: (chunk) => chunks.push(chunk),
    })
    expect(chunks.every((chunk) => Buffer.isBuffer(chunk.data))).toBe(true)
    const text = (stream) => Buffer.concat(chunks.filter((c) => c.stream === stream).map((c) => c.data)).toString()
    expect(text('stdout')).toBe('one')
    expect(text('stderr')).toBe('two')
    expect(result.stdout).toBe('one')
  })

  it('delivers every chunk of a large output to onOutput before resolving', async () => {
    let seen = 0
    let chunks = 0
    const result = await exec(['head', '-c', String(48 * 1024 * 1024), '/dev/zero'], {
      timeoutMs: null,
      onOutput: ({ data }) => {
        seen += data.length
        chunks++
      },
    })
    expect(result.stdoutBytes).toBe(48 * 1024 * 1024)
    expect(seen).toBe(result.stdoutBytes)
    expect(chunks).toBeGreaterThan(1)
  })
})

describe('exec: environment', () => {
  it('drops variables naming KEY, SECRET or TOKEN unless inheritEnv is all', async () => {
    process.env.CODEX_TEST_API_KEY = 'k'
    process.env.codex_test_secret = 's'
    process.env.CODEX_TEST_TOKEN_X = 't'
    process.env.CODEX_TEST_PLAIN = 'p'
    try {
      const filtered = await exec(['env'])
      expect(filtered.stdout).toContain('CODEX_TEST_PLAIN=p')
      expect(filtered.stdout).not.toMatch(/CODEX_TEST_API_KEY|codex_test_secret|CODEX_TEST_TOKEN_X/)
      const all = await exec(['env'], { inheritEnv: 'all' })
      expect(all.stdout).toContain('CODEX_TEST_API_KEY=k')
      expect(all.stdout).toContain('codex_test_secret=s')
    } finally {
      delete process.env.CODEX_TEST_API_KEY
      delete process.env.codex_test_secret
      delete process.env.CODEX_TEST_TOKEN_X
      delete process.env.CODEX_TEST_PLAIN
    }
  })

  it('uses env exactly when given', async () => {
    const result = await exec(['/usr/bin/env'], { env: { ONLY: 'this', MY_TOKEN: 'kept', N: 3 } })
    expect(result.stdout.trim().split('\n').sort()).toEqual(['MY_TOKEN=kept', 'N=3', 'ONLY=this'])
  })

  it('sets env over the inherited environment when inheritEnv is given too', async () => {
    process.env.CODEX_TEST_API_KEY = 'k'
    process.env.CODEX_TEST_PLAIN = 'p'
    try {
      const env = { GIT_PAGER: 'cat', MY_TOKEN: 'mine', CODEX_TEST_PLAIN: 'replaced' }
      const filtered = (await exec(['env'], { env, inheritEnv: 'filtered' })).stdout.split('\n')
      expect(filtered).toEqual(expect.arrayContaining(['GIT_PAGER=cat', 'MY_TOKEN=mine', 'CODEX_TEST_PLAIN=replaced', `PATH=${process.env.PATH}`]))
      expect(filtered.join('\n')).not.toContain('CODEX_TEST_API_KEY')
      const all = (await exec(['env'], { env, inheritEnv: 'all' })).stdout.split('\n')
      expect(all).toEqual(expect.arrayContaining(['GIT_PAGER=cat', 'CODEX_TEST_API_KEY=k']))
    } finally {
      delete process.env.CODEX_TEST_API_KEY
      delete process.env.CODEX_TEST_PLAIN
    }
  })
})

describe('exec: timeouts, signals, aborts', () => {
  it('kills the whole process group on timeout and rejects with TimeoutError holding the partial output', async () => {
    const pidFile = join(dir, 'grandchild.pid')
    const error = await exec(['sh', '-c', `sleep 30 & echo $! > ${pidFile}; echo started; wait`], { timeoutMs: 300 }).catch((e) => e)
    expect(error).toBeInstanceOf(TimeoutError)
    expect(error).toBeInstanceOf(SandboxError)
    expect(error).toBeInstanceOf(CodexError)
    expect(error).toBeInstanceOf(Error)
    expect(error.code).toBe('EXEC_TIMEOUT')
    expect(error.name).toBe('TimeoutError')
    expect(error.timeoutMs).toBe(300)
    expect(error.result).toMatchObject({ timedOut: true, stdout: 'started\n', exitCode: null })
    const grandchild = Number(readFileSync(pidFile, 'utf8'))
    expect(await waitUntil(() => !alive(grandchild), 3000)).toBe(true)
  })

  it('resolves with the timed-out result when reject is false', async () => {
    const result = await exec(['sleep', '5'], { timeoutMs: 100, reject: false })
    expect(result.timedOut).toBe(true)
    expect(result.signal).toBe('SIGTERM')
  })

  it('escalates to SIGKILL after killGraceMs when SIGTERM is ignored', async () => {
    const started = Date.now()
    const result = await exec(['sh', '-c', "trap '' TERM; echo ready; while :; do sleep 0.05; done"], {
      timeoutMs: 200,
      killGraceMs: 300,
      reject: false,
    })
    expect(result.timedOut).toBe(true)
    expect(result.signal).toBe('SIGKILL')
    expect(Date.now() - started).toBeGreaterThanOrEqual(450)
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('never times out with timeoutMs: 0, as in Node (100 runs)', async () => {
    const results = []
    for (let run = 0; run < 100; run++) results.push(await exec(['sh', '-c', 'echo $$'], { timeoutMs: 0 }))
    expect(results.filter((result) => result.timedOut || result.exitCode !== 0 || result.signal !== null)).toEqual([])
    expect(results.every((result) => /^\d+\n$/.test(result.stdout))).toBe(true)
  })

  it('allows no timeout with timeoutMs: null', async () => {
    const result = await exec(['sh', '-c', 'sleep 0.2; echo done'], { timeoutMs: null })
    expect(result.stdout).toBe('done\n')
  })

  it('rejects with SignalError naming the signal', async () => {
    const error = await exec(['sh', '-c', 'ulimit -c 0; kill -SEGV $$']).catch((e) => e)
    expect(error).toBeInstanceOf(SignalError)
    expect(error.code).toBe('EXEC_SIGNAL')
    expect(error.signal).toBe('SIGSEGV')
    expect(error.signalNumber).toBe(11)
    expect(error.result.signal).toBe('SIGSEGV')
    const resolved = await exec(['sh', '-c', 'kill -USR1 $$'], { reject: false })
    expect(resolved.signal).toBe('SIGUSR1')
    // 6 has two names in os.constants.signals; Node (and we) call it SIGABRT.
    const aborted = await exec(['sh', '-c', 'ulimit -c 0; kill -ABRT $$'], { reject: false })
    expect(aborted.signal).toBe('SIGABRT')
  })

  it('does not spawn when the signal is already aborted', async () => {
    const marker = join(dir, 'should-not-exist')
    const controller = new AbortController()
    controller.abort()
    const error = await exec(['touch', marker], { signal: controller.signal }).catch((e) => e)
    expect(error).toBeInstanceOf(InterruptedError)
    expect(error.name).toBe('AbortError')
    expect(error.code).toBe('ABORT_ERR')
    expect(existsSync(marker)).toBe(false)
  })

  it('kills the process group on a later abort and rejects with the partial result', async () => {
    const controller = new AbortController()
    const pending = exec(['sh', '-c', 'echo started; sleep 30'], {
      signal: controller.signal,
      onOutput: () => controller.abort(),
    })
    const error = await pending.catch((e) => e)
    expect(error).toBeInstanceOf(InterruptedError)
    expect(error.result.aborted).toBe(true)
    expect(error.result.stdout).toBe('started\n')
    expect(error.result.durationMs).toBeLessThan(5000)
  })

  it('resolves with the aborted result when reject is false, and leaves the signal listener-free', async () => {
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    const result = await exec(['sleep', '10'], { signal: controller.signal, reject: false })
    expect(result.aborted).toBe(true)
  })

  it('leaves no orphan when the Node process that ran exec is killed', async () => {
    const pidFile = join(dir, 'orphan.pid')
    const script = `require(${JSON.stringify(new URL('../index.js', import.meta.url).pathname)}).exec(['sh', '-c', 'echo $$ > ${pidFile}; exec sleep 30'], { timeoutMs: null })`
    const node = spawn(process.execPath, ['-e', script], { stdio: 'ignore' })
    expect(await waitUntil(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n'), 5000)).toBe(true)
    const orphan = Number(readFileSync(pidFile, 'utf8'))
    expect(alive(orphan)).toBe(true)
    node.kill('SIGKILL')
    expect(await waitUntil(() => !alive(orphan), 5000)).toBe(true)
  })

  it('does not wait for a background grandchild that keeps stdout open', async () => {
    const started = Date.now()
    const result = await exec(['sh', '-c', 'sleep 20 & echo hi'], { timeoutMs: null })
    expect(result.stdout).toBe('hi\n')
    expect(Date.now() - started).toBeLessThan(8000)
  })
})

describe('exec: failures to start', () => {
  it('rejects with CodexIoError ENOENT for a missing command, without a result', async () => {
    const error = await exec(['codex-no-such-command']).catch((e) => e)
    expect(error).toBeInstanceOf(CodexIoError)
    expect(error.code).toBe('ENOENT')
    expect(error.errno).toBe(-2)
    expect(error.syscall).toBe('spawn')
    expect(error.path).toBe('codex-no-such-command')
    expect(error).not.toHaveProperty('result')
    expect(error).not.toBeInstanceOf(ExecError)
  })

  it('names the cwd when it does not exist or is not a directory', async () => {
    const missing = join(dir, 'missing')
    const error = await exec(['true'], { cwd: missing }).catch((e) => e)
    expect(error).toBeInstanceOf(CodexIoError)
    expect(error).toMatchObject({ code: 'ENOENT', syscall: 'chdir', path: missing })
    expect(error.message).toBe(`cwd ${missing} does not exist`)
    const file = join(dir, 'a-file')
    writeFileSync(file, '')
    const notDir = await exec(['true'], { cwd: file }).catch((e) => e)
    expect(notDir).toMatchObject({ code: 'ENOTDIR', syscall: 'chdir', path: file })
    expect(notDir.message).toBe(`cwd ${file} is not a directory`)
  })

  it('with reject: false, resolves with a result whose startError says why nothing started', async () => {
    const missing = await exec(['codex-no-such-command'], { reject: false })
    expect(missing).toMatchObject({ exitCode: null, signal: null, timedOut: false, aborted: false, stdout: '', durationMs: 0 })
    expect(missing.startError).toBeInstanceOf(CodexIoError)
    expect(missing.startError).toMatchObject({ code: 'ENOENT', syscall: 'spawn', path: 'codex-no-such-command' })
    const noCwd = await exec(['true'], { cwd: join(dir, 'missing'), reject: false })
    expect(noCwd.startError.message).toMatch(/^cwd .* does not exist$/)
    const marker = join(dir, 'aborted-first')
    const aborted = await exec(['touch', marker], { signal: AbortSignal.abort(), reject: false })
    expect(aborted.aborted).toBe(true)
    expect(aborted.startError).toBeInstanceOf(InterruptedError)
    expect(existsSync(marker)).toBe(false)
    // A run that started has no startError.
    expect((await exec(['true'], { reject: false })).startError).toBeNull()
    expect((await exec(['sleep', '5'], { timeoutMs: 50, reject: false })).startError).toBeNull()
  })

  it('with reject: false, still rejects when this machine cannot run it', async () => {
    const error = await exec(['true'], {
      sandbox: { mode: 'read-only' },
      sandboxExecutable: join(dir, 'no-such-helper'),
      reject: false,
    }).catch((e) => e)
    expect(error).toBeInstanceOf(process.platform === 'linux' ? SandboxExecutableNotFoundError : CodexError)
  })
})

describe('ExecError', () => {
  it('is what every error carrying a result is an instance of, and nothing else', async () => {
    const timeout = await exec(['sleep', '5'], { timeoutMs: 50 }).catch((e) => e)
    expect(timeout).toBeInstanceOf(ExecError)
    expect(timeout.result.timedOut).toBe(true)
    const signal = await exec(['sh', '-c', 'kill -USR1 $$']).catch((e) => e)
    expect(signal).toBeInstanceOf(SignalError)
    expect(signal).toBeInstanceOf(ExecError)
    const controller = new AbortController()
    const aborted = exec(['sleep', '5'], { signal: controller.signal }).catch((e) => e)
    setTimeout(() => controller.abort(), 50)
    expect(await aborted).toBeInstanceOf(ExecError)
    const abortedFirst = await exec(['true'], { signal: AbortSignal.abort() }).catch((e) => e)
    expect(abortedFirst).toBeInstanceOf(InterruptedError)
    expect(abortedFirst).not.toBeInstanceOf(ExecError)
    expect(await exec(['codex-no-such-command']).catch((e) => e)).not.toBeInstanceOf(ExecError)
    expect(new Error('x')).not.toBeInstanceOf(ExecError)
    expect(null).not.toBeInstanceOf(ExecError)
  })

  it('is not constructed', () => {
    expect(() => new ExecError('x')).toThrow(TypeError)
  })
})

describe('exec: bad arguments name the option', () => {
  const cases = [
    [[], {}, TypeError, /argv must be a non-empty array of strings/],
    [['true', 3], {}, TypeError, /argv/],
    [['true'], { timeoutMs: -1 }, RangeError, /options.timeoutMs must be a non-negative number or null/],
    [['true'], { timeoutMs: '5' }, TypeError, /options.timeoutMs/],
    [['true'], { killGraceMs: Number.NaN }, RangeError, /options.killGraceMs/],
    [['true'], { maxOutputBytes: 1.5 }, RangeError, /options.maxOutputBytes must be a non-negative integer/],
    [['true'], { sandbox: { mode: 'yolo' } }, TypeError, /options.sandbox.mode must be one of/],
    [['true'], { sandbox: { mode: 'workspace-write', writeableRoots: [] } }, TypeError, /options.sandbox.writeableRoots/],
    [['true'], { sandbox: { mode: 'read-only', networkAccess: 'no' } }, TypeError, /options.sandbox.networkAccess/],
    [['true'], { inheritEnv: 'some' }, TypeError, /options.inheritEnv/],
    [['true'], { stdin: 42 }, TypeError, /options.stdin/],
    [['true'], { signal: {} }, TypeError, /options.signal must be an AbortSignal/],
    [['true'], { signal: { aborted: false, addEventListener() {} } }, TypeError, /options.signal must be an AbortSignal/],
    [['true', , 'x'], {}, TypeError, /argv\[1\] must be a string \(the array has a hole there\)/],
    [['true', 'a\0b'], {}, TypeError, /argv\[1\] must not contain NUL bytes/],
    [{ length: 1, 0: 'true' }, {}, TypeError, /argv must be a non-empty array of strings/],
    [new Proxy(['echo', 'x'], { get: (target, key) => (key === '1' ? 42 : target[key]) }), {}, TypeError, /argv\[1\] must be a string/],
    [['true'], { env: new Map([['A', '1']]) }, TypeError, /options.env must be a plain object of strings, not a Map/],
    [['true'], { env: { 'A=B': 'x' } }, TypeError, /options.env: the variable name "A=B" must not contain '='/],
    [['true'], { env: { '': 'x' } }, TypeError, /options.env must not have an empty variable name/],
    [['true'], { env: { 'A\0': 'x' } }, TypeError, /options.env.A\0 must not contain NUL bytes/],
    [['true'], { env: { A: 'x\0y' } }, TypeError, /options.env.A must not contain NUL bytes/],
    [['true'], { cwd: '/tmp\0x' }, TypeError, /options.cwd must not contain NUL bytes/],
    [['true'], { cwd: '' }, TypeError, /options.cwd must not be empty/],
    [['true'], { cwd: 7 }, TypeError, /options.cwd must be a string/],
    [['true'], { sandboxExecutable: '/x\0' }, TypeError, /options.sandboxExecutable must not contain NUL bytes/],
    [['true'], { sandbox: { mode: 'workspace-write', writableRoots: ['/a\0'] } }, TypeError, /options.sandbox.writableRoots\[0\] must not contain NUL/],
    [['true'], { stdin: new ArrayBuffer(2) }, TypeError, /options.stdin must be a string, an ArrayBufferView .* or an async iterable of them .*, not an ArrayBuffer/],
    [['true'], { onOutput: 'x' }, TypeError, /options.onOutput must be a function/],
    [['true'], { timeout: 5 }, TypeError, /options.timeout is not a known option/],
    [['true'], 'options', TypeError, /options must be an object/],
  ]
  for (const [argv, options, Class, message] of cases) {
    it(`${message.source}`, async () => {
      const error = await exec(argv, options).catch((e) => e)
      expect(error).toBeInstanceOf(Class)
      expect(error.message).toMatch(message)
    })
  }

  it('refuses before anything runs', async () => {
    const marker = join(dir, 'must-not-run')
    for (const options of [{ env: new Map() }, { signal: { aborted: false, addEventListener() {} } }, { cwd: 'x\0' }]) {
      await expect(exec(['touch', marker], options)).rejects.toBeInstanceOf(TypeError)
    }
    expect(existsSync(marker)).toBe(false)
  })

  it('takes a Proxy of an array, a duck-typed signal and any ArrayBufferView, from any realm', async () => {
    expect((await exec(new Proxy(['echo', 'proxied'], {}))).stdout).toBe('proxied\n')
    const listeners = new Set()
    const signal = {
      aborted: false,
      addEventListener: (_type, listener) => listeners.add(listener),
      removeEventListener: (_type, listener) => listeners.delete(listener),
    }
    const pending = exec(['sleep', '5'], { signal, reject: false })
    setTimeout(() => {
      signal.aborted = true
      for (const listener of listeners) listener()
    }, 50)
    expect((await pending).aborted).toBe(true)
    expect(listeners.size).toBe(0)
    const foreign = runInNewContext('new Uint8Array([104, 105])')
    expect(foreign instanceof Uint8Array).toBe(false)
    expect((await exec(['cat'], { stdin: foreign })).stdout).toBe('hi')
    expect((await exec(['cat'], { stdin: new Uint16Array([0x6968]) })).stdout).toBe('hi')
    const view = new DataView(new Uint8Array([0, 111, 107, 0]).buffer, 1, 2)
    expect((await exec(['cat'], { stdin: view })).stdout).toBe('ok')
  })
})
