/**
 * `node_modules/.bin/node scripts/loadgen/index.ts --rpc URL [--duration 60] [--rate 0] [--accounts 4000]
 *   [--txs N] [--batch 200] [--concurrency 8] [--watch blocks|receipts] [--chain-id ID] [--base-fee WEI]
 *   [--fund-anvil] [--json]`
 *
 * Sends the standard workload (scripts/bench/workload.ts: senders uniform over `--accounts` funded
 * accounts, recipients Zipf 1.1 over the same accounts, one in ten brand-new) to a node for
 * `--duration` seconds and waits for every accepted transaction to be included. The accounts are the
 * workload's deterministic keys, each starting at nonce 0 with 1,000 ETH: `--fund-anvil` sets their
 * balances on an anvil node; on a Sluice L2 the bench (scripts/bench/figures/e2e.ts) funds them by
 * deposit and fan-out (funding.ts). `--watch receipts` sees inclusion as a plain client does, by
 * polling each transaction's receipt (batches of 100) instead of following blocks. Prints a summary on stderr and, with `--json`, the report on stdout.
 */
import { parseArgs } from '../bench/harness.ts'
import { addressAt, FUNDED_BALANCE, GWEI, standardWorkload } from '../bench/workload.ts'
import { fundOnAnvil } from './funding.ts'
import { RpcClient } from './http.ts'
import { formatReport, runLoad } from './loadgen.ts'

const log = (message: string) => process.stderr.write(`${message}\n`)

function positive(args: Record<string, string>, name: string, fallback: number): number {
  const text = args[name]
  if (text === undefined) return fallback
  const value = Number(text)
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number, not ${text}`)
  return value
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const rpcUrl = args.rpc
  if (rpcUrl === undefined || args.help !== undefined) {
    log(
      'usage: node_modules/.bin/node scripts/loadgen/index.ts --rpc URL [--duration 60] [--rate tx/s, 0: unpaced]\n' +
        '  [--accounts 4000] [--txs N] [--batch 200] [--concurrency 8] [--watch blocks|receipts] [--chain-id ID]\n' +
        '  [--base-fee WEI] [--fund-anvil] [--json]',
    )
    process.exitCode = args.help !== undefined ? 0 : 2
    return
  }
  const watch = args.watch ?? 'blocks'
  if (watch !== 'blocks' && watch !== 'receipts') throw new Error(`--watch must be blocks or receipts, not ${watch}`)
  const durationS = positive(args, 'duration', 60)
  const rate = positive(args, 'rate', 0)
  const accounts = positive(args, 'accounts', 4000)
  const rpc = new RpcClient(rpcUrl, 2)
  const chainId = args['chain-id'] ? BigInt(args['chain-id']) : BigInt(await rpc.call<string>('eth_chainId'))
  rpc.close()
  const txs = positive(args, 'txs', Math.ceil((rate > 0 ? rate : 10_000) * durationS * 1.05))
  const workload = standardWorkload({
    accounts,
    txs,
    chainId,
    baseFeePerGas: args['base-fee'] ? BigInt(args['base-fee']) : GWEI,
  })
  if (args['fund-anvil'] === 'true') {
    await fundOnAnvil(
      rpcUrl,
      Array.from({ length: accounts }, (_, i) => addressAt(workload, i)),
      FUNDED_BALANCE,
    )
    log(`funded ${accounts} accounts with anvil_setBalance`)
  }
  const report = await runLoad({
    rpcUrl,
    raws: workload.raws,
    durationMs: durationS * 1000,
    rate,
    batchSize: positive(args, 'batch', 200),
    concurrency: positive(args, 'concurrency', 8),
    watch,
    log,
  })
  log(formatReport(report))
  if (args.json === 'true') process.stdout.write(`${JSON.stringify(report)}\n`)
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) await main()
