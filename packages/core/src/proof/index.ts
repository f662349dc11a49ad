export { type MessageProof, recordMessageProof } from './recordMessageProof.ts'
