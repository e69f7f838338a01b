// What `npm run package` writes to dist/ installs offline into an empty project and works there as
// a user would use it (DESIGN.md §6): require, import, a sandboxed exec with the shipped helper,
// tsc of a consumer, a Jest and a Vitest test run against the installed copy, `npx codex-native
// doctor`. And when the platform package is missing or broken, the error says so.
//
// The test runners and tsc come from this checkout's node_modules; the code they test is the copy
// installed in the project, resolved by name as in any consumer.
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'

const root = new URL('..', import.meta.url).pathname
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const platform = `${process.platform}-${process.arch}${process.platform === 'linux' ? '-gnu' : ''}`
const linux = process.platform === 'linux'
const dist = join(root, 'dist')
const mainTarball = join(dist, `codex-native-${version}.tgz`)
const platformTarballs = existsSync(join(dist, 'platforms')) ? readdirSync(join(dist, 'platforms')).filter((f) => f.endsWith('.tgz')) : []
const nodeFile = `codex-native.${platform}.node`
const helper = 'codex-linux-sandbox'
const bin = (name) => join(root, 'node_modules', name)

let work

/** Runs a command in `cwd`; the child gets no helper override from our env. */
function run(command, args, cwd, options = {}) {
  const env = { ...process.env }
  delete env.CODEX_LINUX_SANDBOX_EXE
  return spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 120_000, ...options })
}

/** Like `run`, but the command must succeed; returns its stdout. */
function ok(command, args, cwd) {
  const result = run(command, args, cwd)
  assert.equal(result.status, 0, `${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`)
  return result.stdout
}

/** An empty project with `tarball` installed from the registry cache only. */
function project(name, tarball) {
  const dir = join(work, name)
  mkdirSync(dir)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }))
  ok('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], dir)
  return dir
}

/** The paths a tarball holds, without npm's `package/` prefix. */
function tarballFiles(tarball) {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n').map((path) => path.replace(/^package\//, ''))
}

before(() => {
  assert.ok(existsSync(mainTarball), `${mainTarball} is missing: run npm run package first`)
  work = mkdtempSync(join(tmpdir(), 'codex-pack-'))
})

after(() => rmSync(work, { recursive: true, force: true }))

describe('dist/ tarballs', () => {
  test('the main tarball holds the JavaScript, types, CLI and no native code', () => {
    const files = tarballFiles(mainTarball)
    for (const file of ['index.js', 'index.mjs', 'index.d.ts', 'binding.js', 'lib/native.js', 'bin/codex-native', 'package.json']) {
      assert.ok(files.includes(file), `${file} is missing from ${files}`)
    }
    assert.ok(!files.some((file) => file.endsWith('.node')), 'the main package carries no native code')
  })

  test('the main tarball names each platform tarball beside it as an optional dependency', () => {
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', mainTarball, 'package/package.json'], { encoding: 'utf8' }))
    const specs = Object.values(manifest.optionalDependencies).sort()
    assert.deepEqual(specs, platformTarballs.map((file) => `file:platforms/${file}`).sort())
    assert.ok(platformTarballs.includes(`codex-native-binding-${platform}-${version}.tgz`), `no tarball for ${platform}`)
  })

  test('each platform tarball holds a release addon (and on Linux the helper)', () => {
    for (const tarball of platformTarballs) {
      const [, name] = /^codex-native-binding-(.+)-\d+\.\d+\.\d+.*\.tgz$/.exec(tarball)
      const files = tarballFiles(join(dist, 'platforms', tarball))
      assert.ok(files.includes(`codex-native.${name}.node`), `${tarball}: ${files}`)
      if (name.startsWith('linux-')) assert.ok(files.includes(helper), `${tarball}: ${files}`)
    }
    // A debug build of the addon is ~80 MB; the release build, stripped, a few.
    const size = statSync(join(dist, 'platforms', `codex-native-binding-${platform}-${version}.tgz`)).size
    assert.ok(size < 10e6, `the ${platform} tarball is ${size} bytes: not a release build?`)
  })
})

describe('installed from dist/', () => {
  let consumer
  let installed
  before(() => {
    consumer = project('consumer', mainTarball)
    installed = join(consumer, 'node_modules', '@codex-native', `binding-${platform}`)
  })

  test('npm took the platform package for this machine, and only that one', () => {
    assert.deepEqual(readdirSync(join(consumer, 'node_modules', '@codex-native')), [`binding-${platform}`])
    assert.deepEqual(readdirSync(installed).sort(), [nodeFile, 'README.md', 'package.json', ...(linux ? [helper] : [])].sort())
    if (linux) assert.ok(statSync(join(installed, helper)).mode & 0o111, 'the helper keeps its executable bit')
  })

  test('the lock file records every platform, and npm ci reinstalls from it offline', () => {
    const lock = JSON.parse(readFileSync(join(consumer, 'package-lock.json'), 'utf8'))
    const recorded = Object.keys(lock.packages).filter((key) => key.startsWith('node_modules/@codex-native/')).length
    assert.equal(recorded, platformTarballs.length)
    ok('npm', ['ci', '--offline', '--no-audit', '--no-fund'], consumer)
    assert.ok(existsSync(join(installed, nodeFile)))
  })

  test('require: exec runs, the helper is found in the platform package, errors are Errors', () => {
    const cjs = JSON.parse(
      ok(process.execPath, ['-e', `
        const codex = require('codex-native')
        Promise.all([codex.exec(['sh', '-c', 'echo ok']), codex.sandboxSupport()]).then(([result, support]) => {
          console.log(JSON.stringify({ stdout: result.stdout, helperPath: support.helperPath, isError: new codex.TimeoutError('x') instanceof Error }))
        })
      `], consumer),
    )
    assert.deepEqual(cjs, { stdout: 'ok\n', helperPath: linux ? join(installed, helper) : null, isError: true })
  })

  test('import: a sandboxed exec writes in its workspace; both entries share the classes', { skip: !linux }, () => {
    const esm = JSON.parse(
      ok(process.execPath, ['--input-type=module', '-e', `
        import { exec, SandboxDeniedError } from 'codex-native'
        import codex from 'codex-native'
        const result = await exec(['sh', '-c', 'echo "$CODEX_SANDBOX" > written && cat written'], {
          cwd: process.cwd(), sandbox: { mode: 'workspace-write' },
        })
        console.log(JSON.stringify({ stdout: result.stdout, kind: result.sandbox.kind, same: codex.SandboxDeniedError === SandboxDeniedError }))
      `], consumer),
    )
    assert.deepEqual(esm, { stdout: 'linux\n', kind: 'linux', same: true })
  })

  test('tsc type-checks a consumer against the installed types', () => {
    copyFileSync(join(root, '__test__', 'consumer.ts'), join(consumer, 'consumer.ts'))
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true,
          types: ['node'], typeRoots: [bin('@types')],
        },
        files: ['consumer.ts'],
      }),
    )
    ok(process.execPath, [bin('typescript/bin/tsc'), '-p', 'tsconfig.json'], consumer)
  })

  test('a Jest suite runs against the installed copy', () => {
    mkdirSync(join(consumer, 'jest'))
    copyFileSync(join(root, '__test__', 'jest', 'package.test.js'), join(consumer, 'jest', 'package.test.js'))
    ok(process.execPath, [bin('jest/bin/jest.js'), '--rootDir', consumer, '--ci', '--config', JSON.stringify({ testEnvironment: 'node', testMatch: ['<rootDir>/jest/*.test.js'] })], consumer)
  })

  test('a Vitest test runs against the installed copy (pool: forks)', () => {
    mkdirSync(join(consumer, 'vitest'))
    writeFileSync(
      join(consumer, 'vitest', 'exec.test.mjs'),
      `import { exec, TimeoutError } from 'codex-native'
test('exec from the installed copy', async () => {
  expect((await exec(['sh', '-c', 'echo vitest'])).stdout).toBe('vitest\\n')
  await expect(exec(['sleep', '5'], { timeoutMs: 50 })).rejects.toBeInstanceOf(TimeoutError)
})
`,
    )
    // Globals: the test file cannot import 'vitest', which the project does not install.
    ok(process.execPath, [bin('vitest/vitest.mjs'), 'run', '--root', consumer, '--dir', 'vitest', '--pool', 'forks', '--globals'], consumer)
  })

  test('npx codex-native doctor shows the installed helper', () => {
    const doctor = run('npx', ['--offline', 'codex-native', 'doctor'], consumer)
    // doctor exits 1 when some layer is missing on this machine; what matters here is the helper.
    assert.ok([0, 1].includes(doctor.status), doctor.stderr)
    assert.match(doctor.stdout, /^native addon +loaded$/m)
    if (linux) assert.ok(doctor.stdout.includes(`helper           ${join(installed, helper)}`), doctor.stdout)
  })
})

describe('installed without its platform package', () => {
  let bare
  let packageDir
  before(() => {
    // The main tarball alone, as if copied out of dist/ without dist/platforms/.
    const alone = join(work, 'alone')
    mkdirSync(alone)
    copyFileSync(mainTarball, join(alone, `codex-native-${version}.tgz`))
    bare = project('bare', join(alone, `codex-native-${version}.tgz`))
    packageDir = join(bare, 'node_modules', '@codex-native', `binding-${platform}`)
  })

  /** What `require('codex-native')` throws in the bare project. */
  function requireError() {
    const script = `
      try { require('codex-native') } catch (error) {
        console.log(JSON.stringify({ name: error.name, code: error.code, packageName: error.packageName, message: error.message }))
      }`
    return JSON.parse(ok(process.execPath, ['-e', script], bare))
  }

  test('require throws our error: the package looked for, not installed, how to fix', () => {
    const error = requireError()
    assert.equal(error.name, 'NativeBindingError')
    assert.equal(error.code, 'NATIVE_BINDING_UNAVAILABLE')
    assert.equal(error.packageName, `@codex-native/binding-${platform}`)
    assert.match(error.message, new RegExp(`looked for: @codex-native/binding-${platform}\n`))
    assert.match(error.message, new RegExp(`found: @codex-native/binding-${platform} is not installed\n`))
    assert.match(error.message, /to fix: install again with optional dependencies/)
    assert.match(error.message, /npm run package/)
    assert.doesNotMatch(error.message, /npm has a bug/)
  })

  test('import throws the same error', () => {
    const result = run(process.execPath, ['--input-type=module', '-e', "import 'codex-native'"], bare)
    assert.equal(result.status, 1)
    assert.match(result.stderr, /NativeBindingError: the native addon of codex-native could not be loaded/)
  })

  test('npx codex-native doctor reports it and exits 1', () => {
    const doctor = run('npx', ['--offline', 'codex-native', 'doctor'], bare)
    assert.equal(doctor.status, 1, doctor.stderr)
    assert.match(doctor.stdout, /^native addon +not loaded$/m)
    assert.match(doctor.stdout, /is not installed/)
    assert.equal(doctor.stderr, '')
  })

  test('a platform package without its .node file, then with a broken one', () => {
    mkdirSync(packageDir, { recursive: true })
    writeFileSync(join(packageDir, 'package.json'), JSON.stringify({ name: `@codex-native/binding-${platform}`, version, main: nodeFile }))
    assert.match(requireError().message, new RegExp(`found: ${packageDir}, but no ${nodeFile.replaceAll('.', '\\.')} in it`))
    writeFileSync(join(packageDir, nodeFile), 'not a shared object')
    assert.match(requireError().message, new RegExp(`found: ${join(packageDir, nodeFile)}, but it failed to load: .+`))
  })
})

test('a copy of dist/ elsewhere installs the same way', () => {
  const copy = join(work, 'dist-copy')
  cpSync(dist, copy, { recursive: true })
  const elsewhere = project('elsewhere', join(copy, `codex-native-${version}.tgz`))
  assert.ok(existsSync(join(elsewhere, 'node_modules', '@codex-native', `binding-${platform}`, nodeFile)))
})
