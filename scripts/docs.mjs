// Writes the settings table of docs/settings.md from scripts/settings.mjs (`npm run docs`).
// `node scripts/docs.mjs --check` fails when docs/settings.md is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { SETTINGS } from './settings.mjs';

const START = '<!-- settings:start -->';
const END = '<!-- settings:end -->';
const escape = (text) => String(text).replace(/\|/g, '\\|');
const table = [
  START,
  '| name | default | meaning |',
  '| --- | --- | --- |',
  ...SETTINGS.map((s) => `| \`${s.name}\`${s.secret ? ' (secret)' : ''} | ${escape(s.default)} | ${escape(s.meaning)} |`),
  END,
].join('\n');

const readme = readFileSync('docs/settings.md', 'utf8');
const pattern = new RegExp(`${START}[\\s\\S]*?${END}`);
const next = pattern.test(readme) ? readme.replace(pattern, table) : readme.replace('SETTINGS_TABLE', table);
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('docs/settings.md settings table is out of date: run npm run docs');
    process.exit(1);
  }
} else {
  writeFileSync('docs/settings.md', next);
}
