// The Node process of the orphan tests: runs one command through exec whose grandchildren — one
// in its process group, one in a session of its own — sleep until killed, then ends the way
// it is told when a line arrives on stdin (or waits for a signal from the test).
//
//   node orphan-parent.cjs MODE SANDBOX TOKEN WORKSPACE
//   MODE: exit | throw | signal | worker | normal; SANDBOX: none | workspace-write
const path = require('node:path')
const { Worker } = require('node:worker_threads')

const [mode, sandbox, token, workspace] = process.argv.slice(2)
const entry = path.join(__dirname, '..', '..', 'index.js')
// The grandchildren are told apart by their sleep argument (inside a sandbox their pids are
// the PID namespace's), and sit in the command's group or in a new session.
const running = `sleep 1${token} & setsid sleep 2${token} & wait`
const leftover = `sleep 1${token} >/dev/null 2>&1 &`
const options = { cwd: workspace, timeoutMs: 0, ...(sandbox === 'none' ? {} : { sandbox: { mode: sandbox } }) }
const argv = ['sh', '-c', mode === 'normal' ? leftover : running]

if (mode === 'worker') {
  const worker = new Worker(
    `require(${JSON.stringify(entry)}).exec(${JSON.stringify(argv)}, ${JSON.stringify(options)}).catch(() => {})`,
    { eval: true },
  )
  process.stdin.once('data', async () => {
    await worker.terminate()
    console.log('terminated')
  })
} else {
  require(entry).exec(argv, options).catch(() => {})
  if (mode !== 'normal') {
    process.stdin.once('data', () => {
      if (mode === 'exit') process.exit(0)
      if (mode === 'throw') throw new Error('the agent crashed')
    })
    // `signal`: the test signals this process, which has no listener of its own.
    if (mode === 'signal') process.stdin.unref?.()
  }
}
