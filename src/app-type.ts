// Which IB generation runs on the app (CONTRACT "App types"): classic reads the four vars, ibs reads BUCKET_URL alone.
import type { AppType } from './inputs/resolve.js';
import type { VarMap } from './vars.js';

export interface AppTypeVerdict {
  type: AppType;
  /** Why, in words, for the output. */
  why: string;
}

const IBS_SIGNS = ['BUCKET_URL', 'JWT_SECRET'];
const CLASSIC_SIGNS = ['S3_COMPOSEDVIDEO_URL', 'AWS_ACCESS_KEY_ID', 'SECRET_KEY', 'BACKEND_URL'];

/** The flag wins; else the app's vars decide; with --no-heroku (no vars to read) it is classic. */
export function detectAppType(vars: VarMap | undefined, flag?: AppType): AppTypeVerdict {
  if (flag) return { type: flag, why: '--app-type' };
  if (!vars) return { type: 'classic', why: 'no app to read (use --app-type ibs for the IBS backend)' };
  const has = (names: string[]) => names.filter((n) => vars[n] !== undefined && vars[n] !== '');
  const ibs = has(IBS_SIGNS);
  const classic = has(CLASSIC_SIGNS);
  if (ibs.length > 0 && classic.length === 0) return { type: 'ibs', why: `it has ${ibs.join(' and ')} (the IBS backend, interactive-broadcast-api)` };
  if (classic.length > 0) return { type: 'classic', why: `it has ${classic.join(', ')} (interactive-broadcast-js)` };
  return { type: 'classic', why: 'no IBS backend vars (BUCKET_URL, JWT_SECRET) found' };
}
