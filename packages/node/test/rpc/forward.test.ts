import { bytesToHex, keccak256 } from '@sluice/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../../../test/support/processes.ts'
import { transfer } from '../../../../test/support/wallet.ts'
import { RPC_ERROR_CODES, TXPOOL_REFUSALS } from '../../src/rpc/errors.ts'
import { forwardTransactions } from '../../src/rpc/forward.ts'
import { alice, bob, chainId, type Fixture, post, rpc, startFixture } from './fixture.ts'

let sequencer: Fixture
let verifier: Fixture

beforeAll(async () => {
  sequencer = await startFixture()
  verifier = await startFixture({ submit: forwardTransactions(sequencer.address.url) })
})

afterAll(async () => {
  await verifier.close()
  await sequencer.close()
})

/** HTTP requests the sequencer's RPC has answered so far (its own metric). */
async function sequencerRequests(): Promise<number> {
  const text = await (await fetch(`${sequencer.address.url}/metrics`)).text()
  return [...text.matchAll(/^sluice_rpc_http_request_seconds_count\{[^}]*\} (\d+)$/gm)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  )
}

describe('forwardTransactions (a verifier in front of the sequencer)', () => {
  it('forwards a batch as one upstream batch and passes on the sequencer answers unchanged', async () => {
    const good = transfer(alice, bob.address, { chainId, nonce: 2n, value: 1n }).raw
    const stale = transfer(alice, bob.address, { chainId, nonce: 0n, value: 1n }).raw
    const before = await sequencerRequests()
    const answers = (
      await post(verifier.address.url, [
        { jsonrpc: '2.0', id: 1, method: 'eth_sendRawTransaction', params: [bytesToHex(good)] },
        { jsonrpc: '2.0', id: 2, method: 'eth_sendRawTransaction', params: [bytesToHex(stale)] },
        { jsonrpc: '2.0', id: 3, method: 'eth_sendRawTransaction', params: ['0x02c0'] },
      ])
    ).json
    expect(answers).toEqual([
      { jsonrpc: '2.0', id: 1, result: bytesToHex(keccak256(good)) },
      { jsonrpc: '2.0', id: 2, error: { code: RPC_ERROR_CODES.server, message: TXPOOL_REFUSALS.nonceTooLow } },
      { jsonrpc: '2.0', id: 3, error: { code: RPC_ERROR_CODES.server, message: TXPOOL_REFUSALS.undecodable } },
    ])
    expect((await sequencerRequests()) - before).toBe(1)
    expect(sequencer.pool.transaction(keccak256(good))).toBeDefined()
  })

  it('answers -32000 with a retry hint when the sequencer is unreachable', async () => {
    const port = await freePort()
    const orphan = await startFixture({ submit: forwardTransactions(`http://127.0.0.1:${port}`, { timeoutMs: 2_000 }) })
    try {
      const raw = transfer(bob, alice.address, { chainId, nonce: 1n, value: 1n }).raw
      const answer = await rpc(orphan.address.url, 'eth_sendRawTransaction', [bytesToHex(raw)])
      expect(answer.error).toMatchObject({
        code: RPC_ERROR_CODES.server,
        message: expect.stringContaining('unreachable'),
      })
      expect((await rpc(orphan.address.url, 'eth_chainId')).result).toBe(`0x${chainId.toString(16)}`)
    } finally {
      await orphan.close()
    }
  })
})
