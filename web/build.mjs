// Builds the web UI into OUTDIR (argv[2], default ./dist): one minified,
// content-hashed JS and CSS bundle under assets/, an index.html naming them,
// and .gz/.br siblings of each (the server picks one by Accept-Encoding).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.resolve(process.argv[2] || path.join(here, 'dist'));
// The packages live in the build directory (AIDLINK_NODE_MODULES) or here.
const nodeModules = process.env.AIDLINK_NODE_MODULES || path.join(here, 'node_modules');
const esbuild = createRequire(path.join(nodeModules, 'x.js'))('esbuild');

fs.rmSync(outdir, { recursive: true, force: true });
const result = await esbuild.build({
  entryPoints: [path.join(here, 'src/main.jsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir,
  entryNames: 'assets/[name]-[hash]',
  assetNames: 'assets/[name]-[hash]',
  nodePaths: [nodeModules],
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => path.relative(outdir, p));
const js = outputs.find((p) => p.endsWith('.js'));
const css = outputs.find((p) => p.endsWith('.css'));
const html = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>aidlink</title>
${css ? `<link rel="stylesheet" href="/${css}">` : ''}
<script type="module" src="/${js}"></script>
</head>
<body><div id="app"></div></body>
</html>
`;
fs.writeFileSync(path.join(outdir, 'index.html'), html);

for (const rel of [...outputs, 'index.html']) {
  const file = path.join(outdir, rel);
  const bytes = fs.readFileSync(file);
  fs.writeFileSync(file + '.gz', zlib.gzipSync(bytes, { level: 9 }));
  fs.writeFileSync(
    file + '.br',
    zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }),
  );
}
console.log(`web build: ${outputs.length + 1} files in ${outdir}`);
