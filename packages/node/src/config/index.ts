export {
  ConfigHashMismatchError,
  checkDeploymentOnL1,
  type Deployment,
  loadDeployment,
  parseDeployment,
} from './deployment.ts'
export { helpText, NodeConfigError, type OptionSpec, type ParsedOptions, parseOptions } from './options.ts'
