// Looking at processes from outside, as the tests that kill them must: a zombie waiting for its
// reaper counts as gone (this machine's init reaps slowly).
import { readFileSync, readdirSync } from 'node:fs'

/** The state letter of `/proc/PID/stat` (`R`, `S`, `T`, `Z`…), or null once the process is gone. */
function stateOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
    return stat[stat.lastIndexOf(')') + 2]
  } catch {
    return null
  }
}

/** Whether a process with this pid still runs (a zombie does not). */
export function alive(pid) {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  if (process.platform !== 'linux') return true
  const state = stateOf(pid)
  return state !== null && state !== 'Z'
}

/** The live processes whose command line is exactly `sleep ARG`. */
export function sleepers(arg) {
  const found = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'latin1') !== `sleep\0${arg}\0`) continue
    } catch {
      continue
    }
    if (alive(Number(name))) found.push(Number(name))
  }
  return found
}

/** Polls `predicate` every 20 ms for up to `ms`; its last answer. */
export async function waitUntil(predicate, ms) {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (predicate()) return true
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return predicate()
}
