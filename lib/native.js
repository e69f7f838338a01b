'use strict'
/**
 * The native binding: the only module that requires the generated loader (`../binding.js`); every
 * other module takes the binding from this one. Its types (`binding.d.ts`) are the native contract
 * that `index.d.ts` refines.
 *
 * When the addon cannot be loaded, the loader's own error blames an npm bug whatever happened.
 * This module throws instead an error that names the platform package it looked for, says what
 * it found (not installed; installed without its `.node` file; a `.node` file that failed to
 * load, with the system's reason), and how to fix it.
 */

const fs = require('node:fs')
const path = require('node:path')

const PACKAGE_ROOT = path.join(__dirname, '..')

/** The addon could not be loaded; `message` says what was looked for, found, and what to do. */
class NativeBindingError extends Error {
  /**
   * @param {string} message
   * @param {{ platform: string, packageName: string, cause: unknown }} fields
   */
  constructor(message, { platform, packageName, cause }) {
    super(message, { cause })
    this.name = 'NativeBindingError'
    this.code = 'NATIVE_BINDING_UNAVAILABLE'
    /** napi-rs's name of this platform, e.g. `linux-x64-gnu`. */
    this.platform = platform
    /** The platform package that carries the addon for it. */
    this.packageName = packageName
  }
}

/** napi-rs's platform name (`linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`), as the loader picks it. */
function platformName() {
  if (process.platform === 'linux') {
    const glibc = process.report?.getReport().header.glibcVersionRuntime !== undefined
    return `linux-${process.arch}-${glibc ? 'gnu' : 'musl'}`
  }
  if (process.platform === 'win32') return `win32-${process.arch}-msvc`
  return `${process.platform}-${process.arch}`
}

/** napi-rs's platform name of a Rust target triple from package.json's `napi.targets`. */
function platformOfTriple(triple) {
  const [cpu, , os, abi] = triple.split('-')
  const arch = { x86_64: 'x64', aarch64: 'arm64', i686: 'ia32' }[cpu] ?? cpu
  if (os === 'darwin') return `darwin-${arch}`
  if (os === 'windows') return `win32-${arch}-${abi}`
  return `${os}-${arch}-${abi}`
}

/** Why loading `file` fails now (`require` of a `.node` file that failed once fails the same way). */
function loadFailure(file) {
  try {
    require(file)
    return 'it loads now: the first attempt failed for a reason that has passed'
  } catch (error) {
    return `it failed to load: ${error.message.split('\n')[0]}`
  }
}

/**
 * The error for a failed `require('../binding.js')`.
 * @param {unknown} cause what the loader threw
 */
function bindingError(cause) {
  const manifest = require('../package.json')
  const platform = platformName()
  const packageName = `${manifest.napi.packageName}-${platform}`
  const fileName = `${manifest.napi.binaryName}.${platform}.node`
  const checkout = fs.existsSync(path.join(PACKAGE_ROOT, 'Cargo.toml'))
  const { found, fixes } = checkout
    ? diagnoseCheckout(fileName)
    : diagnoseInstall({ manifest, platform, packageName, fileName })
  const message = [
    `the native addon of codex-native could not be loaded on ${platform}`,
    `  looked for: ${checkout ? path.join(PACKAGE_ROOT, fileName) : packageName}`,
    ...found.map((line) => `  found: ${line}`),
    ...fixes.map((line) => `  to fix: ${line}`),
  ].join('\n')
  return new NativeBindingError(message, { platform, packageName, cause })
}

/** A source checkout loads the addon that `npm run build` put next to index.js. */
function diagnoseCheckout(fileName) {
  const file = path.join(PACKAGE_ROOT, fileName)
  const fixes = ['run `npm run build` in this checkout']
  if (!fs.existsSync(path.join(PACKAGE_ROOT, 'binding.js'))) {
    return { found: ['no binding.js: nothing was built here yet'], fixes }
  }
  if (!fs.existsSync(file)) return { found: [`no ${fileName} (a build for another platform?)`], fixes }
  return { found: [`${file}, but ${loadFailure(file)}`], fixes }
}

/** An installed package loads the addon from its platform package. */
function diagnoseInstall({ manifest, platform, packageName, fileName }) {
  const supported = manifest.napi.targets.map(platformOfTriple)
  if (!supported.includes(platform)) {
    return {
      found: [`no build of codex-native exists for ${platform} (there are builds for ${supported.join(', ')})`],
      fixes: [platform.endsWith('-musl') ? 'use a glibc-based system or container (Debian, Ubuntu…)' : `use one of ${supported.join(', ')}`],
    }
  }
  const fromCheckout =
    `installing from a checkout of codex-native: run \`npm run package\` there and install its dist/codex-native-${manifest.version}.tgz ` +
    'with dist/platforms/ next to it'
  let packageDir
  try {
    packageDir = path.dirname(require.resolve(`${packageName}/package.json`, { paths: [PACKAGE_ROOT] }))
  } catch {
    return {
      found: [`${packageName} is not installed`],
      fixes: [
        'install again with optional dependencies (npm install, without --omit=optional or --no-optional); ' +
          'a node_modules copied from another platform (say, macOS into a Linux container) needs its own npm install',
        fromCheckout,
      ],
    }
  }
  const file = path.join(packageDir, fileName)
  const { version } = require(path.join(packageDir, 'package.json'))
  const mismatch = version === manifest.version ? '' : ` (version ${version}; codex-native is ${manifest.version})`
  return {
    found: [fs.existsSync(file) ? `${file}${mismatch}, but ${loadFailure(file)}` : `${packageDir}${mismatch}, but no ${fileName} in it`],
    fixes: [`reinstall ${packageName}@${manifest.version} (remove it from node_modules, then npm install)`, fromCheckout],
  }
}

let binding
try {
  binding = require('../binding.js')
} catch (cause) {
  throw bindingError(cause)
}

module.exports = binding
