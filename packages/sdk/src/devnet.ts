/**
 * `.devnet/devnet.json`, written by `npm run devnet`: a documented interface for scripts. The fields
 * below keep their names; more may appear.
 */
import { readFileSync } from 'node:fs'
import { type Address, type Chain, type Hex, isAddress } from 'viem'
import { defineL1Chain, defineSluiceChain, type SluiceChain } from './chain.ts'
import { DevnetFileError } from './errors.ts'

/** One process the devnet started: `command` run in `cwd` restarts it alone on `dataDir`. */
export type DevnetComponent = {
  pid: number
  command: string[]
  cwd: string
  dataDir: string
  /** Its JSON-RPC URL, for nodes. */
  rpcUrl?: string | undefined
  /** Where its output goes. */
  logFile?: string | undefined
}

export type DevnetFile = {
  l1: { rpcUrl: string; chainId: number }
  l2: { chainId: number; sequencerRpcUrl: string; verifierRpcUrls: string[] }
  contracts: {
    Portal: Address
    SequencerInbox: Address
    ClaimManager: Address
    DisputeGame: Address
    OneStepProver: Address
  }
  /** Funded on L1 and (through deposits) on L2. */
  accounts: { address: Address; privateKey: Hex }[]
  /** `anvil`, `sequencer`, `verifier-0`, … */
  components: Record<string, DevnetComponent>
  /** The L1 block of the first contract (decimal string). */
  deployBlock?: string | undefined
  /** The file `deploySluice` wrote, which the nodes read (`--deployment`). */
  deploymentFile?: string | undefined
  configHash?: Hex | undefined
  /** The rollup config, bigints as decimal strings. */
  rollupConfig?: Record<string, string> | undefined
}

/** The default location of the devnet file, relative to the working directory. */
export const DEFAULT_DEVNET_FILE = '.devnet/devnet.json'

/** Reads and checks a devnet file; throws `DevnetFileError` naming what is missing. */
export function readDevnetFile(file: string = DEFAULT_DEVNET_FILE): DevnetFile {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    throw new DevnetFileError({ file, problem: 'not found' })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new DevnetFileError({ file, problem: 'not valid JSON' })
  }
  const devnet = json as Partial<DevnetFile>
  const problems: string[] = []
  if (typeof devnet.l1?.rpcUrl !== 'string' || typeof devnet.l1.chainId !== 'number') problems.push('l1')
  if (typeof devnet.l2?.sequencerRpcUrl !== 'string' || typeof devnet.l2.chainId !== 'number') problems.push('l2')
  for (const name of ['Portal', 'SequencerInbox', 'ClaimManager', 'DisputeGame', 'OneStepProver'] as const) {
    if (!isAddress(String(devnet.contracts?.[name]))) problems.push(`contracts.${name}`)
  }
  if (!Array.isArray(devnet.accounts)) problems.push('accounts')
  if (problems.length > 0) throw new DevnetFileError({ file, problem: `missing or invalid ${problems.join(', ')}` })
  return { verifierRpcUrls: [], components: {}, ...devnet } as DevnetFile
}

/** The viem chains of a devnet: its L1 and its L2 (pointed at `l2RpcUrl`, the sequencer by default). */
export function devnetChains(
  devnet: DevnetFile,
  { l1RpcUrl, l2RpcUrl }: { l1RpcUrl?: string | undefined; l2RpcUrl?: string | undefined } = {},
): { l1: Chain; l2: SluiceChain } {
  return {
    l1: defineL1Chain({ id: devnet.l1.chainId, rpcUrl: l1RpcUrl ?? devnet.l1.rpcUrl, name: 'Devnet L1' }),
    l2: defineSluiceChain({
      id: devnet.l2.chainId,
      name: 'Sluice Devnet',
      rpcUrl: l2RpcUrl ?? devnet.l2.sequencerRpcUrl,
      l1ChainId: devnet.l1.chainId,
      deployBlock: devnet.deployBlock === undefined ? undefined : BigInt(devnet.deployBlock),
      contracts: {
        portal: devnet.contracts.Portal,
        sequencerInbox: devnet.contracts.SequencerInbox,
        claimManager: devnet.contracts.ClaimManager,
        disputeGame: devnet.contracts.DisputeGame,
        oneStepProver: devnet.contracts.OneStepProver,
      },
    }),
  }
}
