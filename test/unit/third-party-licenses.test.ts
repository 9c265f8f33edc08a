// The published tarball names every package whose code is in the bundle, with its licence text (we redistribute it).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const META = join(ROOT, '.build', 'esbuild-meta.json');
const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

let dir: string;
let packed: string;

beforeAll(() => {
  if (!existsSync(META)) throw new Error('.build/esbuild-meta.json is missing: run `npm run build`.');
  dir = mkdtempSync(join(tmpdir(), 'ib-archive-pack-'));
  // The build already ran (npm test builds first): pack what it made, as `npm publish` would.
  const [info] = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' })) as { filename: string }[];
  execFileSync('tar', ['-xzf', join(dir, info!.filename), '-C', dir]);
  packed = join(dir, 'package');
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The bundled packages per the build's metafile: folder, name, version, declared licence. */
function bundled(): { dir: string; name: string; version: string; license: string }[] {
  const meta = JSON.parse(readFileSync(META, 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  const dirs = new Set(Object.values(meta.outputs).flatMap((o) => Object.keys(o.inputs).map((i) => i.match(/^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//)?.[1]).filter((d): d is string => !!d)));
  return [...dirs].map((d) => {
    const pkg = JSON.parse(readFileSync(join(ROOT, d, 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
    return { dir: d, name: pkg.name, version: pkg.version, license: pkg.license ?? '' };
  });
}

describe('THIRD-PARTY-LICENSES.md in the npm tarball', () => {
  it('ships in dist/ next to the bundle that the metafile describes', () => {
    const meta = JSON.parse(readFileSync(META, 'utf8')) as { outputs: Record<string, unknown> };
    for (const file of Object.keys(meta.outputs).filter((f) => f.endsWith('.js') || f.endsWith('.cjs'))) expect(existsSync(join(packed, file)), file).toBe(true);
    expect(existsSync(join(packed, 'dist', 'THIRD-PARTY-LICENSES.md'))).toBe(true);
  });

  it('names every bundled package with its version and the text of its own licence files', () => {
    const doc = readFileSync(join(packed, 'dist', 'THIRD-PARTY-LICENSES.md'), 'utf8');
    const sections = doc.split(/\n(?=## )/).slice(1);
    const packages = bundled();
    expect(packages.length).toBeGreaterThan(50);
    expect(packages.map((p) => p.name)).toEqual(expect.arrayContaining(['@aws-sdk/client-s3', 'commander', 'chalk', 'ora', 'heroku-client', 'opentok', '@inquirer/core']));
    for (const p of packages) {
      const section = sections.find((s) => s.includes(`\n- ${p.name}@${p.version} (`));
      expect(section, `${p.name}@${p.version} is named`).toBeDefined();
      const files = readdirSync(join(ROOT, p.dir)).filter((f) => /^(licen[cs]e|copying|notice)/i.test(f));
      for (const f of files) expect(squash(section!), `${p.name}: ${f}`).toContain(squash(readFileSync(join(ROOT, p.dir, f), 'utf8')));
      if (files.length === 0) {
        expect(section!.split('\n')[0], `${p.name} ships no licence file: the section is its licence`).toContain(p.license);
        expect(section!.length, `${p.name}: the standard text of ${p.license}`).toBeGreaterThan(500);
      }
    }
  });
});
