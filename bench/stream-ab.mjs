// Two builds of the package against each other and against Node `http` + eventsource-parser on
// the 200k-event stream, interleaved round by round in one process (what a change to the read
// path is judged by). Each argument is a package directory: a checkout with its addon built, or
// a copy of one (index.js, lib/, binding.js and the .node file are all it needs).
//
//   node bench/stream-ab.mjs <before> <after> [rounds]
import http from 'node:http'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'

import { median, since } from './lib.mjs'
import { httpParser, startServer } from './sse.mjs'

const [before, after, roundsArg] = process.argv.slice(2)
if (after === undefined) throw new Error('usage: node bench/stream-ab.mjs <before> <after> [rounds]')
const rounds = Number(roundsArg ?? 10)

const server = await startServer()
const baseUrl = `http://127.0.0.1:${server.port}/v1`
const body = { model: 'gpt-bench', input: 'big' }
const agent = new http.Agent({ keepAlive: true })
const load = (dir) => new (createRequire(import.meta.url)(resolve(dir)).ResponsesClient)({ apiKey: 'sk-bench', baseUrl, maxRetries: 0 })

const viaCodex = (client) => async () => {
  let count = 0
  for await (const _event of client.stream(body)) count++
  return count
}
const viaHttp = () => httpParser(server.port, agent, body)

const alternatives = { before: viaCodex(load(before)), after: viaCodex(load(after)), http: viaHttp }
const samples = { before: [], after: [], http: [] }
try {
  for (const read of Object.values(alternatives)) await read()
  for (let round = 0; round < rounds; round++) {
    // Every other round in reverse, so that no alternative always runs after the same one.
    const order = round % 2 ? Object.keys(alternatives).reverse() : Object.keys(alternatives)
    for (const name of order) {
      const start = process.hrtime.bigint()
      const count = await alternatives[name]()
      if (count !== server.events) throw new Error(`${name}: got ${count} of ${server.events} events`)
      samples[name].push(count / (since(start) / 1000))
    }
  }
} finally {
  agent.destroy()
  server.child.stdin.end()
}
const rate = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]))
const k = (name) => `${(rate[name] / 1000).toFixed(0)}k`
console.log(`medians of ${rounds} rounds: before ${k('before')}, after ${k('after')}, http ${k('http')} events/s`)
console.log(`after / before ${(rate.after / rate.before).toFixed(2)}×; before / http ${(rate.before / rate.http).toFixed(2)}×; after / http ${(rate.after / rate.http).toFixed(2)}×`)
