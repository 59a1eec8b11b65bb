// Reference sitemap writer on the npm `sitemap` package: N article URLs
// `{base}/articles/{id}` with their lastmod, through SitemapAndIndexStream into
// 50,000-URL files plus an index, as the package's README shows.
//
// usage: node sitemap_reference.js N OUT_DIR BASE_URL START_MICROS STEP_MICROS [--gzip]
// (article i's lastmod is START_MICROS + i * STEP_MICROS, as in bench/harness/dbgen.py)
'use strict';

const { createWriteStream, mkdirSync } = require('node:fs');
const { join } = require('node:path');
const { Readable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const { createGzip } = require('node:zlib');
const { SitemapAndIndexStream, SitemapStream } = require('sitemap');

const [count, out, base, start, step] = process.argv.slice(2);
const gzip = process.argv.includes('--gzip');
const ext = gzip ? '.xml.gz' : '.xml';

function* articles(n) {
  for (let i = 1; i <= n; i++) {
    const micros = Number(start) + i * Number(step);
    yield { url: `${base}/articles/${i}`, lastmod: new Date(micros / 1000).toISOString() };
  }
}

function output(path) {
  return gzip ? [createGzip({ level: 6 }), createWriteStream(path)] : [createWriteStream(path)];
}

function getSitemapStream(i) {
  const name = `sitemaps/articles-${i}${ext}`;
  const sitemap = new SitemapStream({ hostname: base });
  const [first, last = first] = output(join(out, name));
  sitemap.pipe(first);
  if (first !== last) first.pipe(last);
  return [`${base}/${name}`, sitemap, last];
}

async function main() {
  mkdirSync(join(out, 'sitemaps'), { recursive: true });
  const index = new SitemapAndIndexStream({ limit: 50000, getSitemapStream });
  await pipeline(Readable.from(articles(Number(count))), index, ...output(join(out, `sitemap${ext}`)));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
