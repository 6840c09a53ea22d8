import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { repositoryRoot } from './support/run-command.js';

/** The layers of docs/architecture.md, lowest first: a folder imports only from folders before it (or itself). */
const LAYERS = ['errors', 'cache', 'schema', 'sql', 'db', 'session', 'api', 'bulk', 'di', 'cli'];
const src = path.join(repositoryRoot, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : name.endsWith('.ts') ? [full] : [];
  });
}

/** Every relative import of a file (type-only ones included: they tie the files together just the same). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)'/gms)].map((m) => path.resolve(path.dirname(file), (m[1] as string).replace(/\.js$/, '.ts')));
}

function layerOf(file: string): string {
  const [first] = path.relative(src, file).split(path.sep);
  return first?.endsWith('.ts') ? 'index' : (first as string);
}

describe('architecture: layers and cycles (docs/architecture.md)', () => {
  const all = files(src);
  const graph = new Map(all.map((f) => [f, importsOf(f)]));

  it('every folder imports only from the layers below it', () => {
    const upward: string[] = [];
    for (const [file, imports] of graph) {
      const from = layerOf(file);
      if (from === 'index') continue;
      for (const target of imports) {
        const to = layerOf(target);
        if (to !== from && LAYERS.indexOf(to) > LAYERS.indexOf(from)) upward.push(`${path.relative(src, file)} → ${path.relative(src, target)}`);
      }
    }
    expect(upward).to.deep.equal([]);
  });

  it('no import cycle between files', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'visiting');
      stack.push(file);
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next].map((f) => path.relative(src, f)).join(' → '));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of all) if (!state.has(file)) visit(file);
    expect(cycles).to.deep.equal([]);
  });

  it('no source file is longer than 300 lines', () => {
    const long = all.map((f) => [path.relative(src, f), readFileSync(f, 'utf8').split('\n').length] as const).filter(([, n]) => n > 300);
    expect(long).to.deep.equal([]);
  });
});
