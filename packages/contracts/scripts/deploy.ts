/**
 * Deploys a whole Sluice L1 set — Portal, SequencerInbox, OneStepProver, ClaimManager, DisputeGame —
 * from one rollup config. Every contract is immutable and takes the addresses of the others in its
 * constructor; the circular dependencies (the Portal needs the ClaimManager, the inbox the Portal, …)
 * are resolved by precomputing the CREATE addresses from the deployer's nonce.
 *
 * Bytecode and ABIs come from the generated export (`npm run contracts:build`). The OneStepProver is
 * deployed from its artifact unless `oneStepProver` names an already deployed one.
 *
 *   SLUICE_DEPLOYER_KEY=0x… node packages/contracts/scripts/deploy.ts \
 *     --rpc http://127.0.0.1:8545 --config rollup-config.json [--out deployment.json] [--prover 0x…]
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import {
  configHash as computeConfigHash,
  parseRollupConfig,
  type RollupConfig,
  rollupConfigProblems,
  SluiceError,
} from '@sluice/core'
import {
  type Abi,
  type AbiParameter,
  type Address,
  createPublicClient,
  createWalletClient,
  getAddress,
  getContractAddress,
  type Hex,
  http,
  isAddress,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import * as generated from '../src/generated/index.ts'

/** Parameters of `deploySluice`. */
export type DeploySluiceParameters = {
  /** HTTP JSON-RPC URL of the L1 node. */
  l1RpcUrl: string
  /** Private key of the deploying account (it pays for five contract creations). */
  deployerPrivateKey: Hex
  /** The rollup config; every contract stores its hash. */
  config: RollupConfig
  /** An already deployed OneStepProver; when absent, one is deployed from the generated artifact. */
  oneStepProver?: Address | undefined
  /** When given, the deployment is written to this file as JSON. */
  outFile?: string | undefined
}

/** The addresses of a deployment, the config hash they store and the block of the first contract. */
export type SluiceDeployment = {
  /** Deposits, forced transactions, withdrawals. */
  portal: Address
  /** Batches. */
  sequencerInbox: Address
  /** Claims, stakes, bonds. */
  claimManager: Address
  /** Bisection games. */
  disputeGame: Address
  /** The one-step prover the DisputeGame calls. */
  oneStepProver: Address
  /** keccak256 of the ABI-encoded rollup config (protocol.md §2). */
  configHash: Hex
  /** The L1 block holding the first contract of the set (where a node starts following L1). */
  deployBlock: bigint
}

/** A deployment failed, or the artifacts it needs are missing. */
export class DeployError extends SluiceError {
  override name = 'DeployError'
  constructor(shortMessage: string, details?: string, cause?: unknown) {
    super(shortMessage, { details, cause, severity: 'critical', code: 'DEPLOY_FAILED' })
  }
}

type Artifact = { abi: Abi; bytecode: Hex }

const artifacts = generated as unknown as Record<string, unknown>

/** The generated ABI and bytecode of `name` (`portal`, `oneStepProver`, …), or undefined if absent. */
function findArtifact(name: string): Artifact | undefined {
  const abi = artifacts[`${name}Abi`]
  const bytecode = artifacts[`${name}Bytecode`]
  if (!Array.isArray(abi) || typeof bytecode !== 'string' || bytecode === '0x') return undefined
  return { abi: abi as Abi, bytecode: bytecode as Hex }
}

function requireArtifact(name: string): Artifact {
  const artifact = findArtifact(name)
  if (artifact === undefined) {
    throw new DeployError(
      `The compiled artifact of ${name} is missing; run \`npm run contracts:build\` and retry.`,
      `packages/contracts/src/generated/abis.ts exports no ${name}Abi / ${name}Bytecode.`,
    )
  }
  return artifact
}

/** The rollup config as the Solidity struct `Types.RollupConfig` (a viem tuple argument). */
export function configStruct(config: RollupConfig) {
  return {
    chainId: config.chainId,
    sequencer: getAddress(config.sequencer),
    feeVault: getAddress(config.feeVault),
    baseFeePerGas: config.baseFeePerGas,
    l2BlockGasLimit: config.l2BlockGasLimit,
    l2GenesisTimestamp: config.l2GenesisTimestamp,
    genesisStateRoot: config.genesisStateRoot,
    minDeposit: config.minDeposit,
    maxForcedTxBytes: Number(config.maxForcedTxBytes),
    maxBatchBytes: Number(config.maxBatchBytes),
    maxSequencerDrift: config.maxSequencerDrift,
    forceInclusionDelay: config.forceInclusionDelay,
    l1Confirmations: config.l1Confirmations,
    proposerBond: config.proposerBond,
    challengerBond: config.challengerBond,
    challengePeriod: config.challengePeriod,
    gameClock: config.gameClock,
    bondBurnBps: Number(config.bondBurnBps),
  }
}

/**
 * Constructor arguments for `abi`, matched by parameter name: `_config` is the config struct, a name
 * of a config field (`_chainId`, `_feeVault`, …) is that field, and `_portal`, `_inbox` /
 * `_sequencerInbox`, `_claimManager`, `_disputeGame`, `_oneStepProver` are the set's addresses. This
 * keeps the script working whatever subset of these a contract's constructor takes.
 */
function constructorArgs(
  contract: string,
  abi: Abi,
  config: RollupConfig,
  addresses: Record<string, Address>,
): unknown[] {
  const ctor = abi.find((item) => item.type === 'constructor')
  if (ctor === undefined || !('inputs' in ctor)) return []
  const struct = configStruct(config) as Record<string, unknown>
  return ctor.inputs.map((input: AbiParameter) => {
    const name = (input.name ?? '').replace(/^_/, '')
    if (name === 'config') return struct
    if (name in addresses) return addresses[name]
    if (name in struct) return struct[name]
    throw new DeployError(
      `The constructor of ${contract} takes a parameter \`${input.name}\` the deploy script does not know.`,
      'Name it after a rollup config field or one of portal, sequencerInbox/inbox, claimManager, disputeGame, oneStepProver, or extend scripts/deploy.ts.',
    )
  })
}

/**
 * Deploys the whole set from `config` and returns the addresses. Every contract is deployed with a
 * precomputed nonce, so the addresses each constructor receives are the ones the others land at; the
 * function checks that they did.
 *
 * @example
 * const d = await deploySluice({ l1RpcUrl: 'http://127.0.0.1:8545', deployerPrivateKey: key, config })
 * console.log(d.portal, d.configHash)
 */
export async function deploySluice(parameters: DeploySluiceParameters): Promise<SluiceDeployment> {
  const { l1RpcUrl, deployerPrivateKey, config, oneStepProver, outFile } = parameters
  // The constructors refuse the same configs (`InvalidRollupConfig`); saying which rule broke here
  // is clearer than a reverted deployment.
  const problems = rollupConfigProblems(config)
  if (problems.length > 0) {
    throw new DeployError('The rollup config breaks a rule of protocol.md §2; fix it and retry.', problems.join('; '))
  }
  const account = privateKeyToAccount(deployerPrivateKey)
  const transport = http(l1RpcUrl)
  const publicClient = createPublicClient({ transport })
  const chainId = await publicClient.getChainId()
  const chain = {
    id: chainId,
    name: `L1 ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [l1RpcUrl] } },
  } as const
  const walletClient = createWalletClient({ account, chain, transport })

  const proverArtifact = oneStepProver === undefined ? findArtifact('oneStepProver') : undefined
  if (oneStepProver === undefined && proverArtifact === undefined) {
    throw new DeployError(
      'No OneStepProver to use: its artifact is missing and no `oneStepProver` address was given.',
      'Run `npm run contracts:build` once src/L1/OneStepProver.sol exists, or pass the address of a deployed prover.',
    )
  }
  if (oneStepProver !== undefined && !isAddress(oneStepProver)) {
    throw new DeployError(`oneStepProver is not an address: ${oneStepProver}`)
  }

  // Deployment order; the prover only when we deploy it.
  const order: { key: string; artifact: Artifact }[] = [
    { key: 'portal', artifact: requireArtifact('portal') },
    { key: 'sequencerInbox', artifact: requireArtifact('sequencerInbox') },
    ...(proverArtifact ? [{ key: 'oneStepProver', artifact: proverArtifact }] : []),
    { key: 'claimManager', artifact: requireArtifact('claimManager') },
    { key: 'disputeGame', artifact: requireArtifact('disputeGame') },
  ]
  const firstNonce = await publicClient.getTransactionCount({ address: account.address, blockTag: 'pending' })
  const addresses: Record<string, Address> = {}
  order.forEach((entry, i) => {
    addresses[entry.key] = getContractAddress({ from: account.address, nonce: BigInt(firstNonce + i) })
  })
  if (oneStepProver !== undefined) addresses.oneStepProver = getAddress(oneStepProver)
  addresses.inbox = addresses.sequencerInbox as Address

  const hashes: Hex[] = []
  for (const [i, entry] of order.entries()) {
    const args = constructorArgs(entry.key, entry.artifact.abi, config, addresses)
    try {
      hashes.push(
        await walletClient.deployContract({
          abi: entry.artifact.abi,
          bytecode: entry.artifact.bytecode,
          args,
          nonce: firstNonce + i,
        } as Parameters<typeof walletClient.deployContract>[0]),
      )
    } catch (cause) {
      throw new DeployError(`Sending the deployment of ${entry.key} failed.`, String(cause), cause)
    }
  }

  let deployBlock = 0n
  for (const [i, entry] of order.entries()) {
    const receipt = await publicClient.waitForTransactionReceipt({ hash: hashes[i] as Hex })
    if (receipt.status !== 'success') {
      throw new DeployError(`The deployment of ${entry.key} reverted.`, `transaction ${receipt.transactionHash}`)
    }
    const expected = addresses[entry.key] as Address
    if (receipt.contractAddress === null || receipt.contractAddress === undefined) {
      throw new DeployError(`The deployment of ${entry.key} created no contract.`)
    }
    if (getAddress(receipt.contractAddress) !== expected) {
      throw new DeployError(
        `${entry.key} landed at ${receipt.contractAddress}, not at the precomputed ${expected}.`,
        'Another transaction from the deployer took a nonce during the deployment; deploy again from an idle account.',
      )
    }
    if (i === 0) deployBlock = receipt.blockNumber
  }

  const deployment: SluiceDeployment = {
    portal: addresses.portal as Address,
    sequencerInbox: addresses.sequencerInbox as Address,
    claimManager: addresses.claimManager as Address,
    disputeGame: addresses.disputeGame as Address,
    oneStepProver: addresses.oneStepProver as Address,
    configHash: computeConfigHash(config),
    deployBlock,
  }
  if (outFile !== undefined) writeDeployment(outFile, deployment, config)
  return deployment
}

/** Writes `deployment` (and the config it was made from) to `file` as JSON; bigints as decimal strings. */
export function writeDeployment(file: string, deployment: SluiceDeployment, config: RollupConfig): void {
  const json = JSON.stringify(
    { ...deployment, config },
    (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value),
    2,
  )
  writeFileSync(file, `${json}\n`)
}

function argValue(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag)
  return i >= 0 ? argv[i + 1] : undefined
}

async function main(argv: readonly string[]): Promise<void> {
  const l1RpcUrl = argValue(argv, '--rpc') ?? 'http://127.0.0.1:8545'
  const configFile = argValue(argv, '--config')
  const key = process.env.SLUICE_DEPLOYER_KEY
  if (configFile === undefined) {
    throw new DeployError(
      'Usage: SLUICE_DEPLOYER_KEY=0x… node packages/contracts/scripts/deploy.ts --config <file> [--rpc <url>] [--out <file>] [--prover <address>]',
    )
  }
  if (key === undefined || !/^0x[0-9a-fA-F]{64}$/.test(key)) {
    throw new DeployError('Set SLUICE_DEPLOYER_KEY to the deployer private key: 0x and 64 hex digits.')
  }
  const config = parseRollupConfig(JSON.parse(readFileSync(configFile, 'utf8')))
  const prover = argValue(argv, '--prover')
  const out = argValue(argv, '--out')
  const deployment = await deploySluice({
    l1RpcUrl,
    deployerPrivateKey: key as Hex,
    config,
    oneStepProver: prover as Address | undefined,
    outFile: out,
  })
  console.log(JSON.stringify(deployment, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2))
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  })
}
