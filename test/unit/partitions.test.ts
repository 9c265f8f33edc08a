// One partition helper, from the SDK's own table, serves the ARNs, the S3 DNS suffix and the global region.
import { partition as sdkPartition } from '@aws-sdk/core/client';
import { describe, expect, it } from 'vitest';
import { findPartition, knownRegions, partitionOfRegion } from '../../src/partitions.js';
import { bucketArn } from '../../src/policy.js';
import { composedVideoUrl, partitionOf, s3DnsSuffix } from '../../src/s3url.js';
import { globalRegion } from '../../src/services/aws.js';

describe('partitions', () => {
  it('places every known region as the SDK endpoint resolver does', () => {
    for (const { name } of knownRegions()) {
      const sdk = sdkPartition(name);
      expect(findPartition(name), name).toEqual({ name: sdk.name, dnsSuffix: sdk.dnsSuffix, globalRegion: (sdk as { implicitGlobalRegion?: string }).implicitGlobalRegion });
    }
  });
  it('places a region the table does not name yet by the partition pattern, like the SDK', () => {
    for (const region of ['us-east-99', 'cn-south-7', 'us-gov-north-2', 'eusc-de-north-3', 'us-iso-south-4']) {
      expect(findPartition(region)?.name, region).toBe(sdkPartition(region).name);
    }
    expect(findPartition('moon-central-9')).toBeUndefined();
    expect(partitionOfRegion('moon-central-9').name).toBe('aws');
  });
  it('gives the partition, DNS suffix and global region that ARNs, URLs and IAM/STS use', () => {
    expect([partitionOf('eu-west-1'), s3DnsSuffix('eu-west-1'), globalRegion('eu-west-1')]).toEqual(['aws', 'amazonaws.com', 'us-east-1']);
    expect([partitionOf('cn-northwest-1'), s3DnsSuffix('cn-northwest-1'), globalRegion('cn-northwest-1')]).toEqual(['aws-cn', 'amazonaws.com.cn', 'cn-northwest-1']);
    expect([partitionOf('us-gov-east-1'), s3DnsSuffix('us-gov-east-1'), globalRegion('us-gov-east-1')]).toEqual(['aws-us-gov', 'amazonaws.com', 'us-gov-west-1']);
    expect([partitionOf('eusc-de-east-1'), s3DnsSuffix('eusc-de-east-1'), globalRegion('eusc-de-east-1')]).toEqual(['aws-eusc', 'amazonaws.eu', 'eusc-de-east-1']);
    expect(globalRegion(undefined)).toBe('us-east-1');
    expect(bucketArn('b-1', 'us-iso-east-1')).toBe('arn:aws-iso:s3:::b-1');
    expect(composedVideoUrl('b-1', 'us-isob-east-1')).toBe('https://b-1.s3.us-isob-east-1.sc2s.sgov.gov/');
  });
});
