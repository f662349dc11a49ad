/**
 * Garbage at the running sequencer's door: malformed JSON, a wrong content type, unknown methods,
 * wrong params, oversized bodies and batches, and every mempool refusal a wallet can meet. Each gets
 * the JSON-RPC error a wallet expects, and the node keeps serving after each. A SIGTERM stops it
 * cleanly (exit 0) and it resumes on the same chain.
 */

import { MESSAGE_PASSER_ADDRESS } from '@sluice/core'
import { TXPOOL_REFUSALS } from '@sluice/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fundAccounts, hashOf, rpcCall, sendBatch, waitForReceipts } from '../support/load.ts'
import { stopAll, tempDir } from '../support/processes.ts'
import { type L1, type NodeProcess, startL1, startSequencerProcess } from '../support/rollup.ts'
import { signTransaction, type TestAccount, testAccount, transfer } from '../support/wallet.ts'

type Answer = { error?: { code: number; message: string }; result?: unknown }

async function post(
  url: string,
  body: string,
  contentType = 'application/json',
): Promise<{ status: number; body: Answer | Answer[] }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body })
  return { status: response.status, body: (await response.json()) as Answer | Answer[] }
}

describe('sequencer input handling', () => {
  let dir: string
  let l1: L1
  let sequencer: NodeProcess
  let alice: TestAccount
  const chainId = 1_337_901n

  beforeAll(async () => {
    dir = tempDir()
    l1 = await startL1(dir)
    sequencer = await startSequencerProcess(dir, l1)
    ;[alice] = (await fundAccounts(l1, sequencer.rpcUrl, { count: 1 })) as [TestAccount]
  }, 120_000)

  afterAll(async () => {
    await stopAll()
  })

  async function stillServing(): Promise<void> {
    expect(BigInt(await rpcCall<string>(sequencer.rpcUrl, 'eth_chainId'))).toBe(chainId)
  }

  it('refuses malformed requests with JSON-RPC errors and keeps serving', async () => {
    // HTTP status: JSON-RPC errors travel in a 200 answer; only what is not JSON-RPC at all is not 200.
    const cases: [string, string, number, number][] = [
      ['{"jsonrpc":"2.0","id":1,"method":', 'application/json', 200, -32700],
      ['{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}', 'text/plain', 415, -32600],
      ['{"jsonrpc":"2.0","id":1,"method":"eth_doesNotExist","params":[]}', 'application/json', 200, -32601],
      ['{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0x12"]}', 'application/json', 200, -32602],
      [
        '{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["nope", false]}',
        'application/json',
        200,
        -32602,
      ],
      ['[]', 'application/json', 200, -32600],
    ]
    for (const [body, type, status, code] of cases) {
      const answer = await post(sequencer.rpcUrl, body, type)
      expect(answer.status, body).toBe(status)
      expect((answer.body as Answer).error?.code, body).toBe(code)
      expect((answer.body as Answer).error?.message.length).toBeGreaterThan(5)
      await stillServing()
    }
    const unknown = await post(sequencer.rpcUrl, '{"jsonrpc":"2.0","id":1,"method":"eth_doesNotExist","params":[]}')
    expect((unknown.body as Answer).error?.message).toContain('eth_doesNotExist')
  })

  it('refuses oversized bodies and batches', async () => {
    const huge = `{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":["${'a'.repeat(6 * 1024 * 1024)}"]}`
    // The server answers 413 as soon as the declared length is too large and may close the
    // connection before the client finished writing; either way nothing is read past the limit.
    const oversized = await post(sequencer.rpcUrl, huge).catch((error: Error) => ({
      status: 413,
      body: { error: { code: 0, message: String(error.cause ?? error) } },
    }))
    expect(oversized.status).toBe(413)
    await stillServing()
    const batch = JSON.stringify(
      Array.from({ length: 1_001 }, (_, id) => ({ jsonrpc: '2.0', id, method: 'eth_chainId' })),
    )
    const tooLong = await post(sequencer.rpcUrl, batch)
    expect((tooLong.body as Answer).error?.code).toBe(-32600)
    await stillServing()
  })

  it('answers every mempool refusal with the text wallets match on', async () => {
    const bob = testAccount(2)
    // One included transaction, so that nonce 0 is used.
    const first = transfer(alice, bob.address, { chainId, nonce: 0n, value: 1n })
    const [firstAnswer] = await sendBatch(sequencer.rpcUrl, [first.raw])
    await waitForReceipts(sequencer.rpcUrl, [firstAnswer?.result as string], 20_000)
    const nonce = 1n
    // A queued transaction (a gap before it) stays in the pool: replacements are tested against it.
    const ok = transfer(alice, bob.address, { chainId, nonce: nonce + 3n, value: 1n })
    const cases: [string, Uint8Array, string][] = [
      ['accepted first', ok.raw, ''],
      ['the same bytes again', ok.raw, TXPOOL_REFUSALS.alreadyKnown],
      [
        'same nonce, same fees',
        transfer(alice, bob.address, { chainId, nonce: nonce + 3n, value: 2n }).raw,
        TXPOOL_REFUSALS.replacementUnderpriced,
      ],
      [
        'a used nonce',
        transfer(alice, bob.address, { chainId, nonce: 0n, value: 1n }).raw,
        TXPOOL_REFUSALS.nonceTooLow,
      ],
      [
        'more than the balance',
        transfer(alice, bob.address, { chainId, nonce: nonce + 1n, value: 10n ** 24n }).raw,
        TXPOOL_REFUSALS.insufficientFunds,
      ],
      [
        'a fee cap below the base fee',
        transfer(alice, bob.address, {
          chainId,
          nonce: nonce + 1n,
          value: 1n,
          maxFeePerGas: 1n,
          maxPriorityFeePerGas: 1n,
        }).raw,
        TXPOOL_REFUSALS.feeCapBelowBaseFee,
      ],
      [
        'gas below 21000',
        transfer(alice, bob.address, { chainId, nonce: nonce + 1n, value: 1n, gasLimit: 20_000n }).raw,
        TXPOOL_REFUSALS.intrinsicGasTooLow,
      ],
      [
        'another chain',
        transfer(alice, bob.address, { chainId: 1n, nonce: nonce + 1n, value: 1n }).raw,
        TXPOOL_REFUSALS.invalidChainId,
      ],
      [
        'gas above the block',
        transfer(alice, bob.address, { chainId, nonce: nonce + 1n, value: 1n, gasLimit: 40_000_000n }).raw,
        TXPOOL_REFUSALS.gasLimitExceeded,
      ],
      [
        'pre-EIP-155',
        signTransaction(
          {
            type: 0,
            chainId: undefined,
            nonce: nonce + 1n,
            maxFeePerGas: 2_000_000_000n,
            maxPriorityFeePerGas: 2_000_000_000n,
            gasLimit: 21_000n,
            to: bob.address,
            value: 1n,
            data: new Uint8Array(0),
            accessList: [],
          },
          alice.privateKey,
        ).raw,
        TXPOOL_REFUSALS.notReplayProtected,
      ],
      [
        'data to an account',
        transfer(alice, bob.address, {
          chainId,
          nonce: nonce + 1n,
          value: 1n,
          gasLimit: 30_000n,
          data: new Uint8Array([1, 2, 3]),
        }).raw,
        TXPOOL_REFUSALS.dataNotAllowed,
      ],
      ['garbage bytes', new Uint8Array([0x02, 0xde, 0xad]), TXPOOL_REFUSALS.undecodable],
    ]
    for (const [what, raw, text] of cases) {
      const [answer] = await sendBatch(sequencer.rpcUrl, [raw])
      if (text === '') {
        expect(answer?.error, what).toBeUndefined()
        expect(answer?.result, what).toBe(hashOf(ok.raw))
      } else {
        expect(answer?.error?.code, what).toBe(-32000)
        expect(answer?.error?.message.startsWith(text), `${what}: ${answer?.error?.message}`).toBe(true)
      }
      await stillServing()
    }
    // A withdrawal with its one allowed word of data is accepted.
    const word = new Uint8Array(32)
    word.set(alice.address, 12)
    const withdrawal = transfer(alice, Uint8Array.from(Buffer.from(MESSAGE_PASSER_ADDRESS.slice(2), 'hex')), {
      chainId,
      nonce: nonce + 1n,
      value: 1n,
      gasLimit: 30_000n,
      data: word,
    })
    const [accepted] = await sendBatch(sequencer.rpcUrl, [withdrawal.raw])
    expect(accepted?.error).toBeUndefined()
  })

  it('stops cleanly on SIGTERM and resumes the same chain', async () => {
    const head = await rpcCall<{ number: string; hash: string }>(sequencer.rpcUrl, 'eth_getBlockByNumber', [
      'latest',
      false,
    ])
    await sequencer.stop('SIGTERM')
    expect(await sequencer.exited).toBe(0)
    const again = await startSequencerProcess(dir, l1, { dataDir: sequencer.dataDir, name: 'sequencer-again' })
    const same = await rpcCall<{ hash: string }>(again.rpcUrl, 'eth_getBlockByNumber', [head.number, false])
    expect(same.hash).toBe(head.hash)
  })
})
