// Streaming benchmarks (DESIGN.md §7): the ~87 MB, 200k-event Responses stream over loopback read
// with `for await` through codex-native, the `openai` SDK, and Node `http` + eventsource-parser;
// time to first event on a warm connection; and taking batches already read vs waiting for each.
import http from 'node:http'
import { createRequire } from 'node:module'

import OpenAI from 'openai'

import { codex, interleaved, since, verdict } from './lib.mjs'
import { httpParser, startServer } from './sse.mjs'

/**
 * Rounds against `http` + eventsource-parser: a ratio near the target needs more than a few on a
 * shared 2-core box (one round is ≈ 0.3 s each); the SDK is 8–12× behind and slow, so fewer.
 */
const ROUNDS = 11
const SDK_ROUNDS = 3
const TTFE_ROUNDS = 40

export async function benchStream() {
  const server = await startServer()
  const baseUrl = `http://127.0.0.1:${server.port}/v1`
  const body = { model: 'gpt-bench', input: 'big' }
  const smallBody = { model: 'gpt-bench', input: 'small' }
  const client = new codex.ResponsesClient({ apiKey: 'sk-bench', baseUrl, maxRetries: 0 })
  const openai = new OpenAI({ apiKey: 'sk-bench', baseURL: baseUrl, maxRetries: 0 })
  const agent = new http.Agent({ keepAlive: true })
  const results = []
  try {
    const viaCodex = async (request) => {
      let count = 0
      for await (const _event of client.stream(request)) count++
      return count
    }
    const viaSdk = async (request) => {
      let count = 0
      for await (const _event of await openai.responses.create({ ...request, stream: true })) count++
      return count
    }
    const viaHttp = (request) => httpParser(server.port, agent, request)

    const rate = (consume) => async () => {
      const start = process.hrtime.bigint()
      const count = await consume(body)
      if (count !== server.events) throw new Error(`got ${count} of ${server.events} events`)
      return count / (since(start) / 1000)
    }
    await viaCodex(smallBody)
    const rates = await interleaved({ codex: rate(viaCodex), http: rate(viaHttp) }, ROUNDS)
    const sdkRates = await interleaved({ codex: rate(viaCodex), sdk: rate(viaSdk) }, SDK_ROUNDS)
    rates.sdk = sdkRates.sdk
    const mb = server.bytes / 1e6
    for (const [name, eventsPerSecond] of Object.entries(rates)) {
      console.log(`${name.padEnd(6)} ${(eventsPerSecond / 1000).toFixed(0)}k events/s, ${((eventsPerSecond * mb) / server.events).toFixed(0)} MB/s (${server.events} events, ${mb.toFixed(1)} MB)`)
    }
    results.push(verdict('200k-event stream: for await codex / openai SDK', sdkRates.codex / sdkRates.sdk, '≥ 3', sdkRates.codex >= 3 * sdkRates.sdk))
    results.push(verdict('200k-event stream: for await codex / http + eventsource-parser', rates.codex / rates.http, '≥ 1.1', rates.codex >= 1.1 * rates.http))

    const firstEvent = (iterable) => async () => {
      const start = process.hrtime.bigint()
      let first
      for await (const _event of await iterable()) first ??= since(start)
      return first
    }
    const ttfe = await interleaved(
      {
        codex: firstEvent(async () => client.stream(smallBody)),
        sdk: firstEvent(() => openai.responses.create({ ...smallBody, stream: true })),
      },
      TTFE_ROUNDS,
    )
    console.log(`time to first event (warm): codex ${ttfe.codex.toFixed(3)} ms, openai SDK ${ttfe.sdk.toFixed(3)} ms`)
    results.push(verdict('time to first event (warm connection): codex / openai SDK', ttfe.codex / ttfe.sdk, '≤ 1.0', ttfe.codex <= ttfe.sdk))

    await crossingCost(baseUrl, body, server.events)
  } finally {
    agent.destroy()
    server.child.stdin.end()
  }
  return results
}

/**
 * Why the facade takes a batch the native side already read without waiting: the same native
 * stream read with `tryNext()` first (as the facade does; no promise, no thread hop) and with an
 * `await next()` for every batch, each batch parsed with one `JSON.parse`.
 */
async function crossingCost(baseUrl, body, expected) {
  const binding = createRequire(import.meta.url)('../lib/native.js')
  const native = binding.createClient({ apiKey: 'sk-bench', baseUrl, maxRetries: 0 }).client
  const read = (takeReady) => async () => {
    const outcome = await native.create(JSON.stringify(body), new binding.CancelToken())
    const start = process.hrtime.bigint()
    let count = 0
    for (;;) {
      const batch = (takeReady ? outcome.stream.tryNext() : null) ?? (await outcome.stream.next())
      if (batch.type !== 'events') break
      count += JSON.parse(batch.events).length
    }
    if (count !== expected) throw new Error(`got ${count} of ${expected} events`)
    return count / (since(start) / 1000)
  }
  const rates = await interleaved({ waiting: read(false), ready: read(true) }, 3)
  console.log(`crossing into JS: await next() per batch ${(rates.waiting / 1000).toFixed(0)}k events/s, tryNext() first ${(rates.ready / 1000).toFixed(0)}k events/s (${(rates.ready / rates.waiting).toFixed(2)}×)`)
}
