// The benchmark's Responses server, run as its own process so that serving never competes with
// the client being measured for the JavaScript thread. Prints its port, then serves
// POST /v1/responses: `input: "small"` gets a 5-event answer, anything else the ~87 MB one.
import http from 'node:http'

import { responsePayload } from './payload.mjs'

const big = responsePayload(200_000)
const small = responsePayload(3)

const server = http.createServer((request, response) => {
  let body = ''
  request.setEncoding('utf8')
  request.on('data', (chunk) => {
    body += chunk
  })
  request.on('end', () => {
    const payload = JSON.parse(body).input === 'small' ? small : big
    response.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req_bench' })
    response.end(payload.bytes)
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port, events: big.events, bytes: big.bytes.length, smallEvents: small.events })}\n`)
})
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
