'use strict'
/**
 * `exec`'s `stdin` as an async iterable: read, once the command has started, into the
 * binding's `StdinWriter` (synchronously while its byte budget has room; waiting only when the
 * command is that far behind), and ended once exec has no use for it.
 */

const binding = require('./native.js')
const { checkStdinChunk } = require('./validate.js')

/**
 * The reading side of one `exec` call's iterable `stdin`.
 *
 * `writer` goes to the binding, which calls back with `true` once the command has started
 * (reading begins) and with `false` once no more is wanted (the command closed its stdin or
 * exited, or the run is over). `failure` is the error that ended the input, if one did while
 * exec still wanted it.
 */
class StdinFeed {
  /** @param {AsyncIterable<unknown>} iterable */
  constructor(iterable) {
    this.iterable = iterable
    /**
     * Taken only once the command has started, so that an iterable the command never started
     * for (not found, aborted first) is left as it was, its owner's to read or destroy.
     * @type {AsyncIterator<unknown> | undefined}
     */
    this.iterator = undefined
    /** Whether the iterator is finished: done, thrown, or returned by us. */
    this.closed = false
    /** Whether the binding wants no more. */
    this.released = false
    /** @type {{ error: unknown } | undefined} */
    this.failure = undefined
    this.writer = new binding.StdinWriter((reading) => (reading ? this.pump() : this.release()))
  }

  /**
   * Writes the iterable's chunks until it ends or fails, or nobody reads any more; never
   * rejects (nobody awaits it: a failure reaches exec through the writer and `failure`).
   */
  async pump() {
    try {
      this.iterator = this.iterable[Symbol.asyncIterator]()
    } catch (error) {
      // One that could not even be made has nothing to end.
      this.closed = true
      return this.fail(error)
    }
    for (;;) {
      let step
      try {
        step = await this.iterator.next()
      } catch (error) {
        // An iterator that threw is finished: it has nothing to clean up through return().
        this.closed = true
        return this.fail(error)
      }
      if (this.released) return undefined
      if (step.done) {
        this.closed = true
        return this.writer.end()
      }
      let chunk
      try {
        chunk = checkStdinChunk('options.stdin', step.value)
      } catch (error) {
        this.fail(error)
        return this.release()
      }
      let written = this.writer.write(chunk)
      while (written === 'full') {
        await this.writer.ready(chunk.length)
        if (this.released) return undefined
        written = this.writer.write(chunk)
      }
      if (written === 'closed') return this.release()
    }
  }

  /**
   * Records why the input failed and has the command killed (unless exec already stopped
   * reading: then nobody would hear it).
   */
  fail(error) {
    if (this.released) return
    this.failure = { error }
    this.writer.fail()
  }

  /**
   * Ends the iterator unless it finished by itself: `return()` destroys a Readable and runs a
   * generator's `finally`. Not awaited: an iterable stalled in `next()` answers `return()`
   * only once that settles, and exec must not wait for it. Called once the binding stops
   * reading, and again (a no-op then) when exec settles.
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
