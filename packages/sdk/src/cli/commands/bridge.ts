/** `deposit`, `withdraw`, `withdrawal-status`, `finalize`: moving ETH between L1 and L2. */
import type { Command } from 'commander'
import { type Address, formatEther, type Hash } from 'viem'
import { waitForTransactionReceipt } from 'viem/actions'
import { L1TransactionRevertedError } from '../../errors.ts'
import { getDepositsFromLogs, getWithdrawalsFromLogs } from '../../utils/withdrawals.ts'
import type { CliContext } from '../context.ts'
import { parseAddress, parseEth, parseHash, parseSeconds } from '../parse.ts'

export function registerBridge(program: Command, context: (command: Command) => CliContext): void {
  program
    .command('deposit')
    .description('deposit ETH from L1 to L2 through the Portal, and wait until L2 credits it')
    .argument('<eth>', 'amount in ETH', parseEth)
    .option('--to <address>', 'the L2 recipient (default: the sender)', parseAddress)
    .option('--no-wait', 'return once the L1 transaction is mined')
    .action(async (value: bigint, options: { to?: Address; wait: boolean }, command: Command) => {
      const ctx = context(command)
      const l1Wallet = await ctx.l1Wallet()
      const l1 = await ctx.l1Public()
      const { l2: targetChain } = await ctx.getChains()
      const to = options.to ?? l1Wallet.account.address
      const hash = await l1Wallet.depositETH({ value, to, targetChain })
      ctx.progress(`deposit sent on L1 (${hash}); waiting for it to be mined`)
      const receipt = await waitForTransactionReceipt(l1, { hash })
      if (receipt.status !== 'success') throw new L1TransactionRevertedError({ what: 'the deposit', hash })
      const deposit = getDepositsFromLogs(receipt.logs)[0]
      let l2BlockNumber: bigint | undefined
      let l2Balance: bigint | undefined
      if (options.wait && deposit !== undefined) {
        const l2 = await ctx.l2Public()
        ctx.progress(`deposit #${deposit.index} is on L1; waiting for the sequencer to include it on L2`)
        ;({ l2BlockNumber } = await l2.waitForDeposit({
          depositIndex: deposit.index,
          onProgress: (line) => ctx.progress(line),
          timeout: 300_000,
        }))
        l2Balance = await l2.getBalance({ address: to })
      }
      ctx.output(
        {
          l1TransactionHash: hash,
          depositIndex: deposit?.index,
          to,
          value: value.toString(),
          l1BlockNumber: receipt.blockNumber,
          l2BlockNumber,
          l2Balance: l2Balance?.toString(),
        },
        [
          `deposited ${formatEther(value)} ETH to ${to} (deposit #${deposit?.index}, L1 tx ${hash})`,
          ...(l2Balance === undefined
            ? ['it reaches L2 once the sequencer includes it: check with `sluice balance`']
            : [`included in L2 block ${l2BlockNumber}; L2 balance now ${formatEther(l2Balance)} ETH`]),
        ],
      )
    })

  program
    .command('withdraw')
    .description('start a withdrawal of ETH from L2 to L1 (finalize it on L1 after the challenge period)')
    .argument('<eth>', 'amount in ETH', parseEth)
    .option('--to <address>', 'the L1 recipient (default: the sender)', parseAddress)
    .action(async (value: bigint, options: { to?: Address }, command: Command) => {
      const ctx = context(command)
      const wallet = await ctx.l2Wallet()
      const l2 = await ctx.l2Public()
      const hash = await wallet.withdrawETH({ value, to: options.to })
      ctx.progress(`withdrawal sent (${hash}); waiting for it to enter an L2 block`)
      const receipt = await waitForTransactionReceipt(l2, { hash, timeout: 120_000 })
      const withdrawal = getWithdrawalsFromLogs(receipt.logs)[0]
      ctx.output({ hash, blockNumber: receipt.blockNumber, withdrawal, next: `sluice finalize ${hash}` }, [
        `withdrawal of ${formatEther(value)} ETH to ${withdrawal?.l1Recipient} started in L2 block ${receipt.blockNumber}`,
        `tx ${hash}`,
        `withdrawal hash ${withdrawal?.withdrawalHash}`,
        `next: \`sluice withdrawal-status ${hash}\`, then \`sluice finalize ${hash}\` (it waits for the challenge period)`,
      ])
    })

  program
    .command('withdrawal-status')
    .description('where a withdrawal stands: included, safe, claimed, finalizable, finalized')
    .argument('<l2TxHash>', 'the L2 withdrawal transaction', parseHash)
    .action(async (transactionHash: Hash, _options: unknown, command: Command) => {
      const ctx = context(command)
      const l1 = await ctx.l1Public()
      const l2 = await ctx.l2Public()
      const status = await l1.getWithdrawalStatus({ l2Client: l2, transactionHash })
      const { withdrawal, claim } = status
      ctx.output(
        {
          status: status.status,
          transactionHash,
          withdrawal,
          l2BlockNumber: status.l2BlockNumber,
          batchIndex: status.batchIndex,
          claimId: claim?.id,
          claimStatus: claim?.status,
          finalizableAt: claim?.finalizableAt,
        },
        [
          `status: ${status.status}`,
          ...(withdrawal
            ? [`${formatEther(withdrawal.value)} ETH from ${withdrawal.sender} to ${withdrawal.l1Recipient} on L1`]
            : []),
          ...(status.l2BlockNumber === undefined ? [] : [`L2 block ${status.l2BlockNumber}`]),
          ...(status.batchIndex === undefined ? [] : [`batch ${status.batchIndex}`]),
          ...(claim === undefined
            ? []
            : [
                `claim ${claim.id} (${claim.status}), finalizable from ${new Date(Number(claim.finalizableAt) * 1000).toISOString()}`,
              ]),
        ],
      )
    })

  program
    .command('finalize')
    .description('pay a withdrawal on L1; waits until it is finalizable (progress on stderr)')
    .argument('<l2TxHash>', 'the L2 withdrawal transaction', parseHash)
    .option('--no-wait', 'fail at once when it is not finalizable yet')
    .option('--timeout <seconds>', 'how long to wait', parseSeconds, 900)
    .action(async (transactionHash: Hash, options: { wait: boolean; timeout: number }, command: Command) => {
      const ctx = context(command)
      const l1 = await ctx.l1Public()
      const l1Wallet = await ctx.l1Wallet()
      const l2 = await ctx.l2Public()
      const status = options.wait
        ? await l1.waitUntilFinalizable({
            l2Client: l2,
            transactionHash,
            timeout: options.timeout * 1000,
            pollingInterval: 2000,
            onProgress: (line) => ctx.progress(line),
          })
        : undefined
      const result = await l1Wallet.finalizeWithdrawal({ l2Client: l2, transactionHash, status })
      ctx.progress(`finalizeWithdrawal sent on L1 (${result.hash}); waiting for it to be mined`)
      const receipt = await waitForTransactionReceipt(l1, { hash: result.hash })
      if (receipt.status !== 'success')
        throw new L1TransactionRevertedError({ what: 'finalizeWithdrawal', hash: result.hash })
      const l1Balance = await l1.getBalance({ address: result.withdrawal.l1Recipient })
      ctx.output(
        {
          l1TransactionHash: result.hash,
          claimId: result.claimId,
          finalizeClaimHash: result.finalizeClaimHash,
          withdrawal: result.withdrawal,
          l1Balance: l1Balance.toString(),
        },
        [
          `paid ${formatEther(result.withdrawal.value)} ETH to ${result.withdrawal.l1Recipient} on L1 (claim ${result.claimId}, L1 tx ${result.hash})`,
          `L1 balance now ${formatEther(l1Balance)} ETH`,
        ],
      )
    })
}
