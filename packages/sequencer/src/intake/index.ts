export { IntakeLogError } from './errors.ts'
export { IntakeLog, type IntakeLogOptions, type IntakeLogStats } from './intakeLog.ts'
export { registerIntakeLogMetrics } from './metrics.ts'
export {
  type Admission,
  admissionPayload,
  encodeRecord,
  type IntakeRecord,
  MAX_RECORD_PAYLOAD,
  type ParsedSegment,
  parseSegment,
  RECORD_HEADER_BYTES,
  RECORD_KIND_ADMISSION,
  RECORD_KIND_TRANSACTION,
  type RecordPayload,
  recordAdmission,
} from './record.ts'
export {
  type AdmissionFailure,
  BodyAdmission,
  type ReplayOptions,
  type ReplayRefusal,
  type ReplaySummary,
  TransactionIntake,
} from './transactionIntake.ts'
