/**
 * Mempool and intake-log micro-benchmark (not a vitest test):
 *
 *     node_modules/.bin/node packages/sequencer/test/mempool/throughput.bench.ts [--count 5000] [--batch 100] [--rounds 5]
 *
 * Prints µs per transaction, wall clock and process CPU time (all threads), the best and the median
 * of `rounds` runs over the same pre-signed transfers (16 per sender), for:
 * - admission on the main thread, sender recovery stubbed with a lookup: what the mempool itself
 *   (decode, hash, rules, insertion) costs the event loop;
 * - the builder's side: takeReady (blocks of 1,400 transfers = 30M gas) + markIncluded + onNewHead;
 * - admission with the real sender pool (2 worker threads): the end-to-end admission rate;
 * - the intake log's group-committed appends (fdatasync included) in a temp directory.
 * CPU time is the steadier figure on a shared machine; the load average is printed first.
 */
import { rmSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { bytesToHex, createSenderPool, secp256k1Backend } from '@sluice/core'
import { tempDir } from '../../../../test/support/processes.ts'
import { testAccount, transfer } from '../../../../test/support/wallet.ts'
import { IntakeLog } from '../../src/intake/index.ts'
import { type AccountState, Mempool, type SenderRecovery } from '../../src/mempool/index.ts'
import { config } from './support.ts'

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '5000' },
    batch: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '5' },
  },
})
const count = Number(values.count)
const batch = Number(values.batch)
const rounds = Number(values.rounds)
const perSender = 16

const load = loadavg()
  .map((l) => l.toFixed(1))
  .join(' ')
console.log(`load average ${load} on ${availableParallelism()} cores; secp256k1 backend: ${secp256k1Backend}`)
console.log(`signing ${count} transfers from ${Math.ceil(count / perSender)} senders…`)
const raws: Uint8Array[] = []
const senderOf = new Map<Uint8Array, Uint8Array>()
const accounts = new Map<string, AccountState>()
for (let s = 0; raws.length < count; s++) {
  const from = testAccount(1_000 + s)
  accounts.set(from.addressHex, { nonce: 0n, balance: 10n ** 20n })
  for (let n = 0; n < perSender && raws.length < count; n++) {
    const { raw } = transfer(from, testAccount(7).address, { chainId: config.chainId, nonce: BigInt(n), value: 1n })
    raws.push(raw)
    senderOf.set(raw, from.address)
  }
}
const view = { account: (address: Uint8Array) => accounts.get(bytesToHex(address)) ?? { nonce: 0n, balance: 0n } }
const resetAccounts = (): void => {
  for (const account of accounts.values()) account.nonce = 0n
}

/** Wall-clock and process CPU time (all threads) per transaction, in µs. */
type PerTx = { wall: number; cpu: number }

async function measure(run: () => Promise<number> | number): Promise<PerTx> {
  const cpu = process.cpuUsage()
  const start = performance.now()
  const n = await run()
  const used = process.cpuUsage(cpu)
  return { wall: ((performance.now() - start) * 1000) / n, cpu: (used.user + used.system) / n }
}

/** Runs `once` `rounds` times (after one warm-up) and prints the best and the median. */
async function report(label: string, once: () => Promise<PerTx>, extra = ''): Promise<PerTx> {
  await once()
  const runs: PerTx[] = []
  for (let r = 0; r < rounds; r++) runs.push(await once())
  const pick = (key: keyof PerTx) => {
    const sorted = runs.map((run) => run[key]).sort((a, b) => a - b)
    return { best: sorted[0] as number, median: sorted[sorted.length >> 1] as number }
  }
  const wall = pick('wall')
  const cpu = pick('cpu')
  console.log(
    `${label}: CPU ${cpu.best.toFixed(2)} µs/tx best, ${cpu.median.toFixed(2)} median; ` +
      `wall ${wall.best.toFixed(2)} best, ${wall.median.toFixed(2)} median${extra}`,
  )
  return { wall: wall.median, cpu: cpu.median }
}

async function admitAll(pool: Mempool): Promise<PerTx> {
  return measure(async () => {
    for (let i = 0; i < raws.length; i += batch) await Promise.all(raws.slice(i, i + batch).map((raw) => pool.add(raw)))
    if (pool.size !== raws.length) throw new Error(`admitted ${pool.size} of ${raws.length}`)
    return raws.length
  })
}

const stubbed: SenderRecovery = { recover: async (batchRaws) => batchRaws.map((raw) => senderOf.get(raw)) }
const freshPool = (recovery: SenderRecovery): Mempool =>
  new Mempool({ config, view, recovery, maxExecutable: count + 1 })

await report('admission, main thread only (recovery stubbed)', () => admitAll(freshPool(stubbed)))

await report('builder side (takeReady + markIncluded + onNewHead)', async () => {
  resetAccounts()
  const pool = freshPool(stubbed)
  await admitAll(pool)
  return measure(() => {
    let taken = 0
    while (pool.size > 0) {
      const block = pool.takeReady(1_400, config.l2BlockGasLimit)
      pool.markIncluded(block.map((p) => p.hash))
      for (const p of block) (accounts.get(p.senderHex) as AccountState).nonce = p.nonce + 1n
      pool.onNewHead(
        view,
        block.map((p) => p.sender),
      )
      taken += block.length
    }
    resetAccounts()
    return taken
  })
})

const senderPool = createSenderPool({ threads: 2 })
try {
  const median = await report('admission with the sender pool (2 workers)', () => admitAll(freshPool(senderPool)))
  console.log(`  = ${Math.round(1e6 / median.wall)} tx/s admitted (median wall)`)
} finally {
  await senderPool.close()
}

const directory = tempDir('sluice-intake-bench-')
try {
  const log = await IntakeLog.open({ directory: join(directory, 'intake') })
  const groupCommits = async (label: string, once: () => Promise<void>): Promise<void> => {
    const before = log.stats()
    await report(label, () =>
      measure(async () => {
        await once()
        return raws.length
      }),
    )
    const after = log.stats()
    console.log(`  ${after.flushes - before.flushes} fdatasyncs for ${after.appends - before.appends} appends`)
  }
  await groupCommits(`intake log, one batch of ${batch} at a time`, async () => {
    for (let i = 0; i < raws.length; i += batch)
      await Promise.all(raws.slice(i, i + batch).map((raw) => log.append(raw)))
  })
  // Every request in flight at once, as under load: a group grows while each fdatasync runs.
  await groupCommits('intake log, all appends in flight', async () => {
    await Promise.all(raws.map((raw) => log.append(raw)))
  })
  await log.close()
} finally {
  rmSync(directory, { recursive: true, force: true })
}
