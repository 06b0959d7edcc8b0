/**
 * GitHub's own workflow parser (`@actions/workflow-parser`, the one behind the Actions language service) for tests:
 * parses a workflow (or a snippet) against GitHub's workflow schema, converts it the way the service does (jobs,
 * needs, reusable-workflow calls resolved from this repository's files), and returns every error it reports.
 *
 * The package imports its JSON schema without import attributes, which Node refuses; Jest (ESM mode) and tsx
 * both load it, so import this module from a test or through `node --import tsx`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  convertWorkflowTemplate,
  NoOperationTraceWriter,
  parseWorkflow,
  type WorkflowTemplate,
} from '@actions/workflow-parser';
import { ErrorPolicy } from '@actions/workflow-parser/model/convert';
import type { FileReference } from '@actions/workflow-parser/workflows/file-reference';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');

export interface ParsedWorkflow {
  /** The converted workflow (events, jobs with their steps), even when there are errors. */
  template: WorkflowTemplate;
  /** Every error of the parser and the converter, as "file (Line: n, Col: m): message". */
  errors: string[];
}

/** Reads local reusable workflows (`uses: ./.github/workflows/x.yml`) from the repository, as the runner does. */
const localFiles = {
  getFileContent(ref: FileReference) {
    if (!('path' in ref) || 'repository' in ref)
      throw new Error(`only local reusable workflows are read in tests, got ${JSON.stringify(ref)}`);
    const file = path.join(repoRoot, ref.path);
    return Promise.resolve({ name: ref.path, content: readFileSync(file, 'utf8') });
  },
};

/** Parses and converts one workflow text; `name` is the file name shown in errors (e.g. `.github/workflows/ci.yml`). */
export async function parseWorkflowText(name: string, content: string): Promise<ParsedWorkflow> {
  const trace = new NoOperationTraceWriter();
  const result = parseWorkflow({ name, content }, trace);
  const template = await convertWorkflowTemplate(result.context, result.value!, localFiles, {
    errorPolicy: ErrorPolicy.TryConversion,
    fetchReusableWorkflowDepth: 1,
  });
  const errors = [
    ...result.context.errors.getErrors().map((e) => e.message),
    ...(template.errors ?? []).map((e) => e.Message),
  ];
  return { template, errors: [...new Set(errors)] };
}

/** Parses one workflow file of the repository (path relative to the repository root). */
export function parseWorkflowFile(relativePath: string): Promise<ParsedWorkflow> {
  return parseWorkflowText(relativePath, readFileSync(path.join(repoRoot, relativePath), 'utf8'));
}
