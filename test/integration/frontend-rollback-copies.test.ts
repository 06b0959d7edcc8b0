import { beforeAll, describe, expect, it } from '@jest/globals';
import { deployFrontend } from '../../src/frontend/deploy.js';
import { rollbackFrontend } from '../../src/frontend/rollback.js';
import { useLabAws } from '../lab/shared.js';
import { getText, makeTarget, run, writeBuild, type Target } from './frontend-helpers.js';

describe('which files get a rollback copy: the same rule in deploy and rollback (isImmutable)', () => {
  let t: Target;
  beforeAll(async () => {
    useLabAws();
    t = await makeTarget('fe-copies');
  });

  it('a file whose Cache-Control only mentions "immutable" in another directive is restored by rollback', async () => {
    const deploy = (n: number) =>
      run(deployFrontend, {
        'source-dir': writeBuild({ 'index.html': `<p>${n}</p>`, 'sw.js': `self.v = ${n}` }),
        bucket: t.bucket,
        'cache-rules': 'sw.js: public, max-age=60, x-immutable-after-install',
        invalidate: false,
      });
    expect((await deploy(1)).code).toBe(0);
    expect((await deploy(2)).code).toBe(0);
    const r = await run(rollbackFrontend, { bucket: t.bucket, invalidate: false });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(await getText(t.bucket, 'sw.js')).toBe('self.v = 1');
    expect(await getText(t.bucket, 'index.html')).toBe('<p>1</p>');
  });
});
