// inspectBucket finds a bucket's real region also when the HEAD answer carries no x-amz-bucket-region header.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../src/services/aws.js';
import { inspectBucket } from '../../src/bucket.js';

let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
});

/** An S3 endpoint whose bucket lives in eu-west-1 and whose wrong-region HEAD answers 400 with no region header. */
async function s3WithoutRegionHeader(seen: string[]): Promise<string> {
  server = createServer((req, res) => {
    const signedRegion = /Credential=[^/]+\/\d+\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];
    seen.push(`${req.method} ${req.url} ${signedRegion}`);
    if (req.method === 'GET' && req.url?.includes('location')) {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-1</LocationConstraint>');
      return;
    }
    res.writeHead(signedRegion === 'eu-west-1' ? 200 : 400);
    res.end();
  }).listen(0, '127.0.0.1');
  await new Promise((r) => server!.once('listening', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('inspectBucket', () => {
  it('asks GetBucketLocation when a wrong-region HEAD names no region', async () => {
    const seen: string[] = [];
    const endpoint = await s3WithoutRegionHeader(seen);
    const aws = createAwsClients({ credentials: { accessKeyId: 'AKIAEXAMPLE000000000', secretAccessKey: 'x'.repeat(40) }, endpoints: { s3: endpoint } });
    const state = await inspectBucket(aws, 'my-bucket', 'ap-south-1');
    expect(state).toEqual({ exists: true, region: 'eu-west-1' });
    expect(seen[0]).toMatch(/^HEAD \/my-bucket\/? ap-south-1$/);
    expect(seen.some((s) => /^GET \/my-bucket\/?\?location/.test(s))).toBe(true);
  });
});
