// `ib-archive doctor`: every check at once against the app's config vars, one line each, exit 1 when one fails.
import type { Deps } from '../context.js';
import { createClients, registerSecrets } from '../clients.js';
import type { CommandFlags } from '../inputs/flags.js';
import { resolveDoctorInputs } from '../inputs/doctor.js';
import { identityCheck } from '../checks/aws.js';
import { DoctorFacts } from '../checks/facts.js';
import { herokuAppCheck, herokuVarsCheck } from '../checks/heroku.js';
import { appKeyCheck } from '../checks/storage-key.js';
import { opentokCredentialsCheck, opentokStorageCheck } from '../checks/opentok.js';
import { Probe } from '../checks/probe.js';
import { CHECK_IDS, type CheckId, type CheckResult, renderResult, renderSummary, runChecks } from '../checks/runner.js';
import { archivesCheck } from '../checks/archives.js';
import { bucketCheck, corsCheck, folderCheck, lifecycleCheck, notListableCheck } from '../checks/s3.js';
import { publicReadCheck, uploadCheck } from '../checks/s3-probe.js';

/** Runs every check concurrently and reports them; returns 0 (clean or warnings) or 1 (a check failed). */
export async function doctor(flags: CommandFlags, deps: Deps): Promise<number> {
  const { out } = deps;
  const started = deps.now();
  registerSecrets(deps, flags.apiSecret);
  const inputs = await resolveDoctorInputs(flags, deps);
  registerSecrets(deps, inputs.token, inputs.localVars?.AWS_SECRET_ACCESS_KEY);
  // Warm the S3 SDK while Heroku and STS answer the first requests.
  import('@aws-sdk/client-s3').catch(() => undefined);
  const { aws, heroku, opentok } = createClients(deps, {
    ...inputs,
    heroku: inputs.app && inputs.token ? { app: inputs.app, token: inputs.token } : undefined,
  });
  const facts = new DoctorFacts(inputs, {
    aws,
    heroku,
    opentok,
    fetch: (url, init) => fetch(url, init),
    now: deps.now,
    sleep: deps.sleep,
    addSecret: (v) => out.addSecret(v),
    debug: (line) => out.debug(line),
  });
  const probe = new Probe(facts);
  const cleanup = async () => void (await probe.cleanup());
  deps.onInterrupt.add(cleanup);

  // opentok.archives names the failure of another check as the cause of uploads that fell back to OpenTok.
  const resultById = new Map<CheckId, Promise<CheckResult>>();
  const checks = [
    identityCheck(facts),
    bucketCheck(facts),
    corsCheck(facts),
    folderCheck(facts),
    uploadCheck(facts, probe),
    publicReadCheck(facts, probe),
    notListableCheck(facts),
    lifecycleCheck(facts),
    appKeyCheck(facts),
    herokuAppCheck(facts),
    herokuVarsCheck(facts),
    opentokCredentialsCheck(facts, opentok),
    opentokStorageCheck(facts, opentok),
    archivesCheck(facts, opentok, (id) => resultById.get(id)),
  ].sort((a, b) => CHECK_IDS.indexOf(a.id) - CHECK_IDS.indexOf(b.id));
  void probe.cleanup();
  const pending = runChecks(checks, inputs.timeoutMs);
  checks.forEach((check, i) => resultById.set(check.id, pending[i]!));

  if (!out.json) {
    const source = inputs.app ? `Heroku app ${inputs.app}` : `the values in ${inputs.varsFile ?? 'the environment'} (--no-heroku)`;
    out.result(out.c.bold(`ib-archive doctor: OpenTok project ${inputs.apiKey}, ${source}`));
    for (const p of pending) renderResult(out, await p);
  }
  const results: CheckResult[] = await Promise.all(pending);
  await Promise.race([probe.cleanup(), deps.sleep(inputs.timeoutMs)]);
  deps.onInterrupt.delete(cleanup);

  const ok = !results.some((r) => r.status === 'fail');
  if (out.json) {
    out.jsonDocument({ command: 'doctor', ok, checks: results.map((r) => ({ id: r.id, status: r.status, detail: r.detail, fix: r.fix ?? null })) });
  } else {
    renderSummary(out, results, deps.now() - started);
  }
  return ok ? 0 : 1;
}
