import { fileURLToPath, pathToFileURL } from 'url';

/** file: URIs <-> paths. Non-file URIs (untitled:) map to a stable pseudo path so they can still be analysed. */
export const URI = {
  toPath(uri: string): string {
    if (uri.startsWith('file:')) {
      try { return fileURLToPath(uri); } catch { /* fall through to the pseudo path */ }
    }
    return `/__virtual__/${encodeURIComponent(uri)}`;
  },
  fromPath(path: string): string {
    if (path.startsWith('/__virtual__/')) return decodeURIComponent(path.slice('/__virtual__/'.length));
    return pathToFileURL(path).toString();
  },
};
