import { readFileSync } from 'node:fs'
import { bytesToHex, MESSAGE_PASSER, MESSAGE_PASSER_ADDRESS } from '@sluice/core'
import { Ajv, type ValidateFunction } from 'ajv'
import { Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { vectorPath, vectorsPresent } from '../../../../test/support/vectors.ts'
import { transfer } from '../../../../test/support/wallet.ts'
import { FilterStore } from '../../src/rpc/filters.ts'
import { createMethods } from '../../src/rpc/methods.ts'
import { createRpcMetrics } from '../../src/rpc/metrics.ts'
import { DEFAULT_RPC_LIMITS } from '../../src/rpc/types.ts'
import { alice, bob, carol, chainId, type Fixture, rpc, startFixture } from './fixture.ts'

/**
 * Every answer checked against the execution-apis OpenRPC schemas (`execution-apis/openrpc.json`
 * among the public vectors). Skipped, with the message of test/support/vectors.ts, where the vectors
 * are absent; CI has them.
 */

type OpenRpc = { methods: { name: string; result?: { schema: unknown } }[] }

let fixture: Fixture
const validators = new Map<string, ValidateFunction>()
const validated = new Set<string>()

beforeAll(async () => {
  if (!vectorsPresent) return
  const spec = JSON.parse(readFileSync(vectorPath('execution-apis', 'openrpc.json'), 'utf8')) as OpenRpc
  const ajv = new Ajv({ strict: false, allErrors: true })
  for (const method of spec.methods) {
    if (method.result !== undefined) validators.set(method.name, ajv.compile(method.result.schema as object))
  }
  fixture = await startFixture()
})

afterAll(async () => {
  await fixture?.close()
})

/** Calls `method` and checks its result against the method's schema; returns the result. */
async function checked(method: string, params: unknown[] = []): Promise<unknown> {
  const answer = await rpc(fixture.address.url, method, params)
  expect(answer.error, `${method} answered an error`).toBeUndefined()
  const validate = validators.get(method)
  if (validate === undefined) throw new Error(`the OpenRPC spec has no ${method}`)
  const valid = validate(answer.result)
  expect(validate.errors ?? [], `${method}(${JSON.stringify(params)}) → ${JSON.stringify(answer.result)}`).toEqual([])
  expect(valid).toBe(true)
  validated.add(method)
  return answer.result
}

describe.skipIf(!vectorsPresent)('answers match the execution-apis OpenRPC schemas', () => {
  it('chain, account and state methods', async () => {
    const passerSlot = bytesToHex(fixture.withdrawal.withdrawalHash)
    await checked('eth_chainId')
    await checked('net_version')
    await checked('eth_blockNumber')
    await checked('eth_syncing')
    await checked('eth_accounts')
    await checked('eth_getBalance', [alice.addressHex, 'latest'])
    await checked('eth_getBalance', [alice.addressHex, 'earliest'])
    await checked('eth_getTransactionCount', [alice.addressHex, 'pending'])
    await checked('eth_getTransactionCount', [alice.addressHex, 'safe'])
    await checked('eth_getCode', [alice.addressHex, 'latest'])
    await checked('eth_getStorageAt', [MESSAGE_PASSER_ADDRESS, passerSlot, 'latest'])
    await checked('eth_getStorageAt', [MESSAGE_PASSER_ADDRESS, '0x0', 'latest'])
    await checked('eth_getProof', [alice.addressHex, [], 'latest'])
    await checked('eth_getProof', [MESSAGE_PASSER_ADDRESS, [passerSlot, '0x01'], 'latest'])
    await checked('eth_getProof', ['0x000000000000000000000000000000000000dead', ['0x0'], 'finalized'])
  })

  it('blocks, transactions and receipts', async () => {
    const { transfers } = fixture.blocks
    const hash = bytesToHex(transfers.hash)
    for (const hydrated of [false, true]) {
      await checked('eth_getBlockByNumber', ['latest', hydrated])
      await checked('eth_getBlockByNumber', ['earliest', hydrated])
      await checked('eth_getBlockByNumber', ['0x64', hydrated])
      await checked('eth_getBlockByHash', [hash, hydrated])
      await checked('eth_getBlockByHash', [`0x${'00'.repeat(32)}`, hydrated])
    }
    await checked('eth_getBlockTransactionCountByNumber', ['latest'])
    await checked('eth_getBlockTransactionCountByHash', [hash])
    await checked('eth_getBlockReceipts', [hash])
    for (const [index, stored] of transfers.transactions.entries()) {
      const txHash = bytesToHex(stored.hash)
      await checked('eth_getTransactionByHash', [txHash])
      await checked('eth_getTransactionReceipt', [txHash])
      await checked('eth_getTransactionByBlockNumberAndIndex', ['latest', `0x${index.toString(16)}`])
      await checked('eth_getTransactionByBlockHashAndIndex', [hash, `0x${index.toString(16)}`])
    }
    await checked('eth_getTransactionByHash', [`0x${'00'.repeat(32)}`])
    await checked('eth_getTransactionReceipt', [`0x${'00'.repeat(32)}`])
    await checked('eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest' }])
    await checked('eth_getLogs', [{ blockHash: hash, address: MESSAGE_PASSER_ADDRESS }])
  })

  it('fees, estimates, calls and submission', async () => {
    await checked('eth_gasPrice')
    await checked('eth_maxPriorityFeePerGas')
    await checked('eth_feeHistory', ['0x4', 'latest', []])
    await checked('eth_feeHistory', ['0x2', 'latest', [10, 50, 90]])
    await checked('eth_estimateGas', [{ from: alice.addressHex, to: bob.addressHex, value: '0x1' }])
    await checked('eth_estimateGas', [{ from: alice.addressHex, to: MESSAGE_PASSER_ADDRESS, value: '0x1' }])
    await checked('eth_call', [{ from: alice.addressHex, to: bob.addressHex, value: '0x1' }, 'latest'])
    await checked('eth_call', [{ to: bob.addressHex, data: '0x70a08231' }, 'latest'])
    await checked('eth_coinbase')
    const raw = transfer(carol, bob.address, { chainId, nonce: 1n, value: 1n, type: 0 }).raw
    const txHash = (await checked('eth_sendRawTransaction', [bytesToHex(raw)])) as string

    // A pending transaction answers null block fields, as geth does; the schema (written for
    // included transactions) requires them, so those four fields are the only ones it may flag.
    const pending = await rpc(fixture.address.url, 'eth_getTransactionByHash', [txHash])
    const validate = validators.get('eth_getTransactionByHash') as ValidateFunction
    validate(pending.result)
    const flagged = new Set(
      (validate.errors ?? []).map((e) => e.instancePath.split('/')[1] ?? e.params.missingProperty).filter(Boolean),
    )
    for (const field of flagged)
      expect(['blockHash', 'blockNumber', 'blockTimestamp', 'transactionIndex']).toContain(field)
    expect(pending.result).toMatchObject({ hash: txHash, blockHash: null, blockNumber: null, transactionIndex: null })

    await fixture.pool.seal()
    await checked('eth_getTransactionByHash', [txHash]) // legacy, now included
    await checked('eth_getTransactionReceipt', [txHash])
  })

  it('filters: logs, blocks and pending transactions', async () => {
    const logFilter = (await checked('eth_newFilter', [
      { fromBlock: '0x0', address: MESSAGE_PASSER_ADDRESS },
    ])) as string
    const blockFilter = (await checked('eth_newBlockFilter')) as string
    const pendingFilter = (await checked('eth_newPendingTransactionFilter')) as string
    const logs = (await checked('eth_getFilterLogs', [logFilter])) as unknown[]
    expect(logs).toHaveLength(1) // the fixture's withdrawal
    // A withdrawal: its MessagePassed log is what the log filter reports next.
    const raw = transfer(bob, MESSAGE_PASSER, {
      chainId,
      nonce: 1n,
      value: 1n,
      gasLimit: 30_000n,
      data: new Uint8Array([...new Uint8Array(12), ...bob.address]),
    }).raw
    await rpc(fixture.address.url, 'eth_sendRawTransaction', [bytesToHex(raw)])
    expect(await checked('eth_getFilterChanges', [pendingFilter])).toHaveLength(1)
    await fixture.pool.seal()
    expect(await checked('eth_getFilterChanges', [blockFilter])).toHaveLength(1)
    expect(await checked('eth_getFilterChanges', [logFilter])).toHaveLength(1)
    expect(await checked('eth_uninstallFilter', [logFilter])).toBe(true)
    expect(await checked('eth_uninstallFilter', [logFilter])).toBe(false)
  })

  it('covers every method of the server that the spec defines', () => {
    const served = createMethods({
      chain: fixture.chain,
      submit: undefined,
      pending: undefined,
      rollup: undefined,
      clientVersion: '',
      limits: DEFAULT_RPC_LIMITS,
      suggestedPriorityFeePerGas: 0n,
      filters: new FilterStore({
        chain: fixture.chain,
        limits: DEFAULT_RPC_LIMITS,
        metrics: createRpcMetrics(new Registry(), []),
      }),
    }).keys()
    const specified = [...served].filter((method) => validators.has(method))
    expect(specified.length).toBeGreaterThan(20)
    const missing = specified.filter((method) => !validated.has(method))
    expect(missing).toEqual([])
  })
})
