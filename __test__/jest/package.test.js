// The package under Jest: errors built by the facade pass `instanceof` in Jest's module realm,
// a sandboxed exec runs, and a stream is consumed with `for await`.
const http = require('node:http')
const { mkdtempSync, rmSync } = require('node:fs')
const { homedir, tmpdir } = require('node:os')
const { join } = require('node:path')

const {
  CodexError,
  CodexIoError,
  ExecError,
  InterruptedError,
  ResponsesClient,
  SandboxDeniedError,
  SandboxError,
  TimeoutError,
  exec,
} = require('codex-native')

describe('codex-native under Jest', () => {
  test('errors from native calls are instances of the classes and of Error', async () => {
    const timeout = await exec(['sleep', '5'], { timeoutMs: 50 }).catch((e) => e)
    expect(timeout).toBeInstanceOf(TimeoutError)
    expect(timeout).toBeInstanceOf(SandboxError)
    expect(timeout).toBeInstanceOf(CodexError)
    expect(timeout).toBeInstanceOf(Error)
    expect(timeout.result.timedOut).toBe(true)
    expect(timeout).toBeInstanceOf(ExecError)
    await expect(exec(['codex-no-such-command'])).rejects.toBeInstanceOf(CodexIoError)
    await expect(exec(['true'], { signal: AbortSignal.abort() })).rejects.toThrow(InterruptedError)
    await expect(exec([], {})).rejects.toBeInstanceOf(TypeError)
  })

  const linux = process.platform === 'linux' ? test : test.skip
  linux('runs a sandboxed command and reports a denial', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'codex-jest-'))
    const outside = mkdtempSync(join(homedir(), '.codex-jest-outside-'))
    try {
      const ok = await exec(['sh', '-c', 'echo hi > f && cat f'], { cwd: workspace, sandbox: { mode: 'workspace-write' } })
      expect(ok.stdout).toBe('hi\n')
      expect(ok.sandbox.kind).toBe('linux')
      const denied = await exec(['touch', join(outside, 'x')], { cwd: workspace, sandbox: { mode: 'workspace-write' } }).catch((e) => e)
      expect(denied).toBeInstanceOf(SandboxDeniedError)
      expect(denied).toBeInstanceOf(Error)
    } finally {
      rmSync(workspace, { recursive: true, force: true })
      rmSync(outside, { recursive: true, force: true })
    }
  })

  test('streams events from a local server with for await', async () => {
    const events = [
      { type: 'response.created', response: { id: 'r1' } },
      { type: 'response.output_text.delta', delta: 'hi' },
      { type: 'response.completed', response: { id: 'r1', output: [] } },
    ]
    const server = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' })
      response.end(events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join(''))
    })
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const client = new ResponsesClient({ apiKey: 'sk-test', baseUrl: `http://127.0.0.1:${server.address().port}/v1` })
      const received = []
      for await (const event of client.stream({ model: 'm', input: 'x' })) received.push(event)
      expect(received).toEqual(events)
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
