// `require('codex-native')` in a fresh process: the cost a CLI pays at start-up.
import { execFileSync } from 'node:child_process'

import { median, verdict } from './lib.mjs'

const root = new URL('..', import.meta.url).pathname
const RUNS = 15

export function benchRequire() {
  const script = `const start = process.hrtime.bigint(); require(${JSON.stringify(root)}); console.log(Number(process.hrtime.bigint() - start) / 1e6)`
  const times = []
  for (let i = 0; i < RUNS; i++) times.push(Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })))
  const ms = median(times)
  console.log(`require('codex-native'): median ${ms.toFixed(2)} ms over ${RUNS} fresh processes`)
  return [verdict("require('codex-native') in a fresh process", ms, '≤ 20 ms', ms <= 20, 'ms')]
}
