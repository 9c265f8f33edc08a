// The service clients of one command, built from its inputs: AWS (operator's credentials), Heroku, OpenTok.
import type { Deps } from './context.js';
import type { CommonInputs } from './inputs/resolve.js';
import { type AwsClients, createAwsClients } from './services/aws.js';
import { type HerokuApi, createHerokuApi } from './services/heroku.js';
import { type OpenTokApi, createOpenTokApi } from './services/opentok.js';

export interface Clients {
  aws: AwsClients;
  /** With a Heroku app; undefined with --no-heroku. */
  heroku?: HerokuApi;
  /** With the API secret; undefined without. */
  opentok?: OpenTokApi;
}

export function createClients(
  deps: Pick<Deps, 'out' | 'sleep' | 'requestTimeoutMs'>,
  inputs: Pick<CommonInputs, 'apiKey' | 'apiSecret' | 'heroku' | 'region' | 'profile' | 'credentials' | 'endpoints'>,
): Clients {
  const options = { sleep: deps.sleep, onRequest: (line: string) => deps.out.debug(line), requestTimeoutMs: deps.requestTimeoutMs };
  return {
    aws: createAwsClients({ region: inputs.region, profile: inputs.profile, credentials: inputs.credentials, endpoints: inputs.endpoints, ...options }),
    heroku: inputs.heroku ? createHerokuApi(inputs.heroku.token, inputs.endpoints.heroku, options) : undefined,
    opentok: inputs.apiSecret ? createOpenTokApi(inputs.apiKey, inputs.apiSecret, inputs.endpoints.opentok, options) : undefined,
  };
}

/** Every secret a command may come across, registered before anything is printed. */
export function registerSecrets(deps: Pick<Deps, 'out' | 'env'>, ...values: (string | undefined)[]): void {
  for (const name of ['AWS_SECRET_ACCESS_KEY', 'HEROKU_API_KEY', 'OPENTOK_API_SECRET', 'AWS_SESSION_TOKEN']) deps.out.addSecret(deps.env[name]);
  for (const v of values) deps.out.addSecret(v);
}
