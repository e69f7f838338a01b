#!/usr/bin/env node
// Packs what scripts/package.sh staged: each platform directory into dist/platforms/, then the
// main package into dist/ with `optionalDependencies` that name those tarballs by relative
// `file:` specs.
//
// npm resolves a relative `file:` spec inside a tarball against the tarball's own directory, so
// `npm install <anywhere>/dist/codex-native-<v>.tgz` pulls in the platform tarballs next to it,
// offline, and skips those whose `os`/`cpu` do not match, as from the registry; the project's
// lock file records every platform, so it installs on the other architecture too. (Installing
// the platform tarballs directly would fail: npm refuses a direct dependency for another CPU.)
// These tarballs are for installing from a checkout; publishing goes through `napi pre-publish`.
//
//   node scripts/pack-dist.mjs STAGE DIST
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = new URL('..', import.meta.url).pathname
if (process.argv.length !== 4) {
  console.error('usage: pack-dist.mjs STAGE DIST')
  process.exit(2)
}
const [stage, dist] = process.argv.slice(2).map((arg) => resolve(arg))
const MAIN = 'codex-native'
const PLATFORMS = 'platforms'

/** `npm pack`s a directory into `destination`; returns the tarball's file name. */
function pack(dir, destination) {
  mkdirSync(destination, { recursive: true })
  const output = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], { cwd: dir, encoding: 'utf8' })
  return JSON.parse(output)[0].filename
}

const platformDirs = readdirSync(stage).filter((dir) => dir !== MAIN && existsSync(join(stage, dir, 'package.json')))
if (platformDirs.length === 0) throw new Error(`nothing staged in ${stage}`)

const optionalDependencies = {}
for (const dir of platformDirs) {
  const { name } = JSON.parse(readFileSync(join(stage, dir, 'package.json'), 'utf8'))
  optionalDependencies[name] = `file:${PLATFORMS}/${pack(join(stage, dir), join(dist, PLATFORMS))}`
}

// The main package as `npm pack` would take it from the checkout, with the loader the release
// build generated (the checkout's own may be missing or from another build).
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const main = join(stage, MAIN)
mkdirSync(main)
for (const entry of [...manifest.files, 'README.md']) {
  const source = entry === 'binding.js' ? join(stage, platformDirs[0], entry) : join(root, entry)
  cpSync(source, join(main, entry), { recursive: true })
}
writeFileSync(join(main, 'package.json'), `${JSON.stringify({ ...manifest, optionalDependencies }, null, 2)}\n`)
const mainTarball = pack(main, dist)

for (const file of [mainTarball, ...Object.values(optionalDependencies).map((spec) => spec.slice('file:'.length))]) {
  console.log(`${join(dist, file)}  ${Math.ceil(statSync(join(dist, file)).size / 1024)} kB`)
}
