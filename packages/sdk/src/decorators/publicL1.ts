import type { Chain, Client, Transport } from 'viem'
import {
  type BuildFinalizeWithdrawalParameters,
  type BuildFinalizeWithdrawalReturnType,
  buildFinalizeWithdrawal,
} from '../actions/buildFinalizeWithdrawal.ts'
import { type GetClaimsParameters, type GetClaimsReturnType, getClaims } from '../actions/getClaims.ts'
import { type GetGamesParameters, type GetGamesReturnType, getGames } from '../actions/getGames.ts'
import {
  type GetWithdrawalStatusParameters,
  type GetWithdrawalStatusReturnType,
  getWithdrawalStatus,
} from '../actions/getWithdrawalStatus.ts'
import {
  type WaitUntilFinalizableParameters,
  type WaitUntilFinalizableReturnType,
  waitUntilFinalizable,
} from '../actions/waitUntilFinalizable.ts'

export type PublicActionsL1 = {
  getClaims: (parameters?: GetClaimsParameters) => Promise<GetClaimsReturnType>
  getGames: (parameters?: GetGamesParameters) => Promise<GetGamesReturnType>
  getWithdrawalStatus: (parameters: GetWithdrawalStatusParameters) => Promise<GetWithdrawalStatusReturnType>
  waitUntilFinalizable: (parameters: WaitUntilFinalizableParameters) => Promise<WaitUntilFinalizableReturnType>
  buildFinalizeWithdrawal: (parameters: BuildFinalizeWithdrawalParameters) => Promise<BuildFinalizeWithdrawalReturnType>
}

/**
 * Sluice's read actions for an L1 client: claims, games, withdrawal status and proofs.
 *
 * @example
 * const l1 = createPublicClient({ chain: devnetL1, transport: http() }).extend(publicActionsL1())
 * const claims = await l1.getClaims({ targetChain: sluiceDevnet })
 */
export function publicActionsL1() {
  return <transport extends Transport, chain extends Chain | undefined>(
    client: Client<transport, chain>,
  ): PublicActionsL1 => ({
    getClaims: (parameters) => getClaims(client, parameters),
    getGames: (parameters) => getGames(client, parameters),
    getWithdrawalStatus: (parameters) => getWithdrawalStatus(client, parameters),
    waitUntilFinalizable: (parameters) => waitUntilFinalizable(client, parameters),
    buildFinalizeWithdrawal: (parameters) => buildFinalizeWithdrawal(client, parameters),
  })
}
