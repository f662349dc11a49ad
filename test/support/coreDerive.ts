/**
 * Derivation through `@sluice/core` alone, straight from L1 logs, calldata and (blob batches) the
 * blobs anvil's beacon API serves: the independent check e2e tests hold the nodes to (no node code
 * involved).
 */

import { portalAbi, sequencerInboxAbi } from '@sluice/contracts'
import {
  bytesToHex,
  type DelayedMessage,
  decodeBlobs,
  deriveBatch,
  encodeForcedBatch,
  genesisBlock,
  hexToBytes,
  kzg,
  kzgCommitmentToVersionedHash,
  type L1Batch,
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
  const blobBatches = new Map(
    (
      await client.getContractEvents({
        address: deployment.sequencerInbox,
        abi: sequencerInboxAbi,
        eventName: 'BlobBatchAppended',
        fromBlock,
      })
    ).map((log) => {
      const { index, blobHashes } = log.args as { index: bigint; blobHashes: `0x${string}`[] }
      return [index, blobHashes]
    }),
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
  let messageCountBefore = 0n
  for (const log of appended) {
    const { index, delayedCountAfter, messageCountAfter } = log.args as {
      index: bigint
      delayedCountAfter: bigint
      messageCountAfter: bigint
    }
    const l1Block = await client.getBlock({ blockNumber: log.blockNumber })
    const batch: L1Batch = {
      index,
      bytes: new Uint8Array(0),
      l1Timestamp: l1Block.timestamp,
      delayedBefore,
      delayedCountAfter,
    }
    const versionedHashes = blobBatches.get(index)
    if (forced.has(index)) {
      batch.bytes = encodeForcedBatch(delayedCountAfter)
    } else if (versionedHashes !== undefined) {
      const blobs = await blobsOf(rpcUrl, log.blockNumber, versionedHashes)
      batch.bytes = decodeBlobs(blobs)
      batch.blobs = {
        slotCount: Number(messageCountAfter - messageCountBefore - (delayedCountAfter - delayedBefore)),
        versionedHashes: versionedHashes.map((h) => hexToBytes(h)),
      }
    } else {
      const tx = await client.getTransaction({ hash: log.transactionHash })
      const { args } = decodeFunctionData({ abi: sequencerInboxAbi, data: tx.input })
      batch.bytes = hexToBytes(args?.[0] as `0x${string}`)
    }
    const derived = deriveBatch(state, batch, (i) => delayed.get(i), tip, prepared)
    blocks.push(...derived)
    const last = derived[derived.length - 1]
    if (last !== undefined) tip = tipOf(last)
    stateRootAfterBatch.push(bytesToHex(state.stateRoot()))
    lastBlockOfBatch.push(tip.number)
    delayedBefore = delayedCountAfter
    messageCountBefore = messageCountAfter
  }
  return { blocks, batchCount: appended.length, stateRootAfterBatch, lastBlockOfBatch }
}

/** The blobs of `versionedHashes` from anvil's beacon API (keyed by L1 block number), each checked. */
async function blobsOf(rpcUrl: string, blockNumber: bigint, versionedHashes: `0x${string}`[]): Promise<Uint8Array[]> {
  const answer = (await (await fetch(`${rpcUrl}/eth/v1/beacon/blobs/${blockNumber}`)).json()) as {
    data: `0x${string}`[]
  }
  const byHash = new Map(
    answer.data.map((hex) => {
      const blob = hexToBytes(hex)
      return [bytesToHex(kzgCommitmentToVersionedHash(kzg().blobToCommitment(blob))), blob] as const
    }),
  )
  return versionedHashes.map((hash) => {
    const blob = byHash.get(hash.toLowerCase() as `0x${string}`)
    if (blob === undefined) throw new Error(`anvil serves no blob for ${hash} in L1 block ${blockNumber}`)
    return blob
  })
}
