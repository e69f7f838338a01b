// Run by scripts/check-arm64.sh with an arm64 Node under qemu-aarch64, in a project where dist/ was
// installed for arm64: the cross-built addon loads and works through the public API.
//
//   check-arm64-addon.mjs HELPER_UNDER_QEMU
//
// Commands the addon spawns are this host's own (x86-64) programs, which the kernel runs natively;
// the arm64 helper is run through HELPER_UNDER_QEMU, a wrapper that execs it under qemu-aarch64.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

import { completedResponse, sse, sseHead, startServer } from '../__test__/helpers/sse-server.mjs'

const project = process.cwd()
const codex = createRequire(path.join(project, 'package.json'))('codex-native')
const [helperUnderQemu] = process.argv.slice(2)

const checks = [
  ['Node runs as arm64', async () => assert.equal(process.arch, 'arm64')],
  ['exec runs a command and reads its output', async () => {
    const result = await codex.exec(['sh', '-c', 'echo out; echo err >&2; exit 3'])
    assert.deepEqual([result.stdout, result.stderr, result.exitCode], ['out\n', 'err\n', 3])
  }],
  ['a timeout kills the command and rejects with TimeoutError', async () => {
    const error = await codex.exec(['sleep', '5'], { timeoutMs: 100 }).catch((e) => e)
    assert.ok(error instanceof codex.TimeoutError, String(error))
  }],
  ['sandboxSupport finds the helper in the arm64 platform package', async () => {
    const { helperPath } = await codex.sandboxSupport()
    assert.equal(helperPath, path.join(project, 'node_modules/@codex-native/binding-linux-arm64-gnu/codex-linux-sandbox'))
  }],
  ['network off: the helper refuses (no seccomp under qemu), SeccompError, nothing ran', () => refused(false, codex.SeccompError)],
  ['network on: the helper refuses (no seccomp under qemu), SeccompError, nothing ran', () => refused(true, codex.SeccompError)],
  ['the client streams events from a local server', async () => {
    const events = completedResponse('streamed on arm64')
    const server = await startServer((_request, socket) => socket.end(sseHead() + events.map(sse).join('')))
    try {
      const client = new codex.ResponsesClient({ apiKey: 'sk-test', baseUrl: server.baseUrl })
      const received = []
      for await (const event of client.stream({ model: 'm', input: 'x' })) received.push(event)
      assert.deepEqual(received, events)
    } finally {
      await server.stop()
    }
  }],
]

/** A sandboxed `touch` through the arm64 helper: rejected with `Class`, and the file not made. */
async function refused(networkAccess, Class) {
  const workspace = fs.mkdtempSync(path.join(project, 'workspace-'))
  const error = await codex
    .exec(['touch', 'ran'], { cwd: workspace, sandbox: { mode: 'workspace-write', networkAccess }, sandboxExecutable: helperUnderQemu })
    .then(() => new Error('the command ran'), (e) => e)
  assert.ok(error instanceof Class, String(error))
  assert.ok(!fs.existsSync(path.join(workspace, 'ran')), 'the command ran')
}

async function main() {
  let failures = 0
  for (const [what, check] of checks) {
    try {
      await check()
      console.log(`ok   arm64 addon: ${what}`)
    } catch (error) {
      failures++
      console.log(`FAIL arm64 addon: ${what}: ${error.message}`)
    }
  }
  process.exitCode = failures === 0 ? 0 : 1
}

main()
