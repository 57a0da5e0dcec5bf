// Every module of the UI parses and loads (node has no DOM, but no module touches it at load time): a syntax
// error in a view would otherwise only show in the browser tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../main/resources/admin-ui/js');

test('every UI module loads', async () => {
  const files = [...readdirSync(root).filter((f) => f.endsWith('.js')),
    ...readdirSync(join(root, 'views')).filter((f) => f.endsWith('.js')).map((f) => 'views/' + f)];
  assert.ok(files.includes('views/dashboard.js') && files.includes('app.js'), files.join(' '));
  for (const f of files.filter((name) => name !== 'app.js')) {
    await assert.doesNotReject(import(pathToFileURL(join(root, f)).href), f);
  }
});
