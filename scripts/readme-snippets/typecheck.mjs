// Type-checks every snippet in one TypeScript program with the packages' settings (tsconfig.base.json:
// strict, NodeNext) and compiles each to JavaScript for Node, whatever its errors.
import { join } from 'node:path';
import ts from 'typescript';

/**
 * @param {string} root
 * @param {string[]} sourceFiles absolute paths of the snippets' .mts files
 * @param {string} outDir
 * @returns {Map<string, string[]>} each file's errors, as `line:column message` with the snippet's own lines
 */
export function typecheckSnippets(root, sourceFiles, outDir) {
  const base = ts.readConfigFile(join(root, 'tsconfig.base.json'), ts.sys.readFile);
  if (base.error) throw new Error(ts.flattenDiagnosticMessageText(base.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(base.config, ts.sys, root);
  /** @type {ts.CompilerOptions} */
  const options = {
    ...parsed.options,
    noEmit: false,
    outDir,
    rootDir: join(outDir, '..', 'src'),
    declaration: false,
    declarationMap: false,
    sourceMap: true,
    // Browser snippets import bundler URLs (`…wasm?url`), which Vite's client types declare.
    types: ['node', 'vite/client'],
  };
  const program = ts.createProgram(sourceFiles, options);
  /** @type {Map<string, string[]>} */
  const errors = new Map(sourceFiles.map((file) => [file, []]));
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...program.emit().diagnostics];
  for (const diagnostic of diagnostics) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ');
    const file = diagnostic.file?.fileName;
    const list = file === undefined ? undefined : errors.get(file);
    if (!diagnostic.file || diagnostic.start === undefined || !list) {
      // Not in one snippet (a config or library problem): every snippet reports it.
      for (const each of errors.values()) each.push(`TS${diagnostic.code} ${message}`);
      continue;
    }
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    list.push(`${line + 1}:${character + 1} TS${diagnostic.code} ${message}`);
  }
  return errors;
}
