// THIRD-PARTY-LICENSES.md for dist/: every npm package whose files esbuild put into the bundle (from the build's
// metafile), with its licence text: the package's own LICENSE/LICENCE/COPYING/NOTICE files, or, for a package that
// ships none, the standard text of its SPDX licence (spdx-license-list). Packages with the same text share one section.
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const spdx = createRequire(import.meta.url)('spdx-license-list/full');
const LICENCE_FILE = /^(licen[cs]e|copying|notice)([-._].*)?$/i;

/** Package folders (node_modules/…/name) that have files in the metafile's outputs. */
export function bundledPackageDirs(metafile) {
  const dirs = new Set();
  for (const output of Object.values(metafile.outputs)) {
    for (const input of Object.keys(output.inputs)) {
      const m = input.match(/^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//);
      if (m) dirs.add(m[1]);
    }
  }
  return [...dirs].sort();
}

/** The SPDX ids of a package.json licence expression ("(MIT OR Apache-2.0)" → MIT, Apache-2.0). */
function spdxIds(expression) {
  return (expression.match(/[A-Za-z0-9.+-]+/g) ?? []).filter((t) => !['AND', 'OR', 'WITH'].includes(t));
}

/** A licence text with Unix line ends and no blank lines around it (indentation kept). */
const tidy = (text) => text.replace(/\r\n?/g, '\n').replace(/^(\s*\n)+/, '').trimEnd();

/** Name, version, licence id and licence text of the package in `dir` (relative to `root`). */
async function describePackage(root, dir) {
  const pkg = JSON.parse(await readFile(join(root, dir, 'package.json'), 'utf8'));
  const license = typeof pkg.license === 'string' ? pkg.license : (pkg.licenses ?? []).map((l) => l.type).join(' OR ') || 'UNKNOWN';
  const files = (await readdir(join(root, dir))).filter((f) => LICENCE_FILE.test(f)).sort();
  const own = await Promise.all(files.map(async (f) => tidy(await readFile(join(root, dir, f), 'utf8'))));
  let text = own.join('\n\n');
  if (!text) {
    const known = spdxIds(license).filter((id) => spdx[id]);
    if (!known.length) throw new Error(`${dir}: no licence file and no known SPDX licence ("${license}"): cannot redistribute it blindly`);
    text = known.map((id) => tidy(spdx[id].licenseText)).join('\n\n');
  }
  return { name: pkg.name, version: pkg.version, license, text };
}

const fence = (text) => '`'.repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));

/** The Markdown document for the packages bundled per `metafile`, read from `root`. */
export async function thirdPartyLicenses(root, metafile, self) {
  const packages = await Promise.all(bundledPackageDirs(metafile).map((dir) => describePackage(root, dir)));
  const groups = new Map();
  for (const p of packages.sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version))) {
    // Texts that differ only in white space (line wrapping, indentation) are one licence.
    const key = p.text.replace(/\s+/g, ' ');
    const group = groups.get(key) ?? [];
    group.push(p);
    groups.set(key, group);
  }
  const lines = [
    `# Third-party software in ${self.name} ${self.version}`,
    '',
    `${self.name}'s bundle (dist/) contains code of the ${packages.length} npm packages below. Their licences follow;`,
    'packages under the same text share one section.',
  ];
  for (const group of groups.values()) {
    lines.push('', `## ${[...new Set(group.map((p) => p.license))].join(', ')}`, '');
    for (const p of group) lines.push(`- ${p.name}@${p.version} (${p.license})`);
    const text = group[0].text;
    const f = fence(text);
    lines.push('', f, text, f);
  }
  return `${lines.join('\n')}\n`;
}
