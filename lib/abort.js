'use strict'
/**
 * `AbortSignal` → native `CancelToken`, written once for `exec` and the client.
 *
 * napi's own `AbortSignal` type overwrites the caller's `onabort` and misses a signal that is
 * already aborted, so the token is driven from a listener of our own instead.
 */

const { CancelToken } = require('./native.js')
const { abortedBeforeStart } = require('./errors.js')

/**
 * A token that `signal` cancels, and `release` to stop listening once the operation is over.
 * @param {AbortSignal | undefined} signal
 * @returns {{ token: InstanceType<typeof CancelToken>, release: () => void }}
 * @throws {InterruptedError} when `signal` is already aborted: nothing
 *   should start
 */
function cancelTokenFor(signal) {
  if (signal?.aborted) throw abortedBeforeStart(signal)
  const token = new CancelToken()
  if (signal === undefined) return { token, release: () => {} }
  const onAbort = () => token.cancel()
  signal.addEventListener('abort', onAbort, { once: true })
  return { token, release: () => signal.removeEventListener('abort', onAbort) }
}

module.exports = { cancelTokenFor }
