// The Responses client through the public API, against a local server that misbehaves on purpose.
import { afterEach, describe, expect, it } from 'vitest'

import {
  CodexError,
  EnvVarError,
  InterruptedError,
  InvalidEventError,
  ResponseFailedError,
  ResponsesClient,
  RetryLimitError,
  StreamDisconnectedError,
  StreamTimeoutError,
  UnexpectedStatusError,
} from 'codex-native'

import { completedResponse, httpResponse, sse, sseHead, startServer } from './helpers/sse-server.mjs'

let server
/** A second server, for what must never reach another origin. */
let elsewhere
afterEach(async () => {
  await server?.stop()
  await elsewhere?.stop()
  server = undefined
  elsewhere = undefined
})

const body = { model: 'test-model', input: 'hi' }

function client(options = {}) {
  return new ResponsesClient({ apiKey: 'sk-test', baseUrl: server.baseUrl, retryBaseDelayMs: 10, retryMaxDelayMs: 50, ...options })
}

async function collect(iterable) {
  const events = []
  for await (const event of iterable) events.push(event)
  return events
}

async function waitFor(predicate, ms = 2000) {
  const deadline = Date.now() + ms
  while (!predicate() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
  return predicate()
}

describe('ResponsesClient.stream', () => {
  it('yields the events verbatim and ends at response.completed without waiting for EOF', async () => {
    const events = completedResponse('one two three')
    server = await startServer((_request, socket) => {
      // Held open after the terminal event: the stream must end anyway.
      socket.write(sseHead() + events.map(sse).join(''))
    })
    const started = Date.now()
    const received = await collect(client().stream(body))
    expect(received).toEqual(events)
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('posts the body with stream: true, the bearer key, extra headers and query', async () => {
    server = await startServer((_request, socket) => socket.write(sseHead() + completedResponse().map(sse).join('')))
    await collect(client({ headers: { 'x-extra': 'yes' }, query: { 'api-version': '2025-01-01' } }).stream(body))
    const [request] = server.requests
    expect(request.method).toBe('POST')
    expect(request.path).toBe('/v1/responses?api-version=2025-01-01')
    expect(request.headers.authorization).toBe('Bearer sk-test')
    expect(request.headers['x-extra']).toBe('yes')
    expect(JSON.parse(request.body)).toEqual({ ...body, stream: true })
  })

  it('lets a header replace the bearer key (Azure api-key style)', async () => {
    server = await startServer((_request, socket) => socket.write(sseHead() + completedResponse().map(sse).join('')))
    const azure = new ResponsesClient({ baseUrl: server.baseUrl, headers: { Authorization: 'custom', 'api-key': 'az' }, apiKey: 'sk-unused' })
    await collect(azure.stream(body))
    expect(server.requests[0].headers.authorization).toBe('custom')
    expect(server.requests[0].headers['api-key']).toBe('az')
  })

  it('ends cleanly on response.incomplete', async () => {
    const incomplete = { type: 'response.incomplete', response: { id: 'r', status: 'incomplete' } }
    server = await startServer((_request, socket) => socket.write(sseHead() + sse(incomplete)))
    expect(await collect(client().stream(body))).toEqual([incomplete])
  })

  it('keeps UTF-8 split across writes and ignores keep-alive comments', async () => {
    const delta = { type: 'response.output_text.delta', delta: 'héllo ✓' }
    const bytes = Buffer.from(`: keep-alive\n\n${sse(delta)}`)
    server = await startServer((_request, socket) => {
      socket.write(sseHead())
      socket.write(bytes.subarray(0, 22))
      setTimeout(() => {
        socket.write(bytes.subarray(22))
        socket.write(sse(completedResponse('x').at(-1)))
      }, 20)
    })
    const events = await collect(client().stream(body))
    expect(events[0]).toEqual(delta)
  })
})

describe('ResponsesClient.create (two-phase)', () => {
  it('resolves with status, headers and requestId once headers arrive', async () => {
    server = await startServer((_request, socket) => socket.write(sseHead('x-custom: 1\r\n') + completedResponse().map(sse).join('')))
    const stream = await client().create(body)
    expect(stream.status).toBe(200)
    expect(stream.requestId).toBe('req_test')
    expect(stream.headers['x-custom']).toBe('1')
    expect((await collect(stream)).at(-1).type).toBe('response.completed')
  })

  it('rejects the await with UnexpectedStatusError and the parsed apiError on a 401', async () => {
    const apiError = { message: 'Incorrect API key', type: 'invalid_request_error', param: null, code: 'invalid_api_key' }
    server = await startServer((_request, socket) =>
      socket.end(httpResponse(401, JSON.stringify({ error: apiError }), { 'content-type': 'application/json', 'x-request-id': 'req_401' })),
    )
    const error = await client().create(body).catch((e) => e)
    expect(error).toBeInstanceOf(UnexpectedStatusError)
    expect(error.code).toBe('UNEXPECTED_STATUS')
    expect(error.status).toBe(401)
    expect(error.requestId).toBe('req_401')
    expect(error.apiError).toEqual(apiError)
    expect(JSON.parse(error.body)).toEqual({ error: apiError })
    expect(server.requests).toHaveLength(1)
  })

  it('rejects a 200 that is not an event stream, saying what it was', async () => {
    server = await startServer((_request, socket) => socket.end(httpResponse(200, '<html>hi</html>', { 'content-type': 'text/html' })))
    const error = await client().create(body).catch((e) => e)
    expect(error).toBeInstanceOf(UnexpectedStatusError)
    expect(error.status).toBe(200)
    expect(error.message).toBe('unexpected status 200: expected content type text/event-stream, got text/html')
  })
})

describe('retries', () => {
  it('retries a 500 and reports it to onRetry', async () => {
    const retries = []
    server = await startServer((_request, socket) => {
      if (server.requests.length === 1) socket.end(httpResponse(500, 'oops'))
      else socket.write(sseHead() + completedResponse().map(sse).join(''))
    })
    const events = await collect(client({ onRetry: (info) => retries.push(info) }).stream(body))
    expect(events.at(-1).type).toBe('response.completed')
    expect(server.requests).toHaveLength(2)
    expect(retries).toHaveLength(1)
    expect(retries[0]).toMatchObject({ attempt: 1, status: 500 })
    expect(retries[0].delayMs).toBeGreaterThanOrEqual(0)
    expect(retries[0].error).toBeInstanceOf(CodexError)
  })

  it('honours retry-after-ms on a 429', async () => {
    const times = []
    server = await startServer((_request, socket) => {
      times.push(Date.now())
      if (server.requests.length === 1) socket.end(httpResponse(429, '{}', { 'retry-after-ms': '300' }))
      else socket.write(sseHead() + completedResponse().map(sse).join(''))
    })
    await collect(client().stream(body))
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(250)
  })

  it('gives up with RetryLimitError holding the last status and body', async () => {
    server = await startServer((_request, socket) => socket.end(httpResponse(503, 'busy')))
    const error = await client({ maxRetries: 2 }).create(body).catch((e) => e)
    expect(error).toBeInstanceOf(RetryLimitError)
    expect(error.code).toBe('RETRY_LIMIT')
    expect(error.status).toBe(503)
    expect(error.body).toBe('busy')
    expect(error.attempts).toBe(3)
    expect(server.requests).toHaveLength(3)
  })

  it('reports status null and the transport error as cause when no response ever came', async () => {
    server = await startServer((_request, socket) => socket.destroy())
    const error = await client({ maxRetries: 1 }).create(body).catch((e) => e)
    expect(error).toBeInstanceOf(RetryLimitError)
    expect(error.status).toBeNull()
    expect(error.cause).toBeInstanceOf(Error)
  })

  it('names the last cause in the message, with the transport error itself as cause', async () => {
    server = await startServer(() => {})
    const { baseUrl } = server
    await server.stop()
    server = undefined
    const error = await new ResponsesClient({ apiKey: 'k', baseUrl, maxRetries: 1, retryBaseDelayMs: 1 }).create(body).catch((e) => e)
    expect(error).toBeInstanceOf(RetryLimitError)
    expect(error.message).toBe('retry limit reached after 2 attempts: connection refused (ECONNREFUSED)')
    expect(error.cause).not.toBeInstanceOf(CodexError)
    expect(error.cause.code).toBe('ECONNREFUSED')
    expect(error.cause.cause).toBeUndefined()
  })
})

describe('stream failures', () => {
  it('fails with StreamDisconnectedError when the connection closes mid-stream', async () => {
    server = await startServer((_request, socket) => {
      socket.write(sseHead() + sse(completedResponse()[0]) + 'data: {"type":"response.out')
      setTimeout(() => socket.destroy(), 20)
    })
    const received = []
    const error = await (async () => {
      for await (const event of client().stream(body)) received.push(event)
    })().catch((e) => e)
    expect(received).toHaveLength(1)
    expect(error).toBeInstanceOf(StreamDisconnectedError)
    expect(error.code).toBe('STREAM_DISCONNECTED')
    expect(error.eventsReceived).toBe(1)
  })

  it('treats a clean EOF without a terminal event as a disconnect, never success', async () => {
    server = await startServer((_request, socket) => socket.end(sseHead() + sse(completedResponse()[0]) + sse(completedResponse()[1])))
    const error = await collect(client().stream(body)).catch((e) => e)
    expect(error).toBeInstanceOf(StreamDisconnectedError)
  })

  it('fails with InvalidEventError on malformed JSON', async () => {
    server = await startServer((_request, socket) => socket.write(`${sseHead()}data: {not json}\n\n`))
    const error = await collect(client().stream(body)).catch((e) => e)
    expect(error).toBeInstanceOf(InvalidEventError)
    expect(error.code).toBe('INVALID_EVENT')
    expect(error.raw).toContain('{not json}')
  })

  it('fails with InvalidEventError on an event with two type keys, never a clean end', async () => {
    // Read by its first `type` it would end the stream; JSON.parse keeps the last.
    const twice = '{"type":"response.completed","type":"response.output_text.delta","delta":"x"}'
    server = await startServer((_request, socket) => socket.write(`${sseHead()}data: ${twice}\n\n`))
    const error = await collect(client().stream(body)).catch((e) => e)
    expect(error).toBeInstanceOf(InvalidEventError)
    expect(error.message).toBe('invalid event: event data has more than one "type" key')
    expect(error.raw).toBe(twice)
  })

  it('fails with ResponseFailedError on response.failed', async () => {
    const failed = {
      type: 'response.failed',
      response: { id: 'resp_f', status: 'failed', error: { code: 'server_error', message: 'it broke' } },
    }
    server = await startServer((_request, socket) => socket.write(sseHead() + sse(failed)))
    const error = await collect(client().stream(body)).catch((e) => e)
    expect(error).toBeInstanceOf(ResponseFailedError)
    expect(error.code).toBe('RESPONSE_FAILED')
    expect(error.errorCode).toBe('server_error')
    expect(error.responseId).toBe('resp_f')
    expect(error.message).toContain('it broke')
  })

  it('fails with ResponseFailedError on an error event', async () => {
    const event = { type: 'error', code: 'rate_limit_exceeded', message: 'slow down', param: null }
    server = await startServer((_request, socket) => socket.write(sseHead() + sse(event)))
    const error = await collect(client().stream(body)).catch((e) => e)
    expect(error).toBeInstanceOf(ResponseFailedError)
    expect(error.errorCode).toBe('rate_limit_exceeded')
  })

  it('fails with StreamTimeoutError after an idle stall', async () => {
    server = await startServer((_request, socket) => socket.write(sseHead() + sse(completedResponse()[0])))
    const error = await collect(client({ streamIdleTimeoutMs: 200 }).stream(body)).catch((e) => e)
    expect(error).toBeInstanceOf(StreamTimeoutError)
    expect(error.code).toBe('STREAM_TIMEOUT')
    expect(error.idleMs).toBe(200)
  })

  it('throws EnvVarError before any I/O when there is no API key', () => {
    const saved = process.env.OPENAI_API_KEY
    delete process.env.OPENAI_API_KEY
    try {
      let error
      try {
        new ResponsesClient({ baseUrl: 'http://127.0.0.1:9/v1' })
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(EnvVarError)
      expect(error.code).toBe('MISSING_ENV_VAR')
      expect(error.var).toBe('OPENAI_API_KEY')
      expect(error.instructions).toEqual(expect.any(String))
    } finally {
      if (saved !== undefined) process.env.OPENAI_API_KEY = saved
    }
  })
})

describe('cancellation', () => {
  function endlessServer() {
    return startServer((_request, socket) => {
      socket.write(sseHead())
      let n = 0
      const timer = setInterval(() => {
        if (socket.destroyed) return clearInterval(timer)
        socket.write(sse({ type: 'response.output_text.delta', delta: `${n++}` }))
      }, 10)
      socket.on('close', () => clearInterval(timer))
    })
  }

  it('closes the socket promptly on break', async () => {
    server = await endlessServer()
    let seen = 0
    for await (const _event of client().stream(body)) {
      if (++seen === 3) break
    }
    expect(await waitFor(() => server.closed.length === 1)).toBe(true)
    expect(server.openSockets()).toBe(0)
  })

  it('closes the socket on return() of a created stream', async () => {
    server = await endlessServer()
    const stream = await client().create(body)
    await stream.next()
    await stream.return()
    expect(await waitFor(() => server.closed.length === 1)).toBe(true)
    expect((await stream.next()).done).toBe(true)
  })

  it('rejects with InterruptedError on abort mid-stream and drops the connection', async () => {
    server = await endlessServer()
    const controller = new AbortController()
    const received = []
    const error = await (async () => {
      for await (const event of client().stream(body, { signal: controller.signal })) {
        received.push(event)
        if (received.length === 2) controller.abort()
      }
    })().catch((e) => e)
    expect(error).toBeInstanceOf(InterruptedError)
    expect(error.name).toBe('AbortError')
    expect(error.code).toBe('ABORT_ERR')
    expect(await waitFor(() => server.closed.length === 1)).toBe(true)
  })

  /** A server that writes `count` deltas at once (more than the native side reads ahead), then completes. */
  function floodServer(count) {
    const events = Array.from({ length: count }, (_, n) => sse({ type: 'response.output_text.delta', delta: `${n} ${'x'.repeat(500)}` }))
    return startServer((_request, socket) => socket.write(sseHead() + events.join('') + sse(completedResponse().at(-1))))
  }

  it('aborts with batches already read ahead: no event read after the abort, the socket closed', async () => {
    server = await floodServer(20_000)
    const controller = new AbortController()
    const stream = await client().create(body, { signal: controller.signal })
    expect((await stream.next()).value.delta).toMatch(/^0 /)
    await new Promise((resolve) => setTimeout(resolve, 50)) // the reader fills its batches
    controller.abort()
    const rest = []
    const error = await (async () => {
      for await (const event of stream) rest.push(event)
    })().catch((e) => e)
    expect(error).toBeInstanceOf(InterruptedError)
    // What the facade had parsed before the abort (one batch at most) may still be yielded.
    expect(rest.length).toBeLessThan(256)
    expect(await waitFor(() => server.closed.length === 1)).toBe(true)
  })

  it('closes the socket on break with batches already read ahead', async () => {
    server = await floodServer(20_000)
    const stream = client().stream(body)
    await stream.next()
    await new Promise((resolve) => setTimeout(resolve, 50))
    for await (const _event of stream) break
    expect(await waitFor(() => server.closed.length === 1)).toBe(true)
  })

  it('lets timers run while the native side keeps ahead of a slow consumer', async () => {
    server = await floodServer(20_000)
    const stream = await client().create(body)
    await stream.next()
    await new Promise((resolve) => setTimeout(resolve, 100)) // the reader fills its batches
    let seen = 1
    let firedAt
    setTimeout(() => {
      firedAt = seen
    }, 0)
    for await (const _event of stream) {
      seen++
      // Slower than the reader: every batch is ready when asked for, none needs a wait.
      const until = process.hrtime.bigint() + 20_000n
      while (process.hrtime.bigint() < until);
    }
    expect(seen).toBe(20_001)
    // A wait (one return to the event loop) at least every 16 batches of 256 events.
    expect(firedAt).toBeLessThanOrEqual(18 * 256)
  })

  it('rejects an already-aborted signal without a request', async () => {
    server = await endlessServer()
    const error = await client().create(body, { signal: AbortSignal.abort() }).catch((e) => e)
    expect(error).toBeInstanceOf(InterruptedError)
    expect(server.requests).toHaveLength(0)
  })
})

describe('redirects', () => {
  /** A server that answers every request with `status` and a `Location` to `location()`. */
  const redirecting = (status, location) => startServer((_request, socket) => socket.end(httpResponse(status, '', { location: location() })))
  const credentials = { apiKey: 'sk-secret', headers: { 'api-key': 'azure-secret', 'x-tenant': 'tenant-secret' } }

  it.each([307, 308])('never sends credentials or the body to another origin (%i)', async (status) => {
    elsewhere = await startServer((_request, socket) => socket.write(sseHead() + completedResponse().map(sse).join('')))
    const location = `${elsewhere.baseUrl}/responses`
    server = await redirecting(status, () => location)
    const error = await client(credentials).create(body).catch((e) => e)
    expect(error).toBeInstanceOf(UnexpectedStatusError)
    expect(error.status).toBe(status)
    expect(error.message).toContain(`redirect to ${location} not followed`)
    expect(elsewhere.requests).toHaveLength(0)
    expect(server.requests).toHaveLength(1)
  })

  it('follows a 307 within the origin with the credentials and the body', async () => {
    server = await startServer((request, socket) => {
      if (server.requests.length === 1) socket.end(httpResponse(307, '', { location: '/v1/moved' }))
      else socket.write(sseHead() + completedResponse().map(sse).join(''))
    })
    const events = await collect(client(credentials).stream(body))
    expect(events.at(-1).type).toBe('response.completed')
    const [first, moved] = server.requests
    expect(moved.path).toBe('/v1/moved')
    expect(moved.headers).toMatchObject({ authorization: 'Bearer sk-secret', 'api-key': 'azure-secret', 'x-tenant': 'tenant-secret' })
    expect(moved.body).toBe(first.body)
  })
})

describe('bad arguments name the option', () => {
  it('validates client options and request bodies', async () => {
    server = await startServer(() => {})
    expect(() => new ResponsesClient({ apiKey: 'k', maxRetries: -1 })).toThrow(RangeError)
    expect(() => new ResponsesClient({ apiKey: 'k', maxRetries: -1 })).toThrow(/options.maxRetries/)
    expect(() => new ResponsesClient({ apiKey: 5 })).toThrow(/options.apiKey must be a string/)
    expect(() => new ResponsesClient({ apiKey: 'k', retries: 1 })).toThrow(/options.retries is not a known option/)
    await expect(client().create('text')).rejects.toThrow(TypeError)
    await expect(client().create(body, { signal: 'no' })).rejects.toThrow(/options.signal/)
  })

  it('bounds maxRetries (2 ** 32 must not wrap to 0)', () => {
    for (const maxRetries of [2 ** 32, 101, 1.5]) {
      expect(() => new ResponsesClient({ apiKey: 'k', maxRetries })).toThrow(RangeError)
      expect(() => new ResponsesClient({ apiKey: 'k', maxRetries })).toThrow('options.maxRetries must be an integer from 0 to 100')
    }
    expect(() => new ResponsesClient({ apiKey: 'k', maxRetries: 100 })).not.toThrow()
  })

  it('refuses a configuration that cannot work at construction, before anything is sent', async () => {
    server = await startServer((_request, socket) => socket.write(sseHead()))
    const cases = [
      [{ baseUrl: server.baseUrl.replace('http:', 'ftp:') }, 'options.baseUrl is not valid: unsupported URL scheme "ftp" (use http or https)'],
      [{ baseUrl: 'not a url' }, 'options.baseUrl is not valid: relative URL without a base'],
      [{ headers: { 'x-trace': 'a\r\nInjected: yes' } }, 'options.headers is not valid: the value of "x-trace" contains a control character (such as CR or LF)'],
      [{ headers: { 'bad header': 'x' } }, 'options.headers is not valid: "bad header" is not a valid header name'],
      [{ apiKey: 'sk-secret\n' }, 'options.apiKey is not valid: it contains a control character (such as CR or LF)'],
    ]
    for (const [options, message] of cases) {
      let error
      try {
        client(options)
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(TypeError)
      expect(error.message).toBe(message)
    }
    expect(server.requests).toHaveLength(0)
  })

  it('names the environment variable a bad setting came from', () => {
    const saved = process.env.OPENAI_BASE_URL
    process.env.OPENAI_BASE_URL = 'ftp://example.com/v1'
    try {
      expect(() => new ResponsesClient({ apiKey: 'k' })).toThrow('OPENAI_BASE_URL is not valid: unsupported URL scheme "ftp"')
    } finally {
      if (saved === undefined) delete process.env.OPENAI_BASE_URL
      else process.env.OPENAI_BASE_URL = saved
    }
  })
})
