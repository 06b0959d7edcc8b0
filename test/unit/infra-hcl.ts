// Loads every .tf file under infra/ with @cdktf/hcl2json and offers small lookups for the policy tests.
// hcl2json turns each file into JSON: blocks become arrays, expressions become "${...}" strings.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@cdktf/hcl2json';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Json = any;

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const infraRoot = join(repoRoot, 'infra');

export interface TfFile {
  /** Path relative to infra/, e.g. modules/backup/main.tf */
  path: string;
  /** Directory relative to infra/, e.g. modules/backup */
  dir: string;
  json: Json;
}

export interface Block {
  file: string;
  name: string;
  body: Json;
}

/** Every directory under infra/ that holds .tf files, with its parsed files. */
export class TfModule {
  constructor(
    readonly dir: string,
    readonly files: TfFile[],
  ) {}

  /** resource/data blocks of one type across the module's files. */
  blocks(kind: 'resource' | 'data', type: string): Block[] {
    const out: Block[] = [];
    for (const f of this.files) {
      const byName = f.json[kind]?.[type] ?? {};
      for (const [name, bodies] of Object.entries(byName)) {
        for (const body of bodies as Json[]) out.push({ file: f.path, name, body });
      }
    }
    return out;
  }

  block(kind: 'resource' | 'data', type: string, name: string): Json {
    const found = this.blocks(kind, type).find((b) => b.name === name);
    if (!found) throw new Error(`${this.dir}: no ${kind} ${type}.${name}`);
    return found.body;
  }

  named(section: 'variable' | 'output' | 'module' | 'provider'): Block[] {
    const out: Block[] = [];
    for (const f of this.files) {
      const byName = f.json[section] ?? {};
      for (const [name, bodies] of Object.entries(byName)) {
        for (const body of bodies as Json[]) out.push({ file: f.path, name, body });
      }
    }
    return out;
  }

  variable(name: string): Json {
    const v = this.named('variable').find((b) => b.name === name);
    if (!v) throw new Error(`${this.dir}: no variable ${name}`);
    return v.body;
  }

  locals(): Record<string, Json> {
    const out: Record<string, Json> = {};
    for (const f of this.files) for (const l of (f.json.locals ?? []) as Json[]) Object.assign(out, l);
    return out;
  }

  /**
   * Resolves "${var.x}" and "${local.x}" references inside a string to variable defaults and local values
   * (repeatedly), so a test can assert what the configuration does with its defaults.
   */
  resolve(value: Json): Json {
    if (typeof value !== 'string') return value;
    const whole = /^\$\{(var|local)\.([A-Za-z0-9_]+)\}$/.exec(value);
    if (whole) {
      const [, kind, name] = whole;
      const target = kind === 'var' ? this.variable(name!).default : this.locals()[name!];
      return this.resolve(target);
    }
    let s = value;
    for (let i = 0; i < 10; i++) {
      const next = s.replace(/\$\{(var|local)\.([A-Za-z0-9_]+)\}/g, (m, kind: string, name: string) => {
        const target = kind === 'var' ? this.variable(name).default : this.locals()[name];
        return typeof target === 'string' || typeof target === 'number' ? String(target) : m;
      });
      if (next === s) break;
      s = next;
    }
    return s;
  }
}

function tfFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith('.')) continue; // .terraform/ and friends
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...tfFilesUnder(p));
    else if (entry.endsWith('.tf')) out.push(p);
  }
  return out.sort();
}

let cache: Promise<Map<string, TfModule>> | undefined;

/** All infra directories keyed by their path relative to infra/ (e.g. "modules/backup", "envs/prod"). */
export function loadInfra(): Promise<Map<string, TfModule>> {
  cache ??= (async () => {
    const byDir = new Map<string, TfFile[]>();
    for (const abs of tfFilesUnder(infraRoot)) {
      const path = relative(infraRoot, abs);
      const json = await parse(path, readFileSync(abs, 'utf8'));
      const dir = dirname(path);
      byDir.set(dir, [...(byDir.get(dir) ?? []), { path, dir, json }]);
    }
    return new Map([...byDir].map(([dir, files]) => [dir, new TfModule(dir, files)]));
  })();
  return cache;
}

export async function tfModule(dir: string): Promise<TfModule> {
  const m = (await loadInfra()).get(dir);
  if (!m) throw new Error(`infra/${dir} holds no .tf files`);
  return m;
}

export function moduleDirs(): string[] {
  const base = join(infraRoot, 'modules');
  return readdirSync(base)
    .filter((d) => statSync(join(base, d)).isDirectory())
    .sort();
}

/** A nested block as hcl2json shows it: always an array (possibly absent). */
export function list(v: Json): Json[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

export function one(v: Json): Json {
  const l = list(v);
  if (l.length !== 1) throw new Error(`expected exactly one block, got ${l.length}`);
  return l[0];
}

export interface Statement {
  where: string;
  effect: string;
  actions: string[];
  notActions: string[];
  resources: string[];
  body: Json;
}

/**
 * Every IAM statement in the configuration: statement blocks of aws_iam_policy_document data sources (static and
 * dynamic ones), and statements written inline as jsonencode(...) or heredoc JSON in any string attribute.
 */
export function allStatements(modules: Iterable<TfModule>): Statement[] {
  const out: Statement[] = [];
  for (const m of modules) {
    for (const doc of m.blocks('data', 'aws_iam_policy_document')) {
      const where = `${doc.file}: data.aws_iam_policy_document.${doc.name}`;
      const bodies = [
        ...list(doc.body.statement),
        ...list(doc.body.dynamic?.statement).flatMap((d: Json) => list(d.content)),
      ];
      for (const s of bodies) {
        out.push({
          where,
          effect: s.effect ?? 'Allow',
          actions: list(s.actions),
          notActions: list(s.not_actions),
          resources: list(s.resources),
          body: s,
        });
      }
    }
    for (const f of m.files) {
      for (const text of stringsIn(f.json)) {
        if (!/Action/.test(text)) continue;
        // jsonencode({ ... Action = [...] ... }) or a JSON document: collect every quoted action-looking value.
        for (const match of text.matchAll(/"?(Not)?Action"?\s*[=:]\s*(\[[^\]]*\]|"[^"]*")/g)) {
          const values = [...match[2]!.matchAll(/"([^"]*)"/g)].map((x) => x[1]!);
          const effect = /"?Effect"?\s*[=:]\s*"Deny"/.test(text) ? 'Deny' : 'Allow';
          out.push({
            where: `${f.path}: inline policy`,
            effect,
            actions: match[1] ? [] : values,
            notActions: match[1] ? values : [],
            resources: [],
            body: text,
          });
        }
      }
    }
  }
  return out;
}

function stringsIn(v: Json): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(stringsIn);
  if (v && typeof v === 'object') return Object.values(v).flatMap(stringsIn);
  return [];
}

/** True for "*", "s3:*", "s3:Get*" and any other action pattern with a wildcard. */
export function isWildcardAction(action: string): boolean {
  return action.includes('*') || action.includes('?');
}
