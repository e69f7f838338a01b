// `npm run bench`: every benchmark of DESIGN.md §7 that concerns the Node package, with the
// alternatives side by side in this one process run, and the ratios against their targets.
// (The helper's own overhead — codex-linux-sandbox vs direct, a bare wrapper and bubblewrap — is
// in bench/sandbox-overhead.) `node bench/run.mjs stream` (or `require`, `exec`) runs only those.
import { mkdirSync, writeFileSync } from 'node:fs'

import { benchExec } from './exec.mjs'
import { formatVerdict } from './lib.mjs'
import { benchRequire } from './require.mjs'
import { benchStream } from './stream.mjs'

const BENCHES = { require: async () => benchRequire(), exec: benchExec, stream: benchStream }
const chosen = process.argv.slice(2)
for (const name of chosen) {
  if (!(name in BENCHES)) throw new Error(`unknown benchmark ${name} (one of ${Object.keys(BENCHES).join(', ')})`)
}

console.log(`node ${process.version}, ${process.platform}-${process.arch}`)
const results = []
for (const [name, bench] of Object.entries(BENCHES)) {
  if (chosen.length > 0 && !chosen.includes(name)) continue
  console.log()
  results.push(...(await bench()))
}

console.log('\nsummary')
for (const result of results) console.log(`  ${formatVerdict(result)}`)
const dir = new URL('./results/', import.meta.url)
mkdirSync(dir, { recursive: true })
writeFileSync(new URL(`bench-${Date.now()}.json`, dir), `${JSON.stringify({ node: process.version, results }, null, 2)}\n`)
