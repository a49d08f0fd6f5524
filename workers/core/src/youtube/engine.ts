import { installEvaluator } from './evaluator';

/**
 * Everything that needs youtubei.js, behind one door that YouTubeService
 * opens with a dynamic import() on its first miss or search. youtubei.js's
 * module evaluation (its parser's hundreds of node classes, protobuf, the JS
 * analyser) is most of the API Worker's startup CPU; behind the import, a
 * cold isolate that serves cache hits, /health or the admin API never pays
 * for it. The bundler keeps this module and its imports as one lazily
 * evaluated unit, so nothing else may import youtubei.js's values directly.
 */
installEvaluator();

export { runCanary } from './canary';
export { Extractor } from './extractor';
export { getInnertube } from './innertube';
export { searchMusicSongs, searchWebVideos } from './search';
export { extractPlayerFunctions } from './player-extraction';
