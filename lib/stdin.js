'use strict'
/**
 * `exec`'s `stdin` as an async iterable: pulled one chunk at a time by the binding (which asks
 * for the next chunk only once the last one is in the command's pipe), and ended once exec
 * has no use for it.
 */

const { checkStdinChunk } = require('./validate.js')

/**
 * The pulling side of one `exec` call's iterable `stdin`.
 *
 * `pull` is what the binding calls: `pull(true)` resolves with the next chunk as a Buffer,
 * `'end'` or `'failed'` and never rejects; `pull(false)` says no more chunks will be asked
 * for. `failure` is the error that ended the input, if one did while exec still wanted it.
 */
class StdinFeed {
  /** @param {AsyncIterable<unknown>} iterable */
  constructor(iterable) {
    this.iterable = iterable
    /**
     * Taken at the first pull, so that an iterable the command never started for (not found,
     * aborted first) is left as it was, its owner's to read or destroy.
     * @type {AsyncIterator<unknown> | undefined}
     */
    this.iterator = undefined
    /** Whether the iterator is finished: done, thrown, or returned by us. */
    this.closed = false
    /** Whether the binding has stopped asking. */
    this.released = false
    /** @type {{ error: unknown } | undefined} */
    this.failure = undefined
    this.pull = (more) => (more ? this.next() : this.release())
  }

  /** @returns {Promise<Buffer | 'end' | 'failed'>} */
  async next() {
    if (this.closed || this.released) return 'end'
    let step
    try {
      this.iterator ??= this.iterable[Symbol.asyncIterator]()
      step = await this.iterator.next()
    } catch (error) {
      // An iterator that threw is finished: it has nothing to clean up through return();
      // one that could not even be made has nothing to end.
      this.closed = true
      return this.fail(error)
    }
    if (this.released) return 'end'
    if (step.done) {
      this.closed = true
      return 'end'
    }
    try {
      return checkStdinChunk('options.stdin', step.value)
    } catch (error) {
      const failed = this.fail(error)
      this.release()
      return failed
    }
  }

  /** Records why the input failed (unless exec already stopped asking: then nobody reads it). */
  fail(error) {
    if (!this.released) this.failure = { error }
    return 'failed'
  }

  /**
   * Ends the iterator unless it finished by itself: `return()` destroys a Readable and runs a
   * generator's `finally`. Not awaited: an iterable stalled in `next()` answers `return()`
   * only once that settles, and exec must not wait for it. Called once the binding stops
   * pulling, and again (a no-op then) when exec settles.
   */
  release() {
    this.released = true
    if (this.closed || this.iterator === undefined) return undefined
    this.closed = true
    try {
      const returned = this.iterator.return?.()
      // Its rejection has no caller left to hear it; an unhandled one would crash Node.
      if (returned && typeof returned.then === 'function') returned.then(undefined, () => {})
    } catch {
      // As above: the iterable is being dropped; its own clean-up errors are its own.
    }
    return undefined
  }
}

module.exports = { StdinFeed }
