export { type ErrorSeverity, SluiceError, type SluiceErrorParameters } from './base.ts'
