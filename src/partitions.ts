// AWS partitions (aws, aws-cn, aws-us-gov…) from the SDK's own table: which partition a region is in, as the SDK
// resolves endpoints (a known region first, then each partition's regionRegex), its DNS suffix and its global region.
import { partitionsInfo } from './sdk-partitions.js';

export interface Partition {
  /** ARN partition: aws, aws-cn, aws-us-gov… */
  name: string;
  dnsSuffix: string;
  /** Where the partition's global services (IAM, STS's global endpoint) are. */
  globalRegion: string;
}

export interface KnownRegion {
  name: string;
  description: string;
  partition: string;
}

// The table's "aws-global", "aws-cn-global"… name global endpoints, not places where a bucket can be.
const isGlobalPseudoRegion = (name: string) => /^aws(-[a-z-]+)?-global$/.test(name);

const table = partitionsInfo.partitions.map((p) => ({
  partition: { name: p.outputs.name, dnsSuffix: p.outputs.dnsSuffix, globalRegion: p.outputs.implicitGlobalRegion } satisfies Partition,
  regex: new RegExp(p.regionRegex),
  regions: p.regions as Record<string, { description?: string } | undefined>,
}));

/** The SDK's partition of a region (known region, then regionRegex), or undefined when no partition has it. */
export function findPartition(region: string): Partition | undefined {
  return (table.find((p) => Object.hasOwn(p.regions, region)) ?? table.find((p) => p.regex.test(region)))?.partition;
}

/** The partition of a region, falling back to `aws` as the SDK does for a name it cannot place. */
export function partitionOfRegion(region: string | undefined): Partition {
  return (region && findPartition(region)) || table.find((p) => p.partition.name === 'aws')!.partition;
}

/** True when the SDK's table names the region itself (not only its pattern). */
export function isKnownRegion(region: string): boolean {
  return !isGlobalPseudoRegion(region) && table.some((p) => Object.hasOwn(p.regions, region));
}

/** True for the table's names of global endpoints (aws-global…), which are no bucket region. */
export function isGlobalEndpointName(region: string): boolean {
  return isGlobalPseudoRegion(region) && table.some((p) => Object.hasOwn(p.regions, region));
}

/** Every region the SDK's table names, with its description ("Europe (Frankfurt)"), for a searchable picker. */
export function knownRegions(): KnownRegion[] {
  return table.flatMap((p) =>
    Object.entries(p.regions)
      .filter(([name]) => !isGlobalPseudoRegion(name))
      .map(([name, info]) => ({ name, description: info?.description ?? name, partition: p.partition.name })),
  );
}
