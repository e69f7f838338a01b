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
 * Throws the `InterruptedError` of an operation that must not start because `signal` is
 * already aborted.
 * @param {AbortSignal | undefined} signal
 * @throws {InterruptedError}
 */
function throwIfAborted(signal) {
  if (signal?.aborted) throw abortedBeforeStart(signal)
}

/**
 * A token that `signal` cancels, and `release` to stop listening once the operation is over. A
 * signal that is already aborted gives a token that is already cancelled: the native operation
 * then ends before it starts anything.
 * @param {AbortSignal | undefined} signal
 * @returns {{ token: InstanceType<typeof CancelToken>, release: () => void }}
 */
function cancelTokenFor(signal) {
  const token = new CancelToken()
  if (signal === undefined) return { token, release: () => {} }
  if (signal.aborted) {
    token.cancel()
    return { token, release: () => {} }
  }
  const onAbort = () => token.cancel()
  signal.addEventListener('abort', onAbort, { once: true })
  return { token, release: () => signal.removeEventListener('abort', onAbort) }
}

module.exports = { cancelTokenFor, throwIfAborted }
