import { randomBytes } from 'crypto';

/**
 * The panel's HTML shell. Result data never goes into this string: it arrives later by postMessage and is
 * rendered with textContent, so program output such as `<script>` can only ever be text.
 */
export interface PanelHtmlAssets {
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce: string;
}

export function panelHtml(assets: PanelHtmlAssets): string {
  const csp = [
    "default-src 'none'",
    `style-src ${assets.cspSource}`,
    `font-src ${assets.cspSource}`,
    `script-src 'nonce-${assets.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${assets.styleUri}">
<title>BPF Iterator Run</title>
</head>
<body>
<div id="app"></div>
<script nonce="${assets.nonce}" src="${assets.scriptUri}"></script>
</body>
</html>`;
}

/** A fresh nonce per render, so page content cannot guess the one allowed script tag. */
export function makeNonce(): string {
  return randomBytes(18).toString('base64');
}
