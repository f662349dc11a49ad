import { readFileSync } from 'node:fs'
import { claimManagerAbi, disputeGameAbi, portalAbi, sequencerInboxAbi } from '@sluice/contracts'
import { configHash, type Hex, parseRollupConfig, type RollupConfig } from '@sluice/core'
import { type Address, getAddress, isAddress, type PublicClient } from 'viem'
import { NodeConfigError } from './options.ts'

/** A Sluice L1 deployment: what `packages/contracts/scripts/deploy.ts` writes, parsed and checked. */
export type Deployment = {
  portal: Address
  sequencerInbox: Address
  claimManager: Address
  disputeGame: Address
  oneStepProver: Address
  configHash: Hex
  /** The L1 block of the first contract: where a node starts reading L1. */
  deployBlock: bigint
  config: RollupConfig
}

const ADDRESS_FIELDS = ['portal', 'sequencerInbox', 'claimManager', 'disputeGame', 'oneStepProver'] as const

/** Reads and validates a deployment file; every problem names the field. */
export function loadDeployment(file: string): Deployment {
  let json: Record<string, unknown>
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
  } catch (error) {
    throw new NodeConfigError(
      '--deployment',
      `cannot read ${file} as JSON: ${(error as Error).message}`,
      'Give the file that packages/contracts/scripts/deploy.ts --out wrote.',
    )
  }
  return parseDeployment(json, file)
}

export function parseDeployment(json: Record<string, unknown>, source = 'deployment'): Deployment {
  const addresses = {} as Record<(typeof ADDRESS_FIELDS)[number], Address>
  for (const field of ADDRESS_FIELDS) {
    const value = json[field]
    if (typeof value !== 'string' || !isAddress(value, { strict: false })) {
      throw new NodeConfigError(`${source}: ${field}`, `expected a contract address, got ${JSON.stringify(value)}`)
    }
    addresses[field] = getAddress(value)
  }
  let config: RollupConfig
  try {
    config = parseRollupConfig(json.config)
  } catch (error) {
    throw new NodeConfigError(`${source}: config`, (error as Error).message)
  }
  const deployBlock = json.deployBlock
  if (typeof deployBlock !== 'string' && typeof deployBlock !== 'number') {
    throw new NodeConfigError(`${source}: deployBlock`, 'expected the L1 block number of the deployment')
  }
  const hash = configHash(config)
  if (typeof json.configHash === 'string' && json.configHash.toLowerCase() !== hash) {
    throw new NodeConfigError(
      `${source}: configHash`,
      `the file says ${json.configHash} but its config hashes to ${hash}`,
      'The config in the file was edited after deployment; use the file deploy.ts wrote.',
    )
  }
  return { ...addresses, configHash: hash, deployBlock: BigInt(deployBlock), config }
}

/** The L1 contracts do not store this node's config hash, or are not there at all. */
export class ConfigHashMismatchError extends NodeConfigError {
  override name = 'ConfigHashMismatchError'
}

/**
 * Refuses to run against contracts that do not store `configHash(deployment.config)`: a node with
 * another config would derive another chain.
 */
export async function checkDeploymentOnL1(client: PublicClient, deployment: Deployment): Promise<void> {
  const contracts = [
    ['Portal', deployment.portal, portalAbi],
    ['SequencerInbox', deployment.sequencerInbox, sequencerInboxAbi],
    ['ClaimManager', deployment.claimManager, claimManagerAbi],
    ['DisputeGame', deployment.disputeGame, disputeGameAbi],
  ] as const
  for (const [name, address, abi] of contracts) {
    const code = await client.getCode({ address })
    if (code === undefined || code === '0x') {
      throw new ConfigHashMismatchError(
        `deployment: ${name}`,
        `no contract at ${address} on this L1`,
        'Check --l1-rpc points at the L1 the deployment file was made for.',
      )
    }
    const stored = (await client.readContract({
      address,
      abi: abi as typeof portalAbi,
      functionName: 'configHash',
    })) as Hex
    if (stored.toLowerCase() !== deployment.configHash) {
      throw new ConfigHashMismatchError(
        `deployment: ${name}.configHash`,
        `the contract stores ${stored}, this node's config hashes to ${deployment.configHash}`,
        'The rollup config differs from the one the contracts were deployed with; use the deployment file of this L1.',
      )
    }
  }
}
