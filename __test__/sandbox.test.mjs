// Sandboxed exec through the public API (Linux: the packaged codex-linux-sandbox helper).
import { chmodSync, copyFileSync, existsSync, mkdtempSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import {
  CodexError,
  CodexIoError,
  SandboxDeniedError,
  SandboxError,
  SandboxExecutableNotFoundError,
  exec,
  sandboxSupport,
} from 'codex-native'

let workspace
let outside
beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'codex-ws-'))
  // Outside every writable root: not under cwd, /tmp or $TMPDIR.
  outside = mkdtempSync(join(homedir(), '.codex-outside-'))
})
afterAll(() => {
  rmSync(workspace, { recursive: true, force: true })
  rmSync(outside, { recursive: true, force: true })
})

const workspaceWrite = { mode: 'workspace-write' }

describe.runIf(process.platform === 'linux')('sandboxed exec on Linux', () => {
  it('finds the helper and reports the layers it enforced', async () => {
    const result = await exec(['sh', '-c', 'echo "$CODEX_SANDBOX $CODEX_SANDBOX_NETWORK_DISABLED"'], {
      cwd: workspace,
      sandbox: workspaceWrite,
    })
    expect(result.stdout).toBe('linux 1\n')
    expect(result.sandbox.kind).toBe('linux')
    expect(result.sandbox.landlock).toMatch(/^(full|partial)$/)
    expect(result.sandbox.seccomp).toBe(true)
    expect(typeof result.sandbox.mountNamespace).toBe('boolean')
  })

  it('allows writes in cwd and in writable roots', async () => {
    const extra = join(outside, 'extra')
    mkdirSync(extra)
    const result = await exec(['sh', '-c', `touch inside && touch ${extra}/also`], {
      cwd: workspace,
      sandbox: { mode: 'workspace-write', writableRoots: [extra] },
    })
    expect(result.exitCode).toBe(0)
    expect(existsSync(join(workspace, 'inside'))).toBe(true)
    expect(existsSync(join(extra, 'also'))).toBe(true)
  })

  it('denies a write outside the roots with SandboxDeniedError and its fields', async () => {
    const target = join(outside, 'escaped')
    const error = await exec(['touch', target], { cwd: workspace, sandbox: workspaceWrite }).catch((e) => e)
    expect(error).toBeInstanceOf(SandboxDeniedError)
    expect(error).toBeInstanceOf(SandboxError)
    expect(error).toBeInstanceOf(CodexError)
    expect(error.code).toBe('SANDBOX_DENIED')
    expect(error.exitCode).toBe(1)
    expect(error.stderr).toMatch(/read-only file system|permission denied|not permitted/i)
    expect(error.stdout).toBe('')
    expect(error.result.sandboxDenied).toBe(true)
    expect(existsSync(target)).toBe(false)
    const resolved = await exec(['touch', target], { cwd: workspace, sandbox: workspaceWrite, reject: false })
    expect(resolved.sandboxDenied).toBe(true)
  })

  it('makes cwd read-only under read-only, /dev/null still writable', async () => {
    const result = await exec(['touch', 'nope'], { cwd: workspace, sandbox: { mode: 'read-only' }, reject: false })
    expect(result.sandboxDenied).toBe(true)
    expect(existsSync(join(workspace, 'nope'))).toBe(false)
    const devNull = await exec(['sh', '-c', 'echo x > /dev/null && echo ok'], { cwd: workspace, sandbox: { mode: 'read-only' } })
    expect(devNull.stdout).toBe('ok\n')
  })

  it('leaves /tmp writable unless excludeTmp', async () => {
    const inTmp = join('/tmp', `codex-exclude-tmp-${process.pid}`)
    try {
      await exec(['touch', inTmp], { cwd: outside, sandbox: workspaceWrite })
      expect(existsSync(inTmp)).toBe(true)
      rmSync(inTmp)
      const denied = await exec(['touch', inTmp], { cwd: outside, sandbox: { mode: 'workspace-write', excludeTmp: true }, reject: false })
      expect(denied.sandboxDenied).toBe(true)
      expect(existsSync(inTmp)).toBe(false)
    } finally {
      rmSync(inTmp, { force: true })
    }
  })

  it('never calls a keyword alone a denial, but does a refused path whatever the exit code', async () => {
    const result = await exec(['sh', '-c', 'echo "sandbox: permission denied" >&2; exit 2'], { cwd: workspace, sandbox: workspaceWrite })
    expect(result.exitCode).toBe(2)
    expect(result.sandboxDenied).toBe(false)
    // dash exits 2 when a redirect fails: the path it names is the evidence.
    const target = join(outside, 'redirected')
    const redirect = await exec(['sh', '-c', `echo x > ${target}`], { cwd: workspace, sandbox: workspaceWrite, reject: false })
    expect(redirect.exitCode).toBe(2)
    expect(redirect.sandboxDenied).toBe(true)
    expect(existsSync(target)).toBe(false)
  })

  it('lists what the sandbox refused in result.sandbox.denials', async () => {
    const probe = [process.execPath, '-e', "require('net').connect(9, '127.0.0.1').on('error', (e) => { console.error(e.code); process.exit(1) })"]
    const error = await exec(probe, { cwd: workspace, sandbox: workspaceWrite }).catch((e) => e)
    expect(error).toBeInstanceOf(SandboxDeniedError)
    expect(error.result.sandbox.denials).toEqual([{ kind: 'network', family: 'AF_INET', socketType: 'SOCK_STREAM' }])
    expect(error.result.sandbox.denialCount).toBe(1)
    // A command that gets over the refusal resolves, with the refusal still listed.
    const shrugged = [process.execPath, '-e', "require('net').connect(9, '127.0.0.1').on('error', () => process.exit(0))"]
    const result = await exec(shrugged, { cwd: workspace, sandbox: workspaceWrite })
    expect(result.sandboxDenied).toBe(false)
    expect(result.sandbox.denialCount).toBe(1)
    expect(result.sandbox.pidNamespace).toBe(true)
    expect(result.sandbox.protectedPaths).toContain(join(workspace, '.git'))
  })

  it('refuses network sockets unless networkAccess is set', async () => {
    const probe = [process.execPath, '-e', "require('net').connect(9, '127.0.0.1').on('error', (e) => { console.log(e.code); process.exit(0) })"]
    const denied = await exec(probe, { cwd: workspace, sandbox: workspaceWrite, reject: false })
    expect(denied.stdout.trim()).toMatch(/EPERM|EACCES/)
    const allowed = await exec(probe, { cwd: workspace, sandbox: { mode: 'workspace-write', networkAccess: true } })
    expect(allowed.stdout.trim()).toBe('ECONNREFUSED')
  })

  it('makes workspaceRoot writable, never a cwd outside it', async () => {
    const root = mkdtempSync(join(outside, 'root-'))
    const elsewhere = mkdtempSync(join(outside, 'elsewhere-'))
    const policy = { mode: 'workspace-write', workspaceRoot: root, excludeTmp: true }
    const inside = await exec(['touch', join(root, 'written')], { cwd: elsewhere, sandbox: policy })
    expect(inside.exitCode).toBe(0)
    expect(existsSync(join(root, 'written'))).toBe(true)
    // The model's cwd is where the command starts, not what it may write.
    const denied = await exec(['touch', 'here'], { cwd: elsewhere, sandbox: policy, reject: false })
    expect(denied.exitCode).not.toBe(0)
    expect(denied.sandboxDenied).toBe(true)
    expect(existsSync(join(elsewhere, 'here'))).toBe(false)
    // Without workspaceRoot the cwd is the root, as before.
    await exec(['touch', 'here'], { cwd: elsewhere, sandbox: { mode: 'workspace-write', excludeTmp: true } })
    expect(existsSync(join(elsewhere, 'here'))).toBe(true)
  })

  it('names a missing cwd, not the helper', async () => {
    const missing = join(workspace, 'gone')
    const error = await exec(['true'], { cwd: missing, sandbox: workspaceWrite }).catch((e) => e)
    expect(error).toBeInstanceOf(CodexIoError)
    expect(error).toMatchObject({ code: 'ENOENT', syscall: 'chdir', path: missing })
    expect(error.message).toBe(`cwd ${missing} does not exist`)
    expect(error.message).not.toMatch(/codex-linux-sandbox/)
  })

  it('refuses a sandboxExecutable that does not answer the status protocol before the command runs', async () => {
    const marker = join(workspace, 'ran-unsandboxed')
    // A stand-in that runs its command, as a wrapper that forgot the helper would.
    const standIn = join(workspace, 'stand-in')
    writeFileSync(standIn, '#!/bin/sh\nwhile [ "$1" != -- ]; do shift; done\nshift\nexec "$@"\n', { mode: 0o755 })
    const error = await exec(['touch', marker], { cwd: workspace, sandbox: workspaceWrite, sandboxExecutable: standIn, reject: false }).catch((e) => e)
    expect(error).toBeInstanceOf(SandboxExecutableNotFoundError)
    expect(error.searched).toEqual([standIn])
    expect(error.message).toMatch(/not a working codex-linux-sandbox/)
    expect(existsSync(marker)).toBe(false)
    // A wrapper that hands over to the real helper answers through it, and works.
    const wrapper = join(workspace, 'wrapper')
    writeFileSync(wrapper, `#!/bin/sh\nexec ${JSON.stringify((await sandboxSupport()).helperPath)} "$@"\n`, { mode: 0o755 })
    const wrapped = await exec(['touch', marker], { cwd: workspace, sandbox: workspaceWrite, sandboxExecutable: wrapper })
    expect(wrapped.sandbox.kind).toBe('linux')
    expect(existsSync(marker)).toBe(true)
  })

  it('asks a replaced helper again', async () => {
    const marker = join(workspace, 'after-swap')
    const helper = join(workspace, 'swapped-helper')
    copyFileSync((await sandboxSupport()).helperPath, helper)
    chmodSync(helper, 0o755)
    await exec(['true'], { cwd: workspace, sandbox: workspaceWrite, sandboxExecutable: helper })
    rmSync(helper)
    writeFileSync(helper, '#!/bin/sh\nwhile [ "$1" != -- ]; do shift; done\nshift\nexec "$@"\n', { mode: 0o755 })
    const error = await exec(['touch', marker], { cwd: workspace, sandbox: workspaceWrite, sandboxExecutable: helper }).catch((e) => e)
    expect(error).toBeInstanceOf(SandboxExecutableNotFoundError)
    expect(existsSync(marker)).toBe(false)
  })

  it('reports every searched path when the helper is missing', async () => {
    const bogus = join(workspace, 'no-such-helper')
    const error = await exec(['true'], { sandbox: workspaceWrite, sandboxExecutable: bogus }).catch((e) => e)
    expect(error).toBeInstanceOf(SandboxExecutableNotFoundError)
    expect(error.code).toBe('SANDBOX_EXE_NOT_FOUND')
    expect(error.searched).toEqual([bogus])
  })

  it('takes the helper from CODEX_LINUX_SANDBOX_EXE', async () => {
    const bogus = join(workspace, 'env-helper')
    process.env.CODEX_LINUX_SANDBOX_EXE = bogus
    try {
      const error = await exec(['true'], { sandbox: workspaceWrite }).catch((e) => e)
      expect(error).toBeInstanceOf(SandboxExecutableNotFoundError)
      expect(error.searched).toEqual([bogus])
    } finally {
      delete process.env.CODEX_LINUX_SANDBOX_EXE
    }
  })

  it('runs danger-full-access without the helper', async () => {
    const result = await exec(['sh', '-c', 'echo ${CODEX_SANDBOX:-none}'], {
      sandbox: { mode: 'danger-full-access' },
      sandboxExecutable: join(workspace, 'unused'),
    })
    expect(result.stdout).toBe('none\n')
    expect(result.sandbox.kind).toBe('none')
  })

  it('sandboxSupport() finds the executable helper and the kernel layers', async () => {
    const support = await sandboxSupport()
    expect(support.platform).toBe('linux')
    expect(support.helperPath).toEqual(expect.any(String))
    expect(statSync(support.helperPath).mode & 0o111).not.toBe(0)
    expect(support.landlockAbi).toBeGreaterThanOrEqual(1)
    expect(support.seccomp).toBe(true)
    expect(typeof support.userNamespaces).toBe('boolean')
    expect(support.seatbelt).toBe(false)
    expect(support.problems).toEqual(expect.any(Array))
  })
})
