// What crosses the native boundary and is decided on the native side: options only Rust can
// judge, the two timeouts of a request, and the defaults it fills in.
import { afterEach, describe, expect, it } from 'vitest'

import { ResponsesClient, StreamTimeoutError, exec } from 'codex-native'

import { completedResponse, sse, sseHead, startServer } from './helpers/sse-server.mjs'

let server
afterEach(async () => {
  await server?.stop()
  server = undefined
})

describe('client options that only native code can judge', () => {
  it('a malformed header or base URL is a TypeError naming the option, at construction', () => {
    expect(() => new ResponsesClient({ apiKey: 'k', headers: { 'bad header': 'x' } })).toThrow(TypeError)
    expect(() => new ResponsesClient({ apiKey: 'k', headers: { 'bad header': 'x' } })).toThrow(/options\.headers/)
    expect(() => new ResponsesClient({ apiKey: 'k', baseUrl: 'not a url' })).toThrow(/options\.baseUrl/)
  })
})

describe('StreamTimeoutError', () => {
  it('says which wait gave up: no headers within requestTimeoutMs', async () => {
    server = await startServer(() => {})
    const client = new ResponsesClient({ apiKey: 'k', baseUrl: server.baseUrl, requestTimeoutMs: 150, maxRetries: 0 })
    const error = await client.create({ model: 'm' }).catch((e) => e)
    expect(error).toBeInstanceOf(StreamTimeoutError)
    expect(error).toMatchObject({ code: 'STREAM_TIMEOUT', phase: 'headers', headersMs: 150, idleMs: null })
  })

  it('and no byte of an open stream within streamIdleTimeoutMs', async () => {
    server = await startServer((_request, socket) => socket.write(sseHead() + sse(completedResponse()[0])))
    const client = new ResponsesClient({ apiKey: 'k', baseUrl: server.baseUrl, streamIdleTimeoutMs: 150 })
    const error = await (async () => {
      for await (const _event of client.stream({ model: 'm' }));
    })().catch((e) => e)
    expect(error).toMatchObject({ code: 'STREAM_TIMEOUT', phase: 'idle', idleMs: 150, headersMs: null })
  })

  it('sends stream: true whatever the body says', async () => {
    server = await startServer((_request, socket) => socket.write(sseHead() + completedResponse().map(sse).join('')))
    const client = new ResponsesClient({ apiKey: 'k', baseUrl: server.baseUrl })
    for await (const _event of client.stream({ model: 'm', stream: false }));
    expect(JSON.parse(server.requests[0].body).stream).toBe(true)
  })
})

describe('exec defaults', () => {
  it('timeoutMs: 0 means no timeout, as in Node', async () => {
    const result = await exec(['sh', '-c', 'sleep 0.1; echo done'], { timeoutMs: 0 })
    expect(result.stdout).toBe('done\n')
  })
})
