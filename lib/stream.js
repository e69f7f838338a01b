'use strict'
/** The streaming client for the OpenAI Responses API (DESIGN.md §5). */

const binding = require('./native.js')
const { cancelTokenFor, throwIfAborted } = require('./abort.js')
const { fromNative, reportingThrows } = require('./errors.js')
const {
  checkCount,
  checkFunction,
  checkKnownKeys,
  checkMillis,
  checkObject,
  checkSignal,
  checkString,
  checkStringRecord,
} = require('./validate.js')

const CLIENT_OPTIONS = new Set([
  'apiKey', 'baseUrl', 'maxRetries', 'retryBaseDelayMs', 'retryMaxDelayMs', 'streamIdleTimeoutMs',
  'requestTimeoutMs', 'headers', 'query', 'onRetry',
])
const REQUEST_OPTIONS = new Set(['signal'])
/**
 * The most retries a client may be configured with: enough for any backoff schedule (100 waits of
 * the 8 s default ceiling are 13 minutes), and far from the 32-bit limit the binding converts to.
 */
const MAX_RETRIES = 100
/**
 * Batches taken at once from what the native side already read, before one wait for the next
 * batch anyway: while the reader keeps ahead, that wait is the only return to the event loop
 * (each batch is up to 256 events; see bench/stream.mjs), so timers and I/O still run.
 */
const READY_BATCHES_BEFORE_A_WAIT = 16

/** The client's options, checked, in the binding's shape (`binding.d.ts`' `ClientOptions`). */
function nativeClientOptions(options) {
  checkKnownKeys('options', options, CLIENT_OPTIONS)
  const native = {}
  if (options.apiKey !== undefined) native.apiKey = checkString('options.apiKey', options.apiKey)
  if (options.baseUrl !== undefined) native.baseUrl = checkString('options.baseUrl', options.baseUrl)
  if (options.maxRetries !== undefined) native.maxRetries = checkCount('options.maxRetries', options.maxRetries, MAX_RETRIES)
  for (const key of ['retryBaseDelayMs', 'retryMaxDelayMs', 'streamIdleTimeoutMs', 'requestTimeoutMs']) {
    if (options[key] !== undefined) native[key] = checkMillis(`options.${key}`, options[key])
  }
  if (options.headers !== undefined) native.headers = checkStringRecord('options.headers', options.headers)
  if (options.query !== undefined) native.query = checkStringRecord('options.query', options.query)
  if (options.onRetry !== undefined) checkFunction('options.onRetry', options.onRetry)
  return native
}

/** The `onRetry` hook as the binding calls it: the native error becomes its class first. */
function retryHook(onRetry) {
  const hook = reportingThrows(onRetry)
  return (info) => hook({ attempt: info.attempt, delayMs: info.delayMs, status: info.status, error: fromNative(info.error) })
}

/** A request's options, checked; returns the signal, if any. */
function requestSignal(options) {
  const opts = checkObject('options', options)
  checkKnownKeys('options', opts, REQUEST_OPTIONS)
  return opts.signal === undefined ? undefined : checkSignal('options.signal', opts.signal)
}

/** The request body as JSON text; codex-core sets `stream: true`. */
function requestBody(body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new TypeError('body must be an object')
  return JSON.stringify(body)
}

/**
 * An open Responses stream: an async iterable of the server's events, parsed, exactly as sent.
 * `break` or `return()` closes the connection.
 */
class ResponseStream {
  /** @type {import('../binding').ResponseStreamJs} */ #native
  /** @type {object[]} */ #events = []
  #index = 0
  #finished = false
  #closed = false
  /** @type {Promise<unknown> | undefined} */ #reading
  /** Batches taken without waiting since the last wait. */ #readyInARow = 0
  /** @type {(() => void) | undefined} */ #release

  /** @internal */
  constructor(native, release) {
    this.#native = native
    this.#release = release
    /** The `x-request-id` response header, or null. */
    this.requestId = native.requestId
    /** The HTTP status (2xx). */
    this.status = native.status
    /** The response headers, lowercased names. */
    this.headers = native.headers
  }

  /** The next event; `done` after the terminal event. Rejects with the stream's failure. */
  next() {
    if (this.#reading === undefined && this.#index < this.#events.length) {
      return Promise.resolve({ value: this.#events[this.#index++], done: false })
    }
    const reading = (this.#reading ?? Promise.resolve()).then(() => this.#step())
    const settled = () => {
      if (this.#reading === guarded) this.#reading = undefined
    }
    const guarded = reading.then(
      (step) => (settled(), step),
      (error) => {
        settled()
        throw error
      },
    )
    this.#reading = guarded
    return guarded
  }

  async #step() {
    if (this.#index < this.#events.length) return { value: this.#events[this.#index++], done: false }
    if (this.#finished) return { value: undefined, done: true }
    // The native side reads ahead on its own thread: a batch it already has is taken at once.
    let batch = this.#readyInARow < READY_BATCHES_BEFORE_A_WAIT ? this.#native.tryNext() : null
    if (batch === null) {
      this.#readyInARow = 0
      batch = await this.#native.next()
    } else {
      this.#readyInARow++
    }
    if (batch.type === 'events') {
      this.#events = JSON.parse(batch.events)
      this.#index = 1
      return { value: this.#events[0], done: false }
    }
    this.#finish()
    if (batch.type === 'end' || (this.#closed && batch.error.code === binding.ErrorCode.Aborted)) {
      return { value: undefined, done: true }
    }
    throw fromNative(batch.error)
  }

  /** Closes the connection; a pending `next()` ends with `done`. */
  close() {
    if (this.#closed) return
    this.#closed = true
    this.#native.close()
    this.#finish()
  }

  /** Called by `break`: closes the connection. */
  return() {
    this.close()
    this.#events = []
    this.#index = 0
    return Promise.resolve({ value: undefined, done: true })
  }

  [Symbol.asyncIterator]() {
    return this
  }

  #finish() {
    this.#finished = true
    const release = this.#release
    this.#release = undefined
    release?.()
  }
}

/** A streaming client for the OpenAI Responses API, with retries and typed failures. */
class ResponsesClient {
  /** @type {import('../binding').ResponsesClientJs} */ #native

  /**
   * @param {import('../index').ClientOptions} [options]
   * @throws {EnvVarError} when no API key is given and `OPENAI_API_KEY` is unset
   * @throws {TypeError} naming an option that cannot be used (a malformed base URL or header)
   */
  constructor(options) {
    const opts = checkObject('options', options)
    const native = nativeClientOptions(opts)
    const outcome = binding.createClient(native, opts.onRetry === undefined ? undefined : retryHook(opts.onRetry))
    if (outcome.type === 'failed') throw fromNative(outcome.error)
    this.#native = outcome.client
  }

  /**
   * Sends the request; resolves once 2xx headers arrived (HTTP failures reject here, stream
   * failures surface from iteration), as the `openai` SDK's `create({ stream: true })`.
   * @param {object} body the request body; `stream: true` is set for you
   * @param {{ signal?: AbortSignal }} [options]
   * @returns {Promise<ResponseStream>}
   */
  async create(body, options) {
    const json = requestBody(body)
    const signal = requestSignal(options)
    throwIfAborted(signal)
    const { token, release } = cancelTokenFor(signal)
    let outcome
    try {
      outcome = await this.#native.create(json, token)
    } catch (error) {
      release()
      throw error
    }
    if (outcome.type === 'failed') {
      release()
      throw fromNative(outcome.error)
    }
    return new ResponseStream(outcome.stream, release)
  }

  /**
   * `for await (const event of client.stream(body))`: `create` and iteration in one; `break`
   * closes the connection.
   * @param {object} body
   * @param {{ signal?: AbortSignal }} [options]
   * @returns {AsyncIterableIterator<object>}
   */
  stream(body, options) {
    /** @type {ResponseStream | undefined} */
    let stream
    /** @type {Promise<ResponseStream> | undefined} */
    let opening
    let returned = false
    const open = () => {
      opening ??= this.create(body, options).then((opened) => {
        stream = opened
        if (returned) opened.close()
        return opened
      })
      return opening
    }
    return {
      next: () => (stream !== undefined ? stream.next() : open().then((opened) => opened.next())),
      return: () => {
        returned = true
        stream?.close()
        return Promise.resolve({ value: undefined, done: true })
      },
      [Symbol.asyncIterator]() {
        return this
      },
    }
  }
}

module.exports = { ResponsesClient, ResponseStream }
