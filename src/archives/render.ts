// How `ib-archive archives` shows archives: the table a person scans, and the JSON entries of CONTRACT.
import type { Output } from '../io/output.js';
import type { ArchiveRow } from './inventory.js';
import { formatBytes } from './rescue.js';

/** `1 archive`, `2 archives`. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** `2026-12-01 08:12 UTC` */
export function formatCreated(ms: number): string {
  return ms ? `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC` : '-';
}

/** `1:02:03`, `4:05` */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

/** The "where" cell: s3, opentok (n h left), lost, failed (reason), recording. */
export function whereOf(r: ArchiveRow): string {
  if (r.location === 'opentok') return `opentok (${r.hoursLeft ?? 0} h left)`;
  if (r.location === 'failed') return r.reason ? `failed (${r.reason})` : 'failed';
  return r.location;
}

/** One line per archive, columns padded to their widest cell. */
export function printArchiveTable(out: Output, rows: ArchiveRow[]): void {
  const header = ['ID', 'NAME', 'CREATED', 'DURATION', 'SIZE', 'STATUS', 'WHERE'];
  const cells = rows.map((r) => [r.id, r.name || '-', formatCreated(r.createdAt), formatDuration(r.duration), formatBytes(r.size), r.status, whereOf(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]!))).join('  ');
  const tint: Partial<Record<ArchiveRow['location'], (t: string) => string>> = { opentok: out.c.yellow, lost: out.c.yellow, failed: out.c.red };
  out.result(out.c.bold(line(header)));
  rows.forEach((r, i) => {
    const c = cells[i]!;
    out.result(line([...c.slice(0, -1), (tint[r.location] ?? String)(c.at(-1)!)]));
  });
}

/** An archive as `--json` lists it. */
export function archiveJson(r: ArchiveRow): Record<string, unknown> {
  return {
    id: r.id,
    name: r.name,
    createdAt: r.createdAt ? new Date(r.createdAt).toISOString() : null,
    status: r.status,
    outputMode: r.outputMode,
    size: r.size,
    duration: r.duration,
    location: r.location,
    url: r.link ?? null,
    ...(r.location === 'opentok' ? { hoursLeft: r.hoursLeft ?? 0 } : {}),
    ...(r.location === 'failed' ? { reason: r.reason } : {}),
  };
}
