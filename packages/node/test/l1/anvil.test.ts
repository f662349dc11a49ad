/**
 * The L1 reader and the derivation driver against a real anvil with the deployed contracts:
 * deposits and a forced transaction through the Portal, batches built with the core codec and
 * posted by the sequencer account with viem. What the reader and the driver derive must be exactly
 * what core `deriveBatch` gives from the same inputs; an `anvil_reorg` that removes a batch must be
 * reported and rewound; a reopened LevelDB must resume.
 */

import { claimManagerAbi, portalAbi, sequencerInboxAbi } from '@sluice/contracts'
import {
  type BatchBlock,
  bytesToHex,
  createSenderPool,
  type DelayedMessage,
  deriveBatch,
  encodeBatch,
  encodeDepositPayload,
  hexToBytes,
  type L1Batch,
  type L2Block,
  LevelStore,
  MESSAGE_PASSER,
  MemoryStore,
  prepareBlockConfig,
  proposalValue,
  type SenderPool,
  StateDb,
  tipOf,
  writeGenesisState,
} from '@sluice/core'
import {
  type Account,
  type Chain,
  createPublicClient,
  createWalletClient,
  type Hex,
  http,
  type PublicClient,
  parseEther,
  type TransactionReceipt,
} from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testConfig } from '../../../../test/support/config.ts'
import { devAccount, jsonRpc, startAnvil, stopAll, tempDir } from '../../../../test/support/processes.ts'
import { type TestAccount, testAccount, transfer } from '../../../../test/support/wallet.ts'
import { deploySluice, type SluiceDeployment } from '../../../contracts/scripts/deploy.ts'
import {
  DerivationDriver,
  DerivationPipeline,
  type DerivationSink,
  type DerivedBatch,
  genesisTip,
  type SafeTip,
} from '../../src/derive/index.ts'
import { L1Reader } from '../../src/l1/index.ts'

// maxBatchBytes within every contract version's limit (issue 11 lowers the ceiling to 90,000)
const config = testConfig({ sequencer: devAccount(1).address, l1Confirmations: 2n, maxBatchBytes: 90_000n })
const prepared = { ...prepareBlockConfig(config), maxSequencerDrift: config.maxSequencerDrift }
const chainId = config.chainId
const users = Array.from({ length: 4 }, (_, i) => testAccount(700 + i)) as [
  TestAccount,
  TestAccount,
  TestAccount,
  TestAccount,
]

/** Block hashes by batch, as the sink received them; a rewind drops the abandoned batches. */
class HashSink implements DerivationSink {
  byBatch = new Map<bigint, string[]>()
  transactions = 0
  rewinds: { to: bigint; from: bigint }[] = []
  batchOps(derived: DerivedBatch) {
    for (const block of derived.blocks) this.transactions += block.transactions.length
    this.byBatch.set(
      derived.batch.index,
      derived.blocks.map((b) => bytesToHex(b.hash)),
    )
    return []
  }
  rewindOps(to: SafeTip, from: SafeTip) {
    this.rewinds.push({ to: to.batchIndex, from: from.batchIndex })
    for (let i = to.batchIndex + 1n; i <= from.batchIndex; i++) this.byBatch.delete(i)
    return []
  }
  hashes(): string[] {
    return [...this.byBatch.keys()].sort((a, b) => (a < b ? -1 : 1)).flatMap((k) => this.byBatch.get(k) ?? [])
  }
}

describe('L1 reader and derivation driver on anvil', () => {
  let rpcUrl: string
  let client: PublicClient
  let deployment: SluiceDeployment
  let chain: Chain
  let pool: SenderPool
  const dir = tempDir('sluice-l1-derive-')
  const sequencer = devAccount(1)
  const depositor = devAccount(2)
  /** What the test posted, to derive directly with the core. */
  const delayed: DelayedMessage[] = []
  const posted: L1Batch[] = []

  const wallet = (account: Account) => createWalletClient({ account, chain, transport: http(rpcUrl) })

  async function receipt(hash: Hex): Promise<TransactionReceipt> {
    const r = await client.waitForTransactionReceipt({ hash })
    expect(r.status).toBe('success')
    return r
  }

  async function blockTimestamp(blockNumber: bigint): Promise<bigint> {
    return (await client.getBlock({ blockNumber })).timestamp
  }

  async function deposit(recipient: TestAccount, amount: bigint): Promise<void> {
    const r = await receipt(
      await wallet(depositor.account).writeContract({
        address: deployment.portal,
        abi: portalAbi,
        functionName: 'depositETH',
        args: [recipient.addressHex],
        value: amount,
      }),
    )
    delayed.push({
      kind: 0,
      index: BigInt(delayed.length),
      l1Sender: hexToBytes(depositor.address),
      l1Timestamp: await blockTimestamp(r.blockNumber),
      payload: encodeDepositPayload(recipient.address, amount),
    })
  }

  async function forceTransaction(raw: Uint8Array): Promise<void> {
    const r = await receipt(
      await wallet(depositor.account).writeContract({
        address: deployment.portal,
        abi: portalAbi,
        functionName: 'forceTransaction',
        args: [bytesToHex(raw)],
      }),
    )
    delayed.push({
      kind: 1,
      index: BigInt(delayed.length),
      l1Sender: hexToBytes(depositor.address),
      l1Timestamp: await blockTimestamp(r.blockNumber),
      payload: raw,
    })
  }

  /** Posts a batch from the sequencer account; returns it as core derivation takes it. */
  async function postBatch(index: bigint, delayedBefore: bigint, blocks: BatchBlock[]): Promise<L1Batch> {
    const bytes = encodeBatch({ chainId, prevDelayedCount: delayedBefore, blocks })
    const r = await receipt(
      await wallet(sequencer.account).writeContract({
        address: deployment.sequencerInbox,
        abi: sequencerInboxAbi,
        functionName: 'appendBatch',
        args: [bytesToHex(bytes), index],
      }),
    )
    const last = blocks[blocks.length - 1]
    return {
      index,
      bytes,
      l1Timestamp: await blockTimestamp(r.blockNumber),
      delayedBefore,
      delayedCountAfter: last?.delayedCountAfter ?? delayedBefore,
    }
  }

  async function mine(blocks: number): Promise<void> {
    await jsonRpc(rpcUrl, 'anvil_mine', [`0x${blocks.toString(16)}`])
  }

  /** Core derivation of `batches` from genesis, on an in-memory state. */
  function deriveDirectly(batches: readonly L1Batch[]): { hashes: string[]; root: string; last: L2Block | undefined } {
    const state = new StateDb(new MemoryStore())
    writeGenesisState(state)
    let tip = genesisTip(config).l2
    const hashes: string[] = []
    let last: L2Block | undefined
    for (const batch of batches) {
      for (const block of deriveBatch(state, batch, (i) => delayed[Number(i)], tip, prepared)) {
        hashes.push(bytesToHex(block.hash))
        tip = tipOf(block)
        last = block
      }
    }
    return { hashes, root: bytesToHex(state.stateRoot()), last }
  }

  async function openNode(location: string, sink: HashSink) {
    const store = await LevelStore.open(location)
    const reader = L1Reader.fromClient(client, {
      addresses: deployment,
      l1Confirmations: config.l1Confirmations,
      store,
    })
    const driver = await DerivationDriver.open({ store, config, source: reader, sink, senderPool: pool })
    return { store, reader, driver, pipeline: new DerivationPipeline({ reader, driver }) }
  }

  beforeAll(async () => {
    const anvil = await startAnvil(dir)
    rpcUrl = anvil.rpcUrl
    client = createPublicClient({ transport: http(rpcUrl) })
    chain = {
      id: await client.getChainId(),
      name: 'anvil',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [rpcUrl] } },
    }
    deployment = await deploySluice({ l1RpcUrl: rpcUrl, deployerPrivateKey: devAccount(0).privateKey, config })
    pool = createSenderPool({ threads: 1 })
  })

  afterAll(async () => {
    await pool?.close()
    await stopAll()
  })

  it('derives, from L1 alone, exactly what core deriveBatch gives; rewinds an L1 reorg; resumes after a restart', async () => {
    const t0 = config.l2GenesisTimestamp
    const [a, b, c, d] = users
    for (const user of users) await deposit(user, parseEther('2'))
    const batch0 = await postBatch(0n, 0n, [
      {
        timestamp: t0 + 2n,
        delayedCountAfter: 3n,
        transactions: [transfer(a, b.address, { chainId, nonce: 0n, value: parseEther('0.1') }).tx],
      },
      {
        timestamp: t0 + 4n,
        delayedCountAfter: 4n,
        transactions: [
          transfer(b, c.address, { chainId, nonce: 0n, value: 12_345n * 10n ** 12n, type: 0 }).tx,
          transfer(c, MESSAGE_PASSER, { chainId, nonce: 0n, value: parseEther('0.5') }).tx,
          transfer(a, d.address, { chainId, nonce: 1n, value: 1n, type: 1 }).tx,
        ],
      },
    ])
    await forceTransaction(transfer(d, a.address, { chainId, nonce: 0n, value: 7n * 10n ** 15n }).raw)
    const batch1 = await postBatch(1n, 4n, [
      {
        timestamp: t0 + 6n,
        delayedCountAfter: 5n,
        transactions: [transfer(b, d.address, { chainId, nonce: 1n, value: parseEther('0.01') }).tx],
      },
    ])
    posted.push(batch0, batch1)
    await mine(Number(config.l1Confirmations))

    const location = `${dir}/db`
    const sink = new HashSink()
    let node = await openNode(location, sink)
    const steps = await node.pipeline.syncToConfirmed()
    expect(steps.reduce((n, s) => n + s.derived, 0)).toBe(2)
    // every transfer applied: 4 in batch 0, the forced one, 1 in batch 1 (no-ops are not in blocks)
    expect(sink.transactions).toBe(6)
    const direct = deriveDirectly(posted)
    expect(sink.hashes()).toEqual(direct.hashes)
    expect(bytesToHex(node.driver.tip.stateRoot)).toBe(direct.root)
    expect(node.driver.tip.messageCount).toBe(node.reader.batch(1n)?.messageCountAfter)
    expect(node.reader.batch(0n)?.l1TransactionHash).toMatch(/^0x[0-9a-f]{64}$/)

    // a claim on the derived root is read back from the ClaimManager's events
    const proposer = devAccount(3)
    await receipt(
      await wallet(proposer.account).writeContract({
        address: deployment.claimManager,
        abi: claimManagerAbi,
        functionName: 'propose',
        args: [1n, node.driver.tip.accumulator, bytesToHex(node.driver.tip.stateRoot)],
        value: proposalValue(config),
      }),
    )
    await mine(Number(config.l1Confirmations))
    await node.pipeline.syncToConfirmed()
    const [claim] = node.reader.claims()
    expect(claim).toMatchObject({
      batchIndex: 1n,
      messageCount: node.driver.tip.messageCount,
      stateRoot: bytesToHex(node.driver.tip.stateRoot),
      proposer: proposer.address,
      status: 'pending',
    })

    // batch 2 lands, is confirmed and derived; then an L1 reorg removes it
    const batch2 = await postBatch(2n, 5n, [
      {
        timestamp: t0 + 8n,
        delayedCountAfter: 5n,
        transactions: [transfer(a, c.address, { chainId, nonce: 2n, value: 5n * 10n ** 16n }).tx],
      },
    ])
    await mine(Number(config.l1Confirmations))
    await node.pipeline.syncToConfirmed()
    expect(sink.hashes()).toEqual(deriveDirectly([...posted, batch2]).hashes)
    const safeWithBatch2 = node.driver.tip
    expect(safeWithBatch2.batchIndex).toBe(2n)

    const head = await client.getBlockNumber()
    const depth = Number(head - batch2Block(node.reader) + 1n)
    await jsonRpc(rpcUrl, 'anvil_reorg', [depth, []])
    expect(
      await client.readContract({
        address: deployment.sequencerInbox,
        abi: sequencerInboxAbi,
        functionName: 'batchCount',
      }),
    ).toBe(2n)
    await mine(1)
    const afterReorg = await node.pipeline.step()
    expect(afterReorg.l1.kind).toBe('reorg')
    expect(afterReorg.rewoundTo?.batchIndex).toBe(1n)
    expect(node.driver.tip.batchIndex).toBe(1n)
    expect(bytesToHex(node.driver.tip.stateRoot)).toBe(direct.root)
    expect(sink.rewinds).toEqual([{ to: 1n, from: 2n }])
    expect(node.reader.batchCount).toBe(2n)

    // the sequencer re-posts a different batch 2; it derives on top of batch 1
    const reposted = await postBatch(2n, 5n, [
      {
        timestamp: t0 + 9n,
        delayedCountAfter: 5n,
        transactions: [
          transfer(a, c.address, { chainId, nonce: 2n, value: 4n * 10n ** 16n }).tx,
          transfer(c, b.address, { chainId, nonce: 1n, value: 10n ** 15n }).tx,
        ],
      },
    ])
    posted.push(reposted)
    await mine(Number(config.l1Confirmations))
    await node.pipeline.syncToConfirmed()
    const afterRepost = deriveDirectly(posted)
    expect(sink.hashes()).toEqual(afterRepost.hashes)
    expect(bytesToHex(node.driver.tip.stateRoot)).toBe(afterRepost.root)

    // restart: close LevelDB, reopen, nothing is read or derived twice, and the next batch continues
    const tipBefore = node.driver.tip
    const cursorBefore = node.reader.cursor
    await node.store.close()
    const sink2 = new HashSink()
    node = await openNode(location, sink2)
    expect(node.driver.tip).toEqual(tipBefore)
    expect(node.reader.cursor).toEqual(cursorBefore)
    const batch3 = await postBatch(3n, 5n, [
      {
        timestamp: t0 + 12n,
        delayedCountAfter: 5n,
        transactions: [transfer(d, a.address, { chainId, nonce: 1n, value: 10n ** 15n }).tx],
      },
    ])
    posted.push(batch3)
    await mine(Number(config.l1Confirmations))
    const resumed = await node.pipeline.syncToConfirmed()
    expect(resumed.reduce((n, s) => n + s.derived, 0)).toBe(1)
    const final = deriveDirectly(posted)
    expect(sink2.hashes()).toEqual(final.hashes.slice(-sink2.hashes().length))
    expect(bytesToHex(node.driver.tip.l2.hash)).toBe(bytesToHex(final.last!.hash))
    expect(bytesToHex(node.driver.tip.stateRoot)).toBe(final.root)
    await node.store.close()
  })
})

function batch2Block(reader: L1Reader): bigint {
  const batch = reader.batch(2n)
  if (batch === undefined) throw new Error('batch 2 not read')
  return batch.l1BlockNumber
}
