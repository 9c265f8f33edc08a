// The AWS SDK's partition table, the data its endpoint resolver matches regions against. @aws-sdk/core does not export
// the file itself (only the resolver), so it is imported by path; its declaration is sdk-partitions.d.ts.
export { partitionsInfo } from '../node_modules/@aws-sdk/core/dist-es/submodules/client/util-endpoints/lib/aws/partitions.js';
