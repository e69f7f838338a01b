// Two builds of the package against each other and against Node `http` + eventsource-parser on
// the 200k-event stream, interleaved round by round in one process (what a change to the read
// path is judged by). Each argument is a package directory: a checkout with its addon built, or
// a copy of one (index.js, lib/, binding.js and the .node file are all it needs).
//
//   node bench/stream-ab.mjs <before> <after> [rounds]
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { once } from 'node:events'
import http from 'node:http'
import { createInterface } from 'node:readline'
import { resolve } from 'node:path'

import { createParser } from 'eventsource-parser'

import { median, since } from './lib.mjs'

const [before, after, roundsArg] = process.argv.slice(2)
if (after === undefined) throw new Error('usage: node bench/stream-ab.mjs <before> <after> [rounds]')
const rounds = Number(roundsArg ?? 10)

const child = spawn(process.execPath, [new URL('./sse-server.mjs', import.meta.url).pathname], { stdio: ['pipe', 'pipe', 'inherit'] })
const [line] = await once(createInterface({ input: child.stdout }), 'line')
const server = JSON.parse(line)
const baseUrl = `http://127.0.0.1:${server.port}/v1`
const body = { model: 'gpt-bench', input: 'big' }
const agent = new http.Agent({ keepAlive: true })
const load = (dir) => new (createRequire(import.meta.url)(resolve(dir)).ResponsesClient)({ apiKey: 'sk-bench', baseUrl, maxRetries: 0 })

const viaCodex = (client) => async () => {
  let count = 0
  for await (const _event of client.stream(body)) count++
  return count
}
function viaHttp() {
  return new Promise((resolve, reject) => {
    const call = http.request(
      { host: '127.0.0.1', port: server.port, path: '/v1/responses', method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' } },
      (response) => {
        let count = 0
        const parser = createParser({
          onEvent(event) {
            JSON.parse(event.data)
            count++
          },
        })
        response.setEncoding('utf8')
        response.on('data', (chunk) => parser.feed(chunk))
        response.on('end', () => resolve(count))
        response.on('error', reject)
      },
    )
    call.on('error', reject)
    call.end(JSON.stringify({ ...body, stream: true }))
  })
}

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
  child.stdin.end()
}
const rate = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]))
const k = (name) => `${(rate[name] / 1000).toFixed(0)}k`
console.log(`medians of ${rounds} rounds: before ${k('before')}, after ${k('after')}, http ${k('http')} events/s`)
console.log(`after / before ${(rate.after / rate.before).toFixed(2)}×; before / http ${(rate.before / rate.http).toFixed(2)}×; after / http ${(rate.after / rate.http).toFixed(2)}×`)
