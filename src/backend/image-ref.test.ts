import { describe, expect, it } from '@jest/globals';
import { mutableImageWarning, parseImageRef, type ImageRef } from './image-ref.js';

const D = 'sha256:' + 'a'.repeat(64);

function ok(text: string): ImageRef {
  const r = parseImageRef(text);
  if ('error' in r) throw new Error(`expected '${text}' to parse: ${r.error}`);
  return r;
}

describe('parseImageRef', () => {
  it('accepts a public ECR reference pinned by digest', () => {
    const r = ok(`public.ecr.aws/abc123/shisha-api@${D}`);
    expect(r).toMatchObject({
      kind: 'registry',
      registry: 'public.ecr.aws',
      repository: 'abc123/shisha-api',
      digest: D,
      mutable: false,
    });
  });

  it('accepts tag and digest together, a registry with a port, and Docker Hub names', () => {
    expect(ok(`public.ecr.aws/a/b:v1.2.3@${D}`)).toMatchObject({ tag: 'v1.2.3', digest: D, mutable: false });
    expect(ok('localhost:5000/api:dev')).toMatchObject({
      registry: 'localhost:5000',
      repository: 'api',
      tag: 'dev',
      mutable: true,
    });
    expect(ok('nginx:1.27')).toMatchObject({ repository: 'nginx', tag: '1.27', mutable: true });
    expect(ok('library/nginx')).toMatchObject({ repository: 'library/nginx', mutable: true });
    expect(ok('library/nginx').registry).toBeUndefined();
  });

  it("accepts Lightsail's pushed-image form :service.label.N as immutable", () => {
    expect(ok(':shisha-api.api.12')).toMatchObject({
      kind: 'lightsail',
      repository: 'shisha-api.api',
      tag: '12',
      mutable: false,
    });
  });

  it('accepts :service.label.latest (botocore Container.image: Lightsail runs the highest registered version) as mutable', () => {
    expect(ok(':container-service-1.mystaticsite.latest')).toMatchObject({
      kind: 'lightsail',
      repository: 'container-service-1.mystaticsite',
      tag: 'latest',
      mutable: true,
    });
    expect(mutableImageWarning(ok(':svc.api.latest'))).toContain("'latest'");
  });

  it.each([
    ['', 'is empty'],
    ['public.ecr.aws/a/B', 'lowercase'],
    ['public.ecr.aws/a/b@sha256:abc', '64 lowercase hex'],
    [`public.ecr.aws/a/b@md5:${'a'.repeat(64)}`, 'sha256'],
    ['public.ecr.aws/a/b:', 'expected registry/repository'],
    ['a b', 'without spaces'],
    [':shisha-api.api', "':<service>.<label>.<number>'"],
    [':shisha-api.api.newest', "or ':<service>.<label>.latest'"],
    ['https://public.ecr.aws/a/b', 'expected registry/repository'],
  ])('rejects %j', (text, reason) => {
    const r = parseImageRef(text);
    expect('error' in r && r.error).toContain(reason);
  });
});

describe('mutableImageWarning', () => {
  it('warns about latest, a missing tag and a tag without digest, not about digests', () => {
    expect(mutableImageWarning(ok('public.ecr.aws/a/b:latest'))).toContain("'latest'");
    expect(mutableImageWarning(ok('public.ecr.aws/a/b'))).toContain('no tag or digest');
    expect(mutableImageWarning(ok('public.ecr.aws/a/b:v1'))).toContain("'v1' without a digest");
    expect(mutableImageWarning(ok(`public.ecr.aws/a/b:latest@${D}`))).toBeUndefined();
    expect(mutableImageWarning(ok(':svc.api.3'))).toBeUndefined();
  });
});
