// npm pack → install into an empty project → require and import work, the helper keeps its
// executable bit and is found, and a sandboxed command runs (DESIGN.md §6).
//
// The root package and the platform package are packed the way they are published: the root
// tarball holds no native code, the platform one holds the .node file and, on Linux, the helper.
// Both are installed from their tarballs, offline.
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'

const root = new URL('..', import.meta.url).pathname
const platformDir = `${process.platform}-${process.arch}${process.platform === 'linux' ? '-gnu' : ''}`
const nodeFile = `codex-native.${platformDir}.node`
const helper = 'codex-linux-sandbox'

let work
let project

/** Runs a command, returning its stdout; the child gets no helper override from our env. */
function run(command, args, cwd) {
  const env = { ...process.env }
  delete env.CODEX_LINUX_SANDBOX_EXE
  return execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

function pack(dir) {
  const output = run('npm', ['pack', '--json', '--pack-destination', work], dir)
  const [info] = JSON.parse(output)
  return { tarball: join(work, info.filename), files: info.files.map((file) => file.path) }
}

before(() => {
  assert.ok(existsSync(join(root, nodeFile)), `build first: ${nodeFile} is missing (npm run build)`)
  work = mkdtempSync(join(tmpdir(), 'codex-pack-'))
  project = join(work, 'project')
})

after(() => rmSync(work, { recursive: true, force: true }))

test('packs, installs offline, and works from require, import and the CLI', { timeout: 180_000 }, () => {
  const main = pack(root)
  assert.ok(main.files.includes('index.js') && main.files.includes('index.mjs') && main.files.includes('index.d.ts'))
  assert.ok(main.files.includes('binding.js') && main.files.includes('bin/codex-native'))
  assert.ok(!main.files.some((file) => file.endsWith('.node')), 'the root package carries no native code')

  const staged = join(work, 'platform')
  cpSync(join(root, 'npm', platformDir), staged, { recursive: true })
  copyFileSync(join(root, nodeFile), join(staged, nodeFile))
  if (process.platform === 'linux') {
    assert.ok(existsSync(join(staged, helper)), `build first: npm/${platformDir}/${helper} is missing`)
  }
  const platform = pack(staged)
  assert.ok(platform.files.includes(nodeFile))
  if (process.platform === 'linux') assert.ok(platform.files.includes(helper))

  execFileSync('mkdir', ['-p', project])
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }))
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', main.tarball, platform.tarball], project)

  const installed = join(project, 'node_modules', '@codex-native', `binding-${platformDir}`)
  assert.deepEqual(readdirSync(installed).sort(), [nodeFile, 'README.md', 'package.json', ...(process.platform === 'linux' ? [helper] : [])].sort())

  const cjs = JSON.parse(
    run(process.execPath, ['-e', `
      const codex = require('codex-native')
      Promise.all([codex.exec(['sh', '-c', 'echo ok']), codex.sandboxSupport()]).then(([result, support]) => {
        console.log(JSON.stringify({ stdout: result.stdout, helperPath: support.helperPath, isError: new codex.TimeoutError('x') instanceof Error }))
      })
    `], project),
  )
  assert.deepEqual(cjs, { stdout: 'ok\n', helperPath: process.platform === 'linux' ? join(installed, helper) : null, isError: true })

  const esm = JSON.parse(
    run(process.execPath, ['--input-type=module', '-e', `
      import { exec, SandboxDeniedError } from 'codex-native'
      import codex from 'codex-native'
      const result = await exec(['sh', '-c', 'echo "$CODEX_SANDBOX" > written && cat written'], {
        cwd: process.cwd(), sandbox: { mode: 'workspace-write' },
      })
      console.log(JSON.stringify({ stdout: result.stdout, kind: result.sandbox.kind, same: codex.SandboxDeniedError === SandboxDeniedError }))
    `], project),
  )
  if (process.platform === 'linux') {
    assert.deepEqual(esm, { stdout: 'linux\n', kind: 'linux', same: true })
    assert.ok(statSync(join(installed, helper)).mode & 0o111, 'the helper keeps its executable bit')
  }

  // doctor exits 1 when some layer is missing on this machine; what matters here is the helper.
  const doctor = spawnSync(join(project, 'node_modules', '.bin', 'codex-native'), ['doctor'], { cwd: project, encoding: 'utf8' })
  assert.ok([0, 1].includes(doctor.status), doctor.stderr)
  if (process.platform === 'linux') assert.ok(doctor.stdout.includes(`helper           ${join(installed, helper)}`), doctor.stdout)
})
