import {
  bytesToBigint,
  bytesToHex,
  equalBytes,
  type Hex,
  MESSAGE_PASSED_TOPIC,
  MESSAGE_PASSER,
  syncStatusBatches,
} from '@sluice/core'
import type { PublicClient } from 'viem'
import type { ChainStore } from '../chain/store.ts'
import type { BatchRecord, StoredTransaction } from '../chain/types.ts'
import { describeBlobWait } from '../derive/blobs.ts'
import type { DerivationDriver } from '../derive/driver.ts'
import type { SyncProgress } from '../derive/types.ts'
import type { L1Reader } from '../l1/reader.ts'
import type { ClaimRecord } from '../l1/types.ts'
import type { RollupRpcProvider, RpcJson } from '../rpc/types.ts'
import { createBatchDisplay, createExplorerProvider } from './explorer.ts'

/** How this node judges a claim on L1 against its own derivation (protocol.md §8). */
export type ClaimVerdict = 'valid' | 'invalid' | 'not yet derived'

export type ClaimCheck = { claim: ClaimRecord; verdict: ClaimVerdict; derivedRoot: Hex | undefined }

/** Compares a claim's root with this node's derived root at its batch. */
export function checkClaim(chain: ChainStore, claim: ClaimRecord): ClaimCheck {
  const batch = chain.batch(claim.batchIndex)
  if (batch === undefined) return { claim, verdict: 'not yet derived', derivedRoot: undefined }
  const derivedRoot = bytesToHex(batch.stateRoot)
  return { claim, verdict: derivedRoot === claim.stateRoot.toLowerCase() ? 'valid' : 'invalid', derivedRoot }
}

export type RollupProviderOptions = {
  chain: ChainStore
  reader: L1Reader
  driver: DerivationDriver
  /** The latest catch-up progress of the driver. */
  progress: () => SyncProgress | undefined
  /** Whether a transaction hash is pending in this node's mempool (the sequencer). */
  isPending?: (hash: Uint8Array) => boolean
  /** More fields for `sluice_syncStatus` (role-specific: batcher, proposer, games). */
  extraStatus?: () => Record<string, RpcJson>
  /** L1, for the explorer's reads of the contracts' current state (deadlines, clocks, payouts). */
  l1Client?: PublicClient
}

/** Claims in a `sluice_syncStatus` answer: the newest ones. */
export const STATUS_CLAIMS = 32

function claimJson(check: ClaimCheck): RpcJson {
  const { claim } = check
  return {
    claimId: claim.claimId,
    batchIndex: claim.batchIndex,
    messageCount: claim.messageCount,
    stateRoot: claim.stateRoot,
    proposer: claim.proposer,
    status: claim.status,
    stakers: claim.stakers,
    slashed: claim.slashed,
    l1BlockNumber: claim.l1BlockNumber,
    verdict: check.verdict,
    derivedRoot: check.derivedRoot ?? null,
  }
}

/** The withdrawal a transaction started, from its `MessagePassed` log. */
export function withdrawalOf(tx: StoredTransaction) {
  const log = tx.logs.find(
    (l) => equalBytes(l.address, MESSAGE_PASSER) && equalBytes(l.topics[0] as Uint8Array, MESSAGE_PASSED_TOPIC),
  )
  if (log === undefined) return undefined
  return {
    nonce: bytesToBigint(log.topics[1] as Uint8Array),
    sender: (log.topics[2] as Uint8Array).slice(12),
    l1Recipient: (log.topics[3] as Uint8Array).slice(12),
    value: bytesToBigint(log.data.slice(0, 32)),
    withdrawalHash: log.data.slice(32, 64),
  }
}

/**
 * The batch that carries a safe L2 block, and the claims covering it that are not deleted and whose
 * root this node derived too (a wrong claim never counts), oldest first.
 */
export function claimsCovering(
  chain: ChainStore,
  reader: L1Reader,
  blockNumber: bigint,
): { batch: BatchRecord | undefined; claims: ClaimCheck[] } {
  const batch = blockNumber <= chain.head('safe').header.number ? chain.batchOfBlock(blockNumber) : undefined
  if (batch === undefined) return { batch, claims: [] }
  const claims = reader
    .claims()
    .filter((c) => c.batchIndex >= batch.index && c.status !== 'deleted')
    .map((c) => checkClaim(chain, c))
    .filter((c) => c.verdict === 'valid')
  return { batch, claims }
}

/**
 * The `sluice_` RPC methods of a node that derives from L1 (sequencer and verifier alike): sync
 * status with every head and lag, batches, the claimable root at a block, and withdrawal status.
 */
export function createRollupProvider(options: RollupProviderOptions): RollupRpcProvider {
  const { chain, reader, driver } = options
  const batchDisplay = createBatchDisplay({ chain, reader, l1Client: options.l1Client })
  return {
    explorer: createExplorerProvider({ chain, reader, l1Client: options.l1Client, isPending: options.isPending }),
    async syncStatus() {
      const unsafe = chain.head('unsafe')
      const safe = chain.head('safe')
      const finalized = chain.head('finalized')
      const progress = options.progress()
      const blobWait = driver.blobWait()
      const head = (b: typeof unsafe) => ({ number: b.header.number, hash: b.hash, timestamp: b.header.timestamp })
      // Bounded: explorers poll this every second, and a chain proposes a claim per few batches for
      // ever. Older claims are paged through `sluice_getClaims`.
      const claims = reader
        .recentClaims(STATUS_CLAIMS)
        .reverse()
        .map((claim) => claimJson(checkClaim(chain, claim)))
      return {
        chainId: chain.chainId,
        l1: {
          head: reader.lastHead ?? null,
          confirmed: { number: reader.cursor.number, hash: reader.cursor.hash },
        },
        unsafe: head(unsafe),
        safe: head(safe),
        finalized: head(finalized),
        lag: {
          unsafeToSafeBlocks: unsafe.header.number - safe.header.number,
          l1HeadToConfirmedBlocks: reader.lastHead === undefined ? null : reader.lastHead - reader.cursor.number,
        },
        batches: syncStatusBatches(BigInt(chain.batchCount), reader.batchCount),
        derivation: {
          batchIndex: driver.tip.batchIndex < 0n ? null : driver.tip.batchIndex,
          messageCount: driver.tip.messageCount,
          // set while derivation cannot get the blobs of the next batch (beacon API down, no --l1-beacon, mismatch)
          waitingForBlobs: blobWait === undefined ? null : describeBlobWait(blobWait),
          ...(progress === undefined
            ? {}
            : {
                targetMessageCount: progress.targetMessageCount,
                transactionsPerSecond: Math.round(progress.transactionsPerSecond),
                blocksPerSecond: Math.round(progress.blocksPerSecond),
                etaSeconds: progress.etaSeconds === undefined ? null : Math.round(progress.etaSeconds),
              }),
        },
        claims,
        // The newest derived batch: where its data is, its bytes per transaction and L1 cost.
        latestBatch:
          chain.batchCount === 0 ? null : await batchDisplay(chain.batch(BigInt(chain.batchCount - 1)) as BatchRecord),
        ...(options.extraStatus?.() ?? {}),
      }
    },
    async getBatch(batchIndex) {
      const batch = chain.batch(batchIndex)
      return batch === undefined ? null : await batchDisplay(batch)
    },
    claimAtBlock(blockNumber) {
      const batch = chain.batchOfBlock(blockNumber)
      if (batch === undefined) return null
      return {
        batchIndex: batch.index,
        lastBlock: batch.lastBlock,
        messageCountAfter: batch.messageCountAfter,
        stateRoot: batch.stateRoot,
        accumulator: batch.accumulator,
        claims: reader
          .claims()
          .filter((c) => c.batchIndex === batch.index)
          .map((c) => claimJson(checkClaim(chain, c))),
      }
    },
    withdrawalStatus(hash) {
      const found = chain.transaction(hash)
      if (found === undefined) {
        return { status: options.isPending?.(hash) ? 'pending' : 'unknown' }
      }
      const withdrawal = withdrawalOf(found.tx)
      if (withdrawal === undefined) return { status: 'not-a-withdrawal', blockNumber: found.block.header.number }
      const blockNumber = found.block.header.number
      const { batch, claims } = claimsCovering(chain, reader, blockNumber)
      const finalized = claims.filter((c) => c.claim.status === 'finalized')
      // `finalizable`, as the SDK and the explorer say: a finalized claim covers it, so the Portal will
      // pay it; whether it was paid is L1's to say (the SDK's `finalized`).
      const status =
        finalized.length > 0 ? 'finalizable' : claims.length > 0 ? 'claimed' : batch !== undefined ? 'safe' : 'included'
      return {
        status,
        withdrawal,
        blockNumber,
        batchIndex: batch?.index ?? null,
        claims: claims.map((c) => ({
          claimId: c.claim.claimId,
          batchIndex: c.claim.batchIndex,
          status: c.claim.status,
          stateRoot: c.claim.stateRoot,
          proofBlock: chain.batch(c.claim.batchIndex)?.lastBlock ?? null,
        })),
      }
    },
  }
}

/**
 * Moves the finalized head (protocol.md §10) to the last block of the newest finalized claim this
 * node agrees with, if that is beyond the current one and derived. Returns the new number, if moved.
 */
export async function advanceFinalizedHead(chain: ChainStore, reader: L1Reader): Promise<bigint | undefined> {
  let best: BatchRecord | undefined
  for (const claim of reader.claims()) {
    if (claim.status !== 'finalized') continue
    const batch = chain.batch(claim.batchIndex)
    if (batch === undefined || bytesToHex(batch.stateRoot) !== claim.stateRoot.toLowerCase()) continue
    if (best === undefined || batch.lastBlock > best.lastBlock) best = batch
  }
  if (best === undefined) return undefined
  const target = best.lastBlock <= chain.head('safe').header.number ? best.lastBlock : chain.head('safe').header.number
  if (target <= chain.head('finalized').header.number) return undefined
  await chain.setHeads({ finalized: target })
  return target
}
