/** `status` and `claims`: where the rollup stands. */
import type { Command } from 'commander'
import type { SluiceClaim } from '../../actions/getClaims.ts'
import type { BlockRef, L1BlockRef } from '../../types.ts'
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
          `batches    ${sync.batches.count}`,
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
