import { describe, expect, it } from '@jest/globals';
import { InputError } from '../core/errors.js';
import { inputsFrom } from '../core/inputs.js';
import { TerminalReporter } from '../core/reporter-terminal.js';
import { parseBackendDeployInputs as parseDeployInputs } from './deploy-inputs.js';

const D = 'sha256:' + 'b'.repeat(64);
const base = { 'service-name': 'shisha-api', image: `public.ecr.aws/x/api@${D}` };

function capture() {
  const text: string[] = [];
  const stream = { write: (s: string) => text.push(s) };
  return { reporter: new TerminalReporter(stream, stream, false), text: () => text.join('') };
}

function parse(values: Record<string, string>) {
  const { reporter, text } = capture();
  return { inputs: parseDeployInputs(inputsFrom({ ...base, ...values }), reporter), reporter, text };
}

function inputError(values: Record<string, string>): InputError {
  try {
    parse(values);
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('parseDeployInputs', () => {
  it('applies the defaults', () => {
    const { inputs, text } = parse({});
    expect(inputs).toMatchObject({
      serviceName: 'shisha-api',
      containerName: 'api',
      containerPort: 8080,
      healthCheckPath: '/health',
      healthCheckSuccessCodes: '200-299',
      timeoutMinutes: 15,
    });
    expect(inputs.environment).toBeUndefined();
    expect(inputs.region).toBeUndefined();
    expect(text()).toBe('');
  });

  it('parses the environment and registers every value as a secret', () => {
    const { inputs, reporter } = parse({
      environment: 'DATABASE_URL=postgres://u:p4ss@h/db\nJWT_SECRET=s3cr3t=x\n# comment\n',
    });
    expect(inputs.environment).toEqual(
      new Map([
        ['DATABASE_URL', 'postgres://u:p4ss@h/db'],
        ['JWT_SECRET', 's3cr3t=x'],
      ]),
    );
    expect(reporter.redact('jwt s3cr3t=x here')).toBe('jwt *** here');
  });

  it('warns about a mutable tag', () => {
    expect(parse({ image: 'public.ecr.aws/x/api:latest' }).text()).toMatch(/warning: image .*'latest'/);
  });

  it.each([
    [{ 'service-name': '' }, "Input 'service-name': is required"],
    [{ 'service-name': 'Shisha_API' }, "Input 'service-name': expected lowercase"],
    [{ image: 'public.ecr.aws/x/API' }, "Input 'image':"],
    [{ 'container-name': '-api' }, "Input 'container-name':"],
    [{ 'container-port': '0' }, "Input 'container-port': expected a whole number from 1 to 65535"],
    [{ 'container-port': '70000' }, "Input 'container-port'"],
    [{ 'container-port': 'http' }, "Input 'container-port'"],
    [{ 'health-check-path': 'health' }, "Input 'health-check-path': expected a path starting with '/'"],
    [{ environment: '1BAD=x' }, "Input 'environment': line 1: key '1BAD'"],
    [{ environment: 'NOEQUALS' }, "Input 'environment': line 1: expected KEY=VALUE"],
    [{ 'timeout-minutes': '0' }, "Input 'timeout-minutes': expected a number of minutes greater than 0"],
    [{ 'timeout-minutes': '500' }, "Input 'timeout-minutes'"],
    [{ 'timeout-minutes': 'soon' }, "Input 'timeout-minutes'"],
    [{ region: 'Tokyo' }, "Input 'region': expected an AWS region name such as ap-northeast-1, got 'Tokyo'"],
    [{ region: 'ap-northeast' }, "Input 'region'"],
    [
      { 'health-check-success-codes': '200-599' },
      "Input 'health-check-success-codes': expected HTTP codes from 200 to 499",
    ],
    [{ 'health-check-success-codes': '2xx' }, "Input 'health-check-success-codes'"],
    [{ 'health-check-success-codes': '199' }, "Input 'health-check-success-codes'"],
  ])('rejects %j', (values, message) => {
    expect(inputError(values).message).toContain(message);
  });

  it('never quotes an environment value in an error', () => {
    const err = inputError({ environment: 'GOOD=topsecretvalue\nBAD KEY=othersecret' });
    expect(err.message).not.toContain('topsecretvalue');
    expect(err.message).not.toContain('othersecret');
  });

  it('refuses an empty value (a missing secret in the workflow), naming the key and no value', () => {
    // deploy.yml writes `DATABASE_URL=${{ secrets.API_DATABASE_URL }}`: an unset secret becomes `DATABASE_URL=`.
    const err = inputError({
      environment: 'NODE_ENV=production\nDATABASE_URL=\nJWT_SECRET=topsecretvalue\nSUPABASE_JWT_SECRET=  ',
    });
    expect(err.message).toBe(
      "Input 'environment': DATABASE_URL, SUPABASE_JWT_SECRET have an empty value (a secret that is not set or not visible to this job's environment?); nothing was deployed",
    );
    expect(inputError({ environment: 'DATABASE_URL=' }).message).toContain('DATABASE_URL has an empty value');
  });

  it('takes the region and the success codes when given', () => {
    expect(parse({ region: 'ap-northeast-1', 'health-check-success-codes': '200,202-204' }).inputs).toMatchObject({
      region: 'ap-northeast-1',
      healthCheckSuccessCodes: '200,202-204',
    });
    expect(parse({ region: 'us-gov-west-1' }).inputs.region).toBe('us-gov-west-1');
  });

  it('accepts fractional timeouts', () => {
    expect(parse({ 'timeout-minutes': '0.5' }).inputs.timeoutMinutes).toBe(0.5);
  });
});
