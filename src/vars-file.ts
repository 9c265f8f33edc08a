// The vars file (--vars-file): KEY=VALUE lines, read by doctor, written by setup with mode 0600, atomically.
import { access, chmod, open, readFile, rename } from 'node:fs/promises';
import { constants } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from './errors.js';

const FIX = 'Pass the path of a file with --vars-file <path> (a missing file is created, with mode 0600). Nothing was changed.';
const NAME = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/;

/** Parses KEY=VALUE lines (optional `export`, quotes removed). */
export function parseVarsFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = line.match(NAME);
    if (!m) continue;
    let value = m[2]!;
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    vars[m[1]!] = value;
  }
  return vars;
}

/** The vars in the file, or undefined when it does not exist. */
export async function readVarsFile(path: string): Promise<Record<string, string> | undefined> {
  try {
    return parseVarsFile(await readFile(path, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EISDIR') throw new InputError(`--vars-file ${path} is a directory; name a file.`, 'invalid_vars_file', [], FIX);
    throw new InputError(`Cannot read --vars-file ${path}: ${(err as Error).message}`, 'invalid_vars_file', [], FIX);
  }
}

/** Fails with an input error, before anything changes, when the file could not be written later. */
export async function assertVarsFileWritable(path: string): Promise<void> {
  const dir = dirname(resolve(path));
  try {
    await access(dir, constants.W_OK);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'is not writable';
    throw new InputError(`--vars-file ${path}: the folder ${dir} ${why}.`, 'invalid_vars_file', [], 'Pass a path in an existing folder you can write to. Nothing was changed.');
  }
}

/** Sets the vars in the file (`null` removes one; mode 0600), keeping its other lines; replaced atomically. */
export async function writeVarsFile(path: string, vars: Record<string, string | null>): Promise<void> {
  let lines: string[] = [];
  try {
    lines = (await readFile(path, 'utf8')).split(/\r?\n/);
    if (lines[lines.length - 1] === '') lines.pop();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const pending = new Map(Object.entries(vars));
  const out = lines.flatMap((line) => {
    const name = line.match(NAME)?.[1];
    if (!name || !pending.has(name)) return [line];
    const value = pending.get(name);
    pending.delete(name);
    return value === null ? [] : [`${name}=${value}`];
  });
  for (const [name, value] of pending) if (value !== null) out.push(`${name}=${value}`);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const handle = await open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(out.join('\n') + '\n');
  } finally {
    await handle.close();
  }
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}
