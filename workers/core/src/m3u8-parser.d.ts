// m3u8-parser ships no types; these are the parts of its manifest this project reads.
declare module 'm3u8-parser' {
  export interface ParsedSegment {
    uri: string;
    duration?: number;
    key?: { method: string; uri?: string };
    map?: { uri: string };
    byterange?: { length: number; offset: number };
  }
  export interface ParsedVariant {
    uri: string;
    attributes: { BANDWIDTH?: number; CODECS?: string; RESOLUTION?: { width: number; height: number } };
  }
  export interface ParsedManifest {
    playlists?: ParsedVariant[];
    segments: ParsedSegment[];
    endList?: boolean;
    playlistType?: string;
  }
  export class Parser {
    manifest: ParsedManifest;
    push(chunk: string): void;
    end(): void;
  }
}
