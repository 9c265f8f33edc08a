import { resolve as urlResolve } from 'node:url';
import { describe, expect, it } from 'vitest';
import { composedVideoUrl, composedVideoUrlProblem } from '../../src/s3url.js';

describe('composedVideoUrl', () => {
  it('is virtual-hosted in the bucket region and ends with a slash', () => {
    expect(composedVideoUrl('ib-archive-1', 'eu-west-1')).toBe('https://ib-archive-1.s3.eu-west-1.amazonaws.com/');
    expect(composedVideoUrl('ib-archive-1', 'us-east-1')).toBe('https://ib-archive-1.s3.us-east-1.amazonaws.com/');
  });
  it('is path-style when the name has dots (TLS)', () => {
    expect(composedVideoUrl('my.bucket', 'ap-south-1')).toBe('https://s3.ap-south-1.amazonaws.com/my.bucket/');
  });
  it('uses the China partition domain', () => {
    expect(composedVideoUrl('b-1', 'cn-north-1')).toBe('https://b-1.s3.cn-north-1.amazonaws.com.cn/');
  });
  it('is <endpoint>/<bucket>/ for a custom endpoint', () => {
    expect(composedVideoUrl('b-1', 'eu-west-1', 'http://127.0.0.1:9000/')).toBe('http://127.0.0.1:9000/b-1/');
  });
  it('joins with url.resolve the way the app does', () => {
    for (const [bucket, region] of [['b-1', 'us-east-1'], ['my.bucket', 'eu-west-1']] as const) {
      const link = urlResolve(composedVideoUrl(bucket, region), '46000000/abc/archive.mp4');
      expect(link).toContain(bucket);
      expect(link.endsWith('/46000000/abc/archive.mp4')).toBe(true);
    }
  });
});

describe('composedVideoUrlProblem', () => {
  it('accepts every form that reaches the bucket', () => {
    expect(composedVideoUrlProblem('https://b-1.s3.eu-west-1.amazonaws.com/', 'b-1', 'eu-west-1')).toBeUndefined();
    expect(composedVideoUrlProblem('https://s3.eu-west-1.amazonaws.com/b-1/', 'b-1', 'eu-west-1')).toBeUndefined();
    expect(composedVideoUrlProblem('https://s3.amazonaws.com/b-1/', 'b-1', 'us-east-1')).toBeUndefined();
  });
  it('names the missing trailing slash', () => {
    expect(composedVideoUrlProblem('https://s3.amazonaws.com/b-1', 'b-1', 'us-east-1')).toMatch(/does not end with "\/"/);
  });
  it('names the wrong region and the wrong bucket', () => {
    expect(composedVideoUrlProblem('https://s3.amazonaws.com/b-1/', 'b-1', 'eu-west-1')).toMatch(/in its region eu-west-1/);
    expect(composedVideoUrlProblem('https://other.s3.eu-west-1.amazonaws.com/', 'b-1', 'eu-west-1')).toMatch(/does not point at bucket b-1/);
  });
});
