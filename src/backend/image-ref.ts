/**
 * Container image references as Lightsail accepts them: `[registry/]repository[:tag][@sha256:<64 hex>]`
 * (public registries such as public.ecr.aws or Docker Hub), or an image pushed to the service itself,
 * `:<service>.<label>.<n>` or `:<service>.<label>.latest` (Lightsail then runs the highest registered version).
 */
export interface ImageRef {
  /** The reference as given. */
  text: string;
  /** `registry` (public registry image) or `lightsail` (pushed to the container service). */
  kind: 'registry' | 'lightsail';
  registry?: string;
  repository: string;
  tag?: string;
  digest?: string;
  /** True when the reference can point at different content over time (a tag without a digest). */
  mutable: boolean;
}

// The grammar of github.com/distribution/reference, restricted to what Lightsail pulls.
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_PART = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_PART}(?:\\.${DOMAIN_PART})*(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = 'sha256:[a-f0-9]{64}';
const REFERENCE = new RegExp(`^(?:(${DOMAIN})/)?(${COMPONENT}(?:/${COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const LIGHTSAIL = /^:([a-z0-9]+(?:-[a-z0-9]+)*)\.([a-z0-9]+(?:-[a-z0-9]+)*)\.([0-9]+|latest)$/;

/** Parses an image reference; returns a reason instead when it is not one. */
export function parseImageRef(text: string): ImageRef | { error: string } {
  const t = text.trim();
  if (!t) return { error: 'is empty' };
  if (/\s/.test(t)) return { error: `expected an image reference without spaces, got '${t}'` };
  const pushed = LIGHTSAIL.exec(t);
  if (pushed) {
    // A version number names one registered image for good; `latest` follows each new push.
    return {
      text: t,
      kind: 'lightsail',
      repository: `${pushed[1]}.${pushed[2]}`,
      tag: pushed[3],
      mutable: pushed[3] === 'latest',
    };
  }
  if (t.startsWith(':')) {
    return {
      error: `expected an image pushed to the service as ':<service>.<label>.<number>' or ':<service>.<label>.latest', got '${t}'`,
    };
  }
  const m = REFERENCE.exec(t);
  if (!m) {
    const hint =
      /@/.test(t) && !/@sha256:[a-f0-9]{64}$/.test(t)
        ? ' (a digest is @sha256: followed by 64 lowercase hex digits)'
        : /[A-Z]/.test(t.split('/').slice(1).join('/') || t)
          ? ' (repository names are lowercase)'
          : '';
    return { error: `expected registry/repository[:tag][@sha256:<digest>], got '${t}'${hint}` };
  }
  let [, registry, repository = ''] = m;
  const tag = m[3];
  const digest = m[4];
  // "foo/bar": the first part is a registry only if it looks like a host (has a dot or port, or is localhost).
  if (registry && !/[.:]/.test(registry) && registry !== 'localhost') {
    if (registry !== registry.toLowerCase()) return { error: `expected a lowercase repository name, got '${t}'` };
    repository = `${registry}/${repository}`;
    registry = undefined;
  }
  const ref: ImageRef = { text: t, kind: 'registry', repository, mutable: !digest };
  if (registry) ref.registry = registry;
  if (tag) ref.tag = tag;
  if (digest) ref.digest = digest;
  return ref;
}

/** Why a reference is risky to deploy, or undefined when it is pinned. */
export function mutableImageWarning(ref: ImageRef): string | undefined {
  if (!ref.mutable) return undefined;
  const what = !ref.tag
    ? 'has no tag or digest (it means :latest)'
    : ref.tag === 'latest'
      ? "uses the tag 'latest'"
      : `uses the tag '${ref.tag}' without a digest`;
  return `image '${ref.text}' ${what}: the deployed content can change under the same name; deploy by digest (@sha256:...) to know exactly what runs`;
}
