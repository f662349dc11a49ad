/** `status` and `claims`: where the rollup stands. */
import type { Command } from 'commander'
import { formatEther } from 'viem'
import type { SluiceClaim } from '../../actions/getClaims.ts'
import type { BlockRef, L1BlockRef, SluiceBatch } from '../../types.ts'
import type { CliContext } from '../context.ts'

function claimJson(claim: SluiceClaim) {
  return {
    id: claim.id,
    batchIndex: claim.batchIndex,
    stateRoot: claim.stateRoot,
    claimHash: claim.claimHash,
    status: claim.status,
    games: claim.games,
    messageCount: claim.messageCount,
    proposer: claim.proposer,
    proposedAt: claim.proposedAt,
    finalizableAt: claim.finalizableAt,
    finalizedAt: claim.finalizedAt,
    finalizable: claim.finalizable,
  }
}

/** `blobs (2): 0x01ab…, 0x01cd…`, `calldata` or `none (forced inclusion)`. */
function daText(batch: SluiceBatch): string {
  const da = batch.dataAvailability
  if (da === null) return 'unknown'
  if (da.kind === 'none') return 'none (forced inclusion)'
  if (da.kind === 'calldata') return 'calldata'
  return `blobs (${da.blobCount}): ${da.versionedHashes.map((h) => `${h.slice(0, 10)}…`).join(', ')}`
}

/** One line on a batch: its DA, bytes, bytes per transaction and L1 cost. */
export function batchLine(batch: SluiceBatch): string {
  const parts = [`#${batch.index} in ${daText(batch)}`]
  if (batch.bytes !== null) {
    parts.push(
      `${batch.bytes} bytes${batch.blobFill === null ? '' : ` (${(batch.blobFill * 100).toFixed(1)}% of the blobs)`}`,
    )
  }
  if (batch.transactionSlots !== null) parts.push(`${batch.transactionSlots} txs`)
  if (batch.bytesPerTransaction !== null) parts.push(`${batch.bytesPerTransaction.toFixed(1)} bytes/tx`)
  if (batch.l1GasUsed !== null) {
    parts.push(`L1 gas ${batch.l1GasUsed}${batch.l1BlobGasUsed ? ` + blob gas ${batch.l1BlobGasUsed}` : ''}`)
  }
  if (batch.l1Cost !== null) parts.push(`cost ${formatEther(batch.l1Cost)} ETH`)
  return parts.join(', ')
}

function batchJson(batch: SluiceBatch) {
  return {
    index: batch.index,
    dataAvailability: batch.dataAvailability,
    bytes: batch.bytes,
    transactionSlots: batch.transactionSlots,
    bytesPerTransaction: batch.bytesPerTransaction,
    blobFill: batch.blobFill,
    l1GasUsed: batch.l1GasUsed,
    l1BlobGasUsed: batch.l1BlobGasUsed,
    l1Cost: batch.l1Cost,
    l1TransactionHash: batch.l1TransactionHash,
  }
}

const head = (ref: BlockRef | L1BlockRef) => `#${ref.number}${ref.hash ? ` ${ref.hash.slice(0, 10)}…` : ''}`

export function registerChain(program: Command, context: (command: Command) => CliContext): void {
  program
    .command('status')
    .description('heads, lags, batches, claims and games')
    .action(async (_options: unknown, command: Command) => {
      const ctx = context(command)
      const l2 = await ctx.l2Public()
      const l1 = await ctx.l1Public()
      const { l2: targetChain } = await ctx.getChains()
      const [sync, claims, games] = await Promise.all([
        l2.getSyncStatus(),
        l1.getClaims({ targetChain }),
        l1.getGames({ targetChain }),
      ])
      const count = (status: string) => claims.filter((claim) => claim.status === status).length
      const openGames = games.filter((game) => game.status === 'open')
      ctx.output(
        {
          chainId: sync.chainId,
          l1: { head: sync.l1.head, confirmed: sync.l1.confirmed },
          unsafe: sync.unsafe,
          safe: sync.safe,
          finalized: sync.finalized,
          lag: sync.lag,
          batches: sync.batches,
          latestBatch: sync.latestBatch === null ? null : batchJson(sync.latestBatch),
          claims: {
            total: claims.length,
            pending: count('pending'),
            challenged: count('challenged'),
            finalized: count('finalized'),
            deleted: count('deleted'),
          },
          games: { total: games.length, open: openGames.length },
        },
        [
          `L2 chain ${sync.chainId}`,
          `unsafe     ${head(sync.unsafe)}`,
          `safe       ${head(sync.safe)}  (${sync.lag.unsafeToSafeBlocks} blocks behind unsafe)`,
          `finalized  ${head(sync.finalized)}`,
          `L1 head    ${head(sync.l1.head)}, confirmed ${head(sync.l1.confirmed)} (${sync.lag.l1HeadToConfirmedBlocks} behind)`,
          `batches    ${sync.batches.count}${sync.latestBatch === null ? '' : `; latest ${batchLine(sync.latestBatch)}`}`,
          `claims     ${claims.length}: ${count('pending')} pending, ${count('challenged')} challenged, ${count('finalized')} finalized, ${count('deleted')} deleted`,
          `games      ${games.length}: ${openGames.length} open`,
        ],
      )
    })

  program
    .command('claims')
    .description('every claim on L1 with its status (pending | challenged | finalized | deleted) and games')
    .action(async (_options: unknown, command: Command) => {
      const ctx = context(command)
      const l1 = await ctx.l1Public()
      const { l2: targetChain } = await ctx.getChains()
      const claims = await l1.getClaims({ targetChain })
      ctx.output(
        claims.map(claimJson),
        claims.length === 0
          ? ['no claims yet']
          : [
              'id  batch  status      state root                                                          games',
              ...claims.map(
                (claim) =>
                  `${String(claim.id).padEnd(3)} ${String(claim.batchIndex).padEnd(6)} ${claim.status.padEnd(11)} ${claim.stateRoot}  ${claim.games.join(',') || '-'}`,
              ),
            ],
      )
    })
}
