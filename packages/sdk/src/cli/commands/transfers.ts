/** `send` and `balance`: plain L2 (and L1) ETH. */

import { TX_BASE_GAS } from '@sluice/core'
import type { Command } from 'commander'
import { type Address, formatEther } from 'viem'
import { waitForTransactionReceipt } from 'viem/actions'
import type { CliContext } from '../context.ts'
import { parseAddress, parseEth } from '../parse.ts'

export function registerTransfers(program: Command, context: (command: Command) => CliContext): void {
  program
    .command('send')
    .description('send ETH to an address on L2 and wait until it is in a block')
    .argument('<to>', 'recipient address', parseAddress)
    .argument('<eth>', 'amount in ETH, like 0.5', parseEth)
    .option('--safe', 'also wait until the block is safe (derived from L1)')
    .action(async (to: Address, value: bigint, options: { safe?: boolean }, command: Command) => {
      const ctx = context(command)
      const wallet = await ctx.l2Wallet()
      const l2 = await ctx.l2Public()
      const hash = await wallet.sendTransaction({ to, value, gas: TX_BASE_GAS, chain: wallet.chain })
      ctx.progress(`sent ${hash}; waiting for it to enter an L2 block`)
      const receipt = await waitForTransactionReceipt(l2, { hash, timeout: 120_000 })
      if (options.safe) await l2.waitForSafe({ hash, onProgress: (line) => ctx.progress(line) })
      ctx.output(
        {
          hash,
          from: wallet.account.address,
          to,
          value: value.toString(),
          blockNumber: receipt.blockNumber,
          status: receipt.status,
          safe: options.safe === true,
        },
        [
          `sent ${formatEther(value)} ETH to ${to} in L2 block ${receipt.blockNumber}${options.safe ? ' (safe)' : ''}`,
          `tx ${hash}`,
        ],
      )
    })

  program
    .command('balance')
    .description('balance of an address on L2 (or L1 with --l1); the key’s address by default')
    .argument('[address]', 'the address', parseAddress)
    .option('--l1', 'on L1 instead of L2')
    .action(async (address: Address | undefined, options: { l1?: boolean }, command: Command) => {
      const ctx = context(command)
      const who = address ?? ctx.account().address
      const client = options.l1 ? ctx.l1PublicBare() : ctx.l2PublicBare()
      const balance = await client.getBalance({ address: who })
      const layer = options.l1 ? 'L1' : 'L2'
      ctx.output({ address: who, layer, wei: balance.toString(), eth: formatEther(balance) }, [
        `${formatEther(balance)} ETH on ${layer} (${who})`,
      ])
    })
}
