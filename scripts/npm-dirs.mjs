#!/usr/bin/env node
// Regenerates npm/<triple>/ with `napi create-npm-dirs`, then lists `codex-linux-sandbox` in the
// Linux packages' `files` (create-npm-dirs rewrites package.json and drops extra entries).
import { execFileSync } from 'node:child_process'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const HELPER = 'codex-linux-sandbox'

execFileSync(join(root, 'node_modules', '.bin', 'napi'), ['create-npm-dirs'], { cwd: root, stdio: 'inherit' })

for (const dir of readdirSync(join(root, 'npm'))) {
  if (!dir.startsWith('linux-')) continue
  const manifestPath = join(root, 'npm', dir, 'package.json')
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
  if (!manifest.files.includes(HELPER)) manifest.files.push(HELPER)
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`)
}
