// Types of sdk-partitions.js: the shape @aws-sdk/core declares for its partition table (PartitionsInfo).
import type { PartitionsInfo } from '@aws-sdk/core/client';

type SdkPartition = PartitionsInfo['partitions'][number];

export declare const partitionsInfo: {
  partitions: (Omit<SdkPartition, 'outputs'> & { outputs: SdkPartition['outputs'] & { implicitGlobalRegion: string } })[];
};
