import { SluiceError } from '../errors/index.ts'

export class MissingDelayedMessageError extends SluiceError {
  override name = 'MissingDelayedMessageError'
  constructor(index: bigint, batchIndex: bigint) {
    super(
      `Delayed message ${index} (taken by batch ${batchIndex}) is not known to this node; fetch the Portal's DelayedMessage events up to it and retry.`,
      {
        severity: 'temporary',
        code: 'MISSING_DELAYED_MESSAGE',
      },
    )
  }
}
