/**
 * Derivation through `@sluice/core` alone, straight from L1 logs and calldata: the independent check
 * e2e tests hold the nodes to (no node code involved).
 */

import { portalAbi, sequencerInboxAbi } from '@sluice/contracts'
import {
  bytesToHex,
  type DelayedMessage,
  deriveBatch,
  encodeForcedBatch,
  genesisBlock,
  hexToBytes,
  type L2Block,
  MemoryStore,
  prepareBlockConfig,
  type RollupConfig,
  StateDb,
  tipOf,
  writeGenesisState,
} from '@sluice/core'
import { createPublicClient, decodeFunctionData, http } from 'viem'
import type { SluiceDeployment } from '../../packages/contracts/scripts/deploy.ts'

export type CoreDerivation = {
  blocks: L2Block[]
  batchCount: number
  stateRootAfterBatch: string[]
  lastBlockOfBatch: bigint[]
}

/** Reads every batch and delayed message from L1 and derives them with the core. */
export async function deriveWithCore(
  rpcUrl: string,
  deployment: SluiceDeployment,
  config: RollupConfig,
): Promise<CoreDerivation> {
  const client = createPublicClient({ transport: http(rpcUrl) })
  const fromBlock = deployment.deployBlock
  const delayedLogs = await client.getContractEvents({
    address: deployment.portal,
    abi: portalAbi,
    eventName: 'DelayedMessage',
    fromBlock,
  })
  const delayed = new Map<bigint, DelayedMessage>()
  for (const log of delayedLogs) {
    const { index, kind, l1Sender, l1Timestamp, payload } = log.args as {
      index: bigint
      kind: number
      l1Sender: `0x${string}`
      l1Timestamp: bigint
      payload: `0x${string}`
    }
    delayed.set(index, {
      index,
      kind: kind as 0 | 1,
      l1Sender: hexToBytes(l1Sender),
      l1Timestamp,
      payload: hexToBytes(payload),
    })
  }
  const appended = await client.getContractEvents({
    address: deployment.sequencerInbox,
    abi: sequencerInboxAbi,
    eventName: 'BatchAppended',
    fromBlock,
  })
  const forced = new Set(
    (
      await client.getContractEvents({
        address: deployment.sequencerInbox,
        abi: sequencerInboxAbi,
        eventName: 'BatchForced',
        fromBlock,
      })
    ).map((log) => (log.args as { index: bigint }).index),
  )
  const state = new StateDb(new MemoryStore())
  writeGenesisState(state)
  const genesis = genesisBlock(config)
  let tip = {
    hash: genesis.hash,
    number: 0n,
    timestamp: genesis.header.timestamp,
    delayedAccumulator: genesis.header.delayedAccumulator,
  }
  const prepared = { ...prepareBlockConfig(config), maxSequencerDrift: config.maxSequencerDrift }
  const blocks: L2Block[] = []
  const stateRootAfterBatch: string[] = []
  const lastBlockOfBatch: bigint[] = []
  let delayedBefore = 0n
  for (const log of appended) {
    const { index, delayedCountAfter } = log.args as { index: bigint; delayedCountAfter: bigint }
    let bytes: Uint8Array
    if (forced.has(index)) {
      bytes = encodeForcedBatch(delayedCountAfter)
    } else {
      const tx = await client.getTransaction({ hash: log.transactionHash })
      const { args } = decodeFunctionData({ abi: sequencerInboxAbi, data: tx.input })
      bytes = hexToBytes(args?.[0] as `0x${string}`)
    }
    const l1Block = await client.getBlock({ blockNumber: log.blockNumber })
    const derived = deriveBatch(
      state,
      { index, bytes, l1Timestamp: l1Block.timestamp, delayedBefore, delayedCountAfter },
      (i) => delayed.get(i),
      tip,
      prepared,
    )
    blocks.push(...derived)
    const last = derived[derived.length - 1]
    if (last !== undefined) tip = tipOf(last)
    stateRootAfterBatch.push(bytesToHex(state.stateRoot()))
    lastBlockOfBatch.push(tip.number)
    delayedBefore = delayedCountAfter
  }
  return { blocks, batchCount: appended.length, stateRootAfterBatch, lastBlockOfBatch }
}
