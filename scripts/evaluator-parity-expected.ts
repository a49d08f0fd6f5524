// Writes workers/core/src/youtube/evaluator.parity.json: what YouTube's recorded player script
// (test/fixtures/youtube/player-js/c9168c90-base.json) turns a set of `n` / `s` values into when
// evaluated by V8 with `new Function`, the way youtubei.js documents a custom evaluator.
// evaluator.test.ts runs the same extraction inside workerd and must get identical outputs from
// QuickJS. V8 results are computed here, in Node, because workerd refuses `new Function`.
//
//   npx tsx scripts/evaluator-parity-expected.ts   (deterministic: rerun only if the fixture or
//                                                  youtubei.js changes). The extraction is the
//                                                  Worker's own (youtube/player-script.ts).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Platform, Player, Utils } from 'youtubei.js';
import { extractDecipherScript } from '../workers/core/src/youtube/player-script';

const root = fileURLToPath(new URL('..', import.meta.url));
const readJson = (path: string) => JSON.parse(readFileSync(root + path, 'utf8'));
const PLAYER_ID = 'c9168c90';
const playerJs = readJson(`test/fixtures/youtube/player-js/${PLAYER_ID}-base.json`).response.body;
const ciphered = readJson('test/fixtures/youtube/player-web-ciphered/iuevw6218F0.json').response.body;

const script = extractDecipherScript(playerJs);
if (!script.exported.includes('nsigFunction')) throw new Error('n/sig function not found in the player script');
const v8Eval = (data: { output: string }) => new Function(data.output)();

// Real values from the ciphered WEB answer, plus edge cases (empty, URL-significant characters).
type RecordedFormat = { itag: number; signatureCipher?: string };
const formats: RecordedFormat[] = [...ciphered.streamingData.formats, ...ciphered.streamingData.adaptiveFormats];
const cipherParams = formats.filter((f) => f.signatureCipher).map((f) => new URLSearchParams(f.signatureCipher));
const realS = [...new Set(cipherParams.map((p) => p.get('s')!))].slice(0, 3);
const realN = [...new Set(cipherParams.map((p) => new URL(p.get('url')!).searchParams.get('n')!))].slice(0, 2);
const inputs: Array<{ n?: string; s?: string; sp?: string }> = [
  ...realN.map((n) => ({ n })),
  { n: 'AAAAAAAAAAAAAAAA' },
  { n: 'x-_0123456789' },
  ...realS.map((s) => ({ s, sp: 'sig' })),
  { s: realS[0] }, // no `sp`: youtubei.js then writes the result to `signature`
  { s: 'AOq0QJ8wRAIgabcdefghijklmnopqrstuvwxyz0123456789-_ABCDEFGHIJKLMNOPQRSTUV==', sp: 'signature' },
  { n: realN[0], s: realS[0], sp: 'sig' },
];
const cases = inputs.map((input) => ({
  input,
  expected: v8Eval({ output: `${script.output}\n${Utils.getNsigProcessorFn(input.n, input.sp, input.s)}` }),
}));
for (const c of cases) {
  if (c.input.n && !(typeof c.expected.n === 'string' && c.expected.n !== c.input.n && !c.expected.n.startsWith('enhanced_except_')))
    throw new Error(`n was not transformed: ${JSON.stringify(c)}`);
  if (c.input.s && !(typeof c.expected.sig === 'string' && c.expected.sig !== c.input.s))
    throw new Error(`s was not transformed: ${JSON.stringify(c)}`);
}

// The same script through youtubei.js's own Player.decipher, with V8 as the evaluator.
Platform.shim.eval = v8Eval;
const player = await Player.fromSource(PLAYER_ID, {
  signature_timestamp: Number.parseInt(String(script.exportedRawValues?.signatureTimestampVar), 10),
  data: script,
});
const format = formats.find((f) => f.signatureCipher)!;
const decipheredUrl = await player.decipher(undefined, format.signatureCipher);

const out = {
  generatedBy: 'scripts/evaluator-parity-expected.ts',
  engine: `V8 ${process.versions.v8} (Node ${process.version})`,
  playerId: PLAYER_ID,
  signatureTimestamp: player.signature_timestamp,
  scriptSha256: createHash('sha256').update(script.output).digest('hex'),
  scriptLength: script.output.length,
  cases,
  decipher: { itag: format.itag, signatureCipher: format.signatureCipher, url: decipheredUrl },
};
const target = 'workers/core/src/youtube/evaluator.parity.json';
writeFileSync(root + target, `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote ${target}: ${cases.length} cases, script ${script.output.length} chars`);
