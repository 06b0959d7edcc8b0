/**
 * Zero-downtime, seen by a real browser: Debian's Chromium (driven by playwright-core) against the local edge, in
 * front of the example SPA deployed by the real deploy code to moto_server and the example API behind the
 * Lightsail fake. A tab opened before a deploy still loads its lazy route's old chunk after it; `keep-releases`
 * deploys later that chunk is pruned.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { Edge } from '../lab/edge.js';
import { LightsailFake } from '../lab/lightsail-fake.js';
import { useLabAws } from '../lab/shared.js';
import { buildSpa, startExampleApi, type SpaBuild } from '../lab/spa.js';
import { listKeys, makeTarget, run, type Target } from './frontend-helpers.js';
import { FRONTEND_COMMANDS } from '../../src/frontend/commands.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const KEEP = 2;

describe('the example SPA in Chromium through the local edge', () => {
  let t: Target;
  let fake: LightsailFake;
  let api: Awaited<ReturnType<typeof startExampleApi>>;
  let edge: Edge;
  let context: BrowserContext;
  let userDataDir: string;
  const problems: string[] = [];
  const deploy = async (b: SpaBuild) => {
    const r = await run(FRONTEND_COMMANDS.deploy, {
      'source-dir': b.dir,
      bucket: t.bucket,
      'distribution-id': t.distributionId,
      'keep-releases': KEEP,
      'keep-days': 0,
    });
    expect(r.err).toBe('');
    return r;
  };
  const watch = (page: Page) => {
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install chromium), as .ci/run does`);
    useLabAws();
    t = await makeTarget('browser');
    api = await startExampleApi('browser-test');
    fake = new LightsailFake({ activationMs: 50 });
    await fake.start();
    const serviceUrl = await fake.createService('browser-api', {
      image: 'public.ecr.aws/shisha/api:1',
      upstream: api.url,
    });
    edge = new Edge({ bucket: t.bucket, apiOrigin: serviceUrl, distributionId: t.distributionId });
    await edge.start();
    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
  });
  afterAll(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await edge?.stop();
    await fake?.stop();
    await api?.stop();
  });

  it('keeps an open tab working across deploys, then prunes its old chunk after keep-releases deploys', async () => {
    const started = Date.now();
    const one = buildSpa('one');
    await deploy(one);

    // Load the SPA: the app renders and the sessions come from the API through /api/v1 on the same origin.
    const page = await context.newPage();
    watch(page);
    await page.goto(`${edge.url}/`);
    await page.getByRole('heading', { name: 'Shisha Log' }).waitFor();
    await page.getByRole('link', { name: 'Double Apple' }).waitFor();

    // Follow a deep link (client-side), then reload it: the edge answers the route with the SPA.
    await page.getByRole('link', { name: 'Double Apple' }).click();
    await page.getByText('Session 1').waitFor();
    expect(new URL(page.url()).pathname).toBe('/sessions/1');
    const reload = await page.reload();
    expect(reload?.status()).toBe(200);
    expect(reload?.headers()['content-type']).toBe('text/html; charset=utf-8');
    await page.getByText('Session 1').waitFor();

    // A new build whose lazy route changed goes live while this tab still runs the old index.html.
    const two = buildSpa('two');
    expect(two.flavorsChunk).not.toBe(one.flavorsChunk);
    await deploy(two);
    expect(await (await fetch(`${edge.url}/`)).text()).toContain(
      path.basename(two.assets.find((a) => /^index-.+\.js$/.test(a))!),
    );

    // In the old tab, navigate to the lazy route: the old chunk is still served and the page renders.
    const chunk = page.waitForResponse((r) => r.url().endsWith(one.flavorsChunk));
    await page.getByRole('link', { name: 'Flavors' }).click();
    expect((await chunk).status()).toBe(200);
    await page.getByText('build one').waitFor();
    expect(await page.locator('.error').count()).toBe(0);

    // keep-releases more deploys: the first release falls out of the window and its chunk is pruned.
    for (const label of ['three', 'four'].slice(0, KEEP)) await deploy(buildSpa(label));
    expect(await listKeys(t.bucket)).not.toContain(one.flavorsChunk);
    // CloudFront (and the edge's cache) may still hold a copy it served; behind it, the origin answers 404.
    const uncached = new Edge({ bucket: t.bucket });
    await uncached.start();
    try {
      expect((await page.request.get(`${uncached.url}/${one.flavorsChunk}`)).status()).toBe(404);
    } finally {
      await uncached.stop();
    }
    // A fresh load of the deep link gets the newest build, lazy route included.
    await page.goto(`${edge.url}/flavors`);
    await page.getByText('build four').waitFor();

    expect(problems.filter((p) => /Failed to fetch dynamically imported module/i.test(p))).toEqual([]);
    expect(problems).toEqual([]);
    console.log(`browser test: ${((Date.now() - started) / 1000).toFixed(1)} s (4 Vite builds, 4 deploys, Chromium)`);
  });

  it('answers a missing asset with 404 and /api/health with the API JSON', async () => {
    const page = await context.newPage();
    const missing = await page.goto(`${edge.url}/assets/Flavors-missing0.js`);
    expect(missing?.status()).toBe(404);
    const health = await page.goto(`${edge.url}/api/health`);
    expect(health?.status()).toBe(200);
    expect(health?.headers()['content-type']).toMatch(/^application\/json/);
    expect(await health?.json()).toEqual({ status: 'ok', version: 'browser-test' });
    await page.close();
  });
});
