import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../src/standins/api.js';
import { evaluateIdentity, evaluateResource, isPublicStatement, validateIdentityPolicy, wildcardMatch } from '../../src/standins/policy.js';
import { decodeAwsChunked } from '../../src/standins/s3-body.js';
import { matchRoute, operationName } from '../../src/standins/s3-routes.js';
import type { StandInRequest } from '../../src/standins/serve.js';
import { parseAuthorization } from '../../src/standins/sigv4.js';
import { child, el, parseXml, xmlDocument, XmlParseError } from '../../src/standins/xml.js';

describe('xml', () => {
  it('escapes text and attributes and round-trips through the parser', () => {
    const doc = xmlDocument(el('Root', { xmlns: 'urn:"x"' }, el('A', 'a < b & c > "d"'), el('Empty'), undefined, el('N', 3)));
    expect(doc).toContain('<A>a &lt; b &amp; c &gt; "d"</A><Empty/>');
    expect(doc).toContain('xmlns="urn:&quot;x&quot;"');
    const root = parseXml(doc);
    expect(root.attrs.xmlns).toBe('urn:"x"');
    expect(child(root, 'A')?.text).toBe('a < b & c > "d"');
    expect(child(root, 'N')?.text).toBe('3');
  });

  it('drops namespace prefixes, reads CDATA and character references', () => {
    const root = parseXml('<?xml version="1.0"?><!-- c --><s3:X xmlns:s3="u"><s3:Y><![CDATA[<raw>]]>&#65;&#x42;</s3:Y></s3:X>');
    expect(root.name).toBe('X');
    expect(child(root, 'Y')?.text).toBe('<raw>AB');
  });

  it.each(['<A>', '<A></B>', '<A>x</A><B/>', '<A b=c/>', '<A>&bogus;</A>', 'text', '<!DOCTYPE x><A/>'])('rejects %s', (bad) => {
    expect(() => parseXml(bad)).toThrow(XmlParseError);
  });
});

describe('policy evaluation', () => {
  const doc = (Statement: PolicyDocument['Statement']): PolicyDocument => ({ Version: '2012-10-17', Statement });

  it('matches `*` and `?` wildcards, actions case-insensitively', () => {
    expect(wildcardMatch('arn:aws:s3:::b/1234/*', 'arn:aws:s3:::b/1234/x/archive.mp4')).toBe(true);
    expect(wildcardMatch('arn:aws:s3:::b/1234/*', 'arn:aws:s3:::b/12345/x')).toBe(false);
    expect(wildcardMatch('s3:Get*', 's3:getobject', true)).toBe(true);
    expect(wildcardMatch('a?c', 'abc')).toBe(true);
    expect(wildcardMatch('a*b*c', 'axxbyyc')).toBe(true);
    expect(wildcardMatch('a*b*c', 'axxbyy')).toBe(false);
  });

  it('allows by Action/Resource, lets an explicit Deny win, and honours NotAction', () => {
    const p = doc([
      { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' },
      { Effect: 'Deny', Action: ['s3:DeleteObject'], Resource: '*' },
    ]);
    expect(evaluateIdentity([p], 's3:PutObject', 'arn:aws:s3:::b/k')).toBe('allow');
    expect(evaluateIdentity([p], 's3:DeleteObject', 'arn:aws:s3:::b/k')).toBe('deny');
    expect(evaluateIdentity([p], 's3:ListBucket', 'arn:aws:s3:::b')).toBe('none');
    const not = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }] } as unknown as PolicyDocument;
    expect(evaluateIdentity([not], 's3:GetObject', 'arn:aws:s3:::b/k')).toBe('allow');
    expect(evaluateIdentity([not], 'iam:CreateUser', '*')).toBe('none');
  });

  it('matches resource-policy principals: `*`, AWS `*`, a user ARN', () => {
    const arn = 'arn:aws:iam::111122223333:user/u';
    const user = { kind: 'user' as const, accountId: '111122223333', arn };
    const byArn = doc([{ Effect: 'Allow', Principal: { AWS: [arn] }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }]);
    expect(evaluateResource(byArn, user, 's3:GetObject', 'arn:aws:s3:::b/k')).toBe('allow');
    expect(evaluateResource(byArn, { kind: 'anonymous' }, 's3:GetObject', 'arn:aws:s3:::b/k')).toBe('none');
    const awsStar = doc([{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }]);
    expect(evaluateResource(awsStar, { kind: 'anonymous' }, 's3:GetObject', 'arn:aws:s3:::b/k')).toBe('allow');
  });

  it('treats a `*` Allow as public unless a condition pins the caller', () => {
    expect(isPublicStatement({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' })).toBe(true);
    expect(isPublicStatement({ Effect: 'Allow', Principal: { AWS: ['*'] }, Action: 's3:GetObject', Resource: '*' })).toBe(true);
    expect(isPublicStatement({ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: '*' })).toBe(false);
    expect(
      isPublicStatement({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }),
    ).toBe(false);
    expect(
      isPublicStatement({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } }),
    ).toBe(true);
  });

  it('validates identity policies like IAM', () => {
    expect(() => validateIdentityPolicy('{"Statement":[{"Effect":"Allow","Action":"GetObject","Resource":"*"}]}')).toThrow(
      'Actions/Conditions must be prefaced by a vendor',
    );
    expect(() => validateIdentityPolicy('{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"bucket/*"}]}')).toThrow(
      'Resource bucket/* must be in ARN format or "*".',
    );
    expect(validateIdentityPolicy('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}').Version).toBe('2012-10-17');
  });
});

describe('sigv4 parsing', () => {
  it('parses the Authorization header and reports malformed ones', () => {
    const parsed = parseAuthorization(
      'AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20300101/eu-west-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=' + 'a'.repeat(64),
    );
    expect(parsed).toEqual({
      accessKeyId: 'AKIAEXAMPLE',
      date: '20300101',
      region: 'eu-west-1',
      service: 's3',
      signedHeaders: ['host', 'x-amz-date'],
      signature: 'a'.repeat(64),
    });
    expect(parseAuthorization('AWS AKIA:sig')).toHaveProperty('error');
    expect(parseAuthorization('AWS4-HMAC-SHA256 Credential=AKIA/2030/r/s/aws4_request, SignedHeaders=host, Signature=' + 'a'.repeat(64))).toHaveProperty('error');
  });
});

describe('aws-chunked', () => {
  it('decodes chunks with signatures and trailers', () => {
    const trailers: Record<string, string> = {};
    const raw = Buffer.from('5;chunk-signature=abc\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n');
    expect(decodeAwsChunked(raw, trailers).body.toString()).toBe('hello world');
    expect(trailers).toEqual({ 'x-amz-checksum-crc32': 'DUoRhQ==' });
    expect(() => decodeAwsChunked(Buffer.from('ff\r\nshort\r\n'), {})).toThrow();
  });
});

describe('S3 routing', () => {
  const req = (method: string, path: string, query = '', headers: Record<string, string> = {}): StandInRequest => ({
    method,
    path,
    query: new URLSearchParams(query),
    headers,
    body: Buffer.alloc(0),
    host: '127.0.0.1',
  });
  const name = (r: StandInRequest) => operationName(r, matchRoute(r));

  it.each<[StandInRequest, string, boolean | undefined]>([
    [req('GET', '/', 'x-id=ListBuckets', { authorization: 'x' }), 'ListBuckets', false],
    [req('PUT', '/b/', '', { authorization: 'x' }), 'CreateBucket', true],
    [req('PUT', '/b/', 'cors=', { authorization: 'x' }), 'PutBucketCors', true],
    [req('DELETE', '/b', 'publicAccessBlock', { authorization: 'x' }), 'DeletePublicAccessBlock', true],
    [req('GET', '/b', 'list-type=2&prefix=a', { authorization: 'x' }), 'ListObjectsV2', false],
    [req('HEAD', '/b/k/x.mp4', '', { authorization: 'x' }), 'HeadObject', false],
    [req('PUT', '/b/k', 'acl', { authorization: 'x' }), 'PutObjectAcl', true],
    [req('GET', '/b/k', 'x-id=GetObject'), 'AnonymousGetObject', false],
    [req('OPTIONS', '/b/k'), 'PreflightOptions', false],
    [req('GET', '/b', 'versioning', { authorization: 'x' }), 'Unknown(GET bucket?versioning)', undefined],
    [req('PUT', '/b/k', '', { authorization: 'x', 'x-amz-copy-source': '/a/b' }), 'Unknown(PUT object)', undefined],
  ])('routes request %# to the right operation', (r, op, write) => {
    expect(name(r)).toBe(op);
    expect(matchRoute(r)?.write).toBe(write);
  });
});
