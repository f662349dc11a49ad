import { Counter, Gauge, type Registry } from 'prom-client'

/** The dispute agent's Prometheus metrics. */
export type DisputeMetrics = {
  /** Games this agent plays, by its side and the game's state (open, won, lost, voided). */
  games: Gauge<'role' | 'state'>
  /** Transactions sent, by action (challenge, bisect, agree, disagree, proveStep, timeout, …). */
  moves: Counter<'action'>
  /** L1 gas used by this agent's mined transactions, by action. */
  gasUsed: Counter<'action'>
  /** Wei paid for that gas, by action. */
  feesPaid: Counter<'action'>
}

export function createDisputeMetrics(registry: Registry): DisputeMetrics {
  return {
    games: new Gauge({
      name: 'sluice_dispute_games',
      help: 'Bisection games this node plays, by its role (staker, challenger) and state (open, won, lost, voided)',
      labelNames: ['role', 'state'],
      registers: [registry],
    }),
    moves: new Counter({
      name: 'sluice_dispute_moves_total',
      help: 'Dispute transactions sent, by action',
      labelNames: ['action'],
      registers: [registry],
    }),
    gasUsed: new Counter({
      name: 'sluice_dispute_gas_used_total',
      help: 'L1 gas used by mined dispute transactions, by action',
      labelNames: ['action'],
      registers: [registry],
    }),
    feesPaid: new Counter({
      name: 'sluice_dispute_fees_wei_total',
      help: 'Wei paid in L1 fees by mined dispute transactions, by action',
      labelNames: ['action'],
      registers: [registry],
    }),
  }
}
