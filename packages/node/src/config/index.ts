export {
  ConfigHashMismatchError,
  checkDeploymentOnL1,
  type Deployment,
  loadDeployment,
  parseDeployment,
} from './deployment.ts'
export { connectL1, type L1Connection, l1WalletClient } from './l1Connection.ts'
export { type CommonNodeOptions, commonNodeOptionSpecs, commonNodeOptions, parseFaults } from './nodeOptions.ts'
export { helpText, NodeConfigError, type OptionSpec, type ParsedOptions, parseOptions } from './options.ts'
