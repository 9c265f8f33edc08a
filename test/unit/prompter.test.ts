import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { inquirerPrompter, noPrompter, type SearchQuestion, searchChoices } from '../../src/io/prompter.js';

const APPS: SearchQuestion = {
  message: 'Heroku app',
  choices: ['aaa-first-app', 'ib-demo', 'ib-demo-staging', 'my-ib', 'Shop-IB'].map((a) => ({ name: a, value: a })),
  default: 'my-ib',
  validate: (v) => (/^[a-z][a-z0-9-]{1,29}$/.test(v) ? true : `"${v}" is not a Heroku app name (lowercase letters, digits and dashes).`),
};
const values = (term: string | undefined, q = APPS) => searchChoices(q, term).map((c) => c.value);

describe('searchChoices', () => {
  it('lists every choice, the default first, before anything is typed', () => {
    expect(values(undefined)).toEqual(['my-ib', 'aaa-first-app', 'ib-demo', 'ib-demo-staging', 'Shop-IB']);
    expect(values('   ')).toEqual(values(undefined));
  });

  it('keeps the choices containing the term, case-insensitively: exact, then prefix, then the rest', () => {
    expect(values('ib-demo')).toEqual(['ib-demo', 'ib-demo-staging']);
    expect(values('IB')).toEqual(['ib-demo', 'ib-demo-staging', 'my-ib', 'Shop-IB', 'IB']);
    expect(searchChoices(APPS, 'IB').at(-1)?.disabled).toContain('not a Heroku app name');
    expect(values('demo')).toEqual(['ib-demo', 'ib-demo-staging', 'demo']);
  });

  it('offers a typed value that validate accepts, after the matches', () => {
    const list = searchChoices(APPS, 'new-app');
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ value: 'new-app', name: 'new-app' });
    expect(list[0]!.disabled).toBeUndefined();
  });

  it('shows why a typed value cannot be used instead of offering it', () => {
    const list = searchChoices(APPS, 'Not An App');
    expect(list).toEqual([{ name: 'Not An App', value: 'Not An App', disabled: '"Not An App" is not a Heroku app name (lowercase letters, digits and dashes).' }]);
  });

  it('does not repeat a typed value that is a choice already, and takes any value without validate', () => {
    expect(values('my-ib')).toEqual(['my-ib']);
    expect(values('Anything Goes', { ...APPS, validate: undefined })).toEqual(['Anything Goes']);
  });
});

/** Types keys into a prompt once its question shows on the output. */
async function answer(run: (io: { input: PassThrough; output: PassThrough }) => Promise<string>, keys: string[]): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let screen = '';
  output.on('data', (d: Buffer) => (screen += d.toString()));
  const result = run({ input, output });
  for (let i = 0; !screen.includes('Heroku app') && i < 200; i++) await new Promise((r) => setTimeout(r, 10));
  for (const k of keys) {
    input.write(k);
    await new Promise((r) => setTimeout(r, 30));
  }
  return result;
}

describe('inquirerPrompter.search', () => {
  it('returns the match the user filtered to, or the valid value typed', async () => {
    const picked = await answer(({ input, output }) => inquirerPrompter({ input, output }).search(APPS), ['staging', '\r']);
    expect(picked).toBe('ib-demo-staging');
    const typed = await answer(({ input, output }) => inquirerPrompter({ input, output }).search(APPS), ['brand-new', '\r']);
    expect(typed).toBe('brand-new');
  });

  it('is refused by the non-interactive prompter', async () => {
    await expect(noPrompter.search(APPS)).rejects.toThrow('no prompt in a non-interactive run');
  });
});
