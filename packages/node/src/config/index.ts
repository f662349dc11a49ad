export {
  ConfigHashMismatchError,
  checkDeploymentOnL1,
  type Deployment,
  loadDeployment,
  parseDeployment,
} from './deployment.ts'
export { type CommonNodeOptions, commonNodeOptionSpecs, commonNodeOptions, parseFaults } from './nodeOptions.ts'
export { helpText, NodeConfigError, type OptionSpec, type ParsedOptions, parseOptions } from './options.ts'
