import { SluiceError, type SluiceErrorParameters } from '@sluice/core'

/**
 * The intake log cannot store or read transactions. Always `critical`: a sequencer that cannot make
 * submissions durable must stop acknowledging them, and one whose log is corrupt (outside a torn
 * tail, which is truncated) must not guess.
 */
export class IntakeLogError extends SluiceError {
  override name = 'IntakeLogError'

  constructor(shortMessage: string, parameters: Omit<SluiceErrorParameters, 'severity'> = {}) {
    super(shortMessage, { code: 'IntakeLogError', ...parameters, severity: 'critical' })
  }
}
