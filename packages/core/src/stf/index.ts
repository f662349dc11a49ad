export {
  applyDeposit,
  applyMessage,
  applyTransaction,
  type PreparedStfConfig,
  prepareStfConfig,
  type StfConfig,
} from './apply.ts'
export type { AppliedTransaction, MessageOutcome, StfMessage } from './message.ts'
export { NOOP_REASONS, type NoopReason, STATELESS_NOOP_REASONS } from './noopReason.ts'
export { checkStatelessRules, effectiveGasPrice, protocolIntrinsicGas, type StatelessCheck } from './rules.ts'
export {
  type Log,
  MESSAGE_PASSED_TOPIC,
  messagePassedLog,
  type Withdrawal,
  withdrawalHash,
  withdrawalRecipient,
} from './withdrawal.ts'
