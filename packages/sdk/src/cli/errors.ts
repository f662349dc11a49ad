import { SluiceError } from '@sluice/core'

/** The command line is wrong: a missing option, a bad address or amount. Exit code 2. */
export class CliUsageError extends SluiceError {
  override name = 'CliUsageError'
  constructor(shortMessage: string) {
    super(shortMessage, { severity: 'invalidInput', code: 'CLI_USAGE' })
  }
}
