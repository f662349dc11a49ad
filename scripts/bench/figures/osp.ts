/**
 * `osp.gas`: the worst one-step-proof transaction (protocol.md §8.4), measured by running the
 * prover's hard-bound forge tests — a full batch of `maxBatchBytes` = 90,000 bytes (the largest a
 * config may set) whose disputed message, a withdrawal whose four proofs each have 16 full branch
 * levels, is its last slot, in every hostile shape the walk bounds of §5.6 allow, and the shapes a
 * forced message allows (the forced withdrawal last, and the largest forced payload a config may allow
 * last) — and reporting the largest transaction gas they log (EIP-7623 calldata pricing) as `osp.gas`
 * and the largest transaction size (calldata plus 200 bytes of envelope) as `osp.bytes`. There is no
 * peer: the figures are bounds, 8,000,000 gas and 131,072 bytes, which the tests also assert.
 */
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FigureGroup, FigureResult } from '../harness.ts'
import { log } from '../harness.ts'

const contractsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'packages', 'contracts')
const forge = join(contractsDir, '..', '..', 'node_modules', '.bin', 'forge')

function measureOspGas(): FigureResult[] {
  const run = spawnSync(forge, ['test', '--match-path', 'test/L1/OneStepProverGas.t.sol', '-vv'], {
    cwd: contractsDir,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  if (run.status !== 0) throw new Error(`forge test failed (exit ${run.status}):\n${run.stdout}\n${run.stderr}`)
  const shapes = new Map<string, { txGas: number; calldata: number }>()
  for (const line of run.stdout.split('\n')) {
    const gas = /^\s*(.+): tx gas: (\d+)$/.exec(line)
    if (gas)
      shapes.set(gas[1] as string, { ...(shapes.get(gas[1] as string) ?? { calldata: 0 }), txGas: Number(gas[2]) })
    const bytes = /^\s*(.+): calldata bytes: (\d+)$/.exec(line)
    if (bytes)
      shapes.set(bytes[1] as string, {
        ...(shapes.get(bytes[1] as string) ?? { txGas: 0 }),
        calldata: Number(bytes[2]),
      })
  }
  if (shapes.size === 0) throw new Error('forge printed no gas figures; is the test renamed?')
  const worst = [...shapes.entries()].sort((a, b) => b[1].txGas - a[1].txGas)[0] as [
    string,
    { txGas: number; calldata: number },
  ]
  const largest = [...shapes.entries()].sort((a, b) => b[1].calldata - a[1].calldata)[0] as [
    string,
    { txGas: number; calldata: number },
  ]
  log(`osp.gas: ${[...shapes.entries()].map(([name, f]) => `${name} ${f.txGas}`).join('; ')}`)
  return [
    {
      name: 'osp.gas',
      unit: 'gas',
      value: worst[1].txGas,
      samples: [...shapes.values()].map((f) => f.txGas),
      target: 8_000_000,
      note: `worst shape: ${worst[0]} (${worst[1].calldata} calldata bytes, bound 131,072 with the envelope); deterministic, one run`,
    },
    {
      name: 'osp.bytes',
      unit: 'bytes',
      value: largest[1].calldata + TX_ENVELOPE_BYTES,
      samples: [...shapes.values()].map((f) => f.calldata + TX_ENVELOPE_BYTES),
      target: 131_072,
      note: `largest shape: ${largest[0]} (calldata plus ${TX_ENVELOPE_BYTES} bytes for the rest of the signed transaction); deterministic, one run`,
    },
  ]
}

/** Room for the rest of a signed L1 transaction around its calldata (as the forge test budgets). */
const TX_ENVELOPE_BYTES = 200

export const figures: FigureGroup[] = [{ names: ['osp.gas', 'osp.bytes'], run: async () => measureOspGas() }]
