// ONNX Runtime (npm onnxruntime-node) as a peer of linea-bench-cpu.
//
// Times the models make_ort_models.py wrote (manifest.json in DIR): each is
// `layers` parallel linear layers on one input, so one run streams every
// weight copy and the per-layer time is the run's time / layers. For every
// model: checks the first and last layer against numpy's reference, then for
// each thread count and M: warm-up, median of ≥ 20 runs (docs/PERF.md).
// Prints one JSON line per (case, threads) on stdout; progress on stderr.
// Without onnxruntime-node it prints one line {"peer_unavailable": ...} and
// exits 0, so that callers (compare_ort.py, CI) can skip the peer.
//
// Usage: node ort_peer.mjs DIR [--m 1,16,128] [--threads 1,2] [--runs 20]
//          [--paths f32,dq8,...] [--shapes NxK,...]
// Install the peer (not needed by the build or CTest):
//   npm install --ignore-scripts --no-save --prefix bench/cpu onnxruntime-node@1.30

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

const PEERS = {
  f32: ['f32', 'ort-matmul-f32'],
  dq8: ['w8a8', 'ort-dynamicquantizematmul-u8s8'],
  nbits8: ['int8', 'ort-matmulnbits-b8-g256'],
  nbits4: ['int4', 'ort-matmulnbits-b4-g128-acc0'],
  nbits4a4: ['int4', 'ort-matmulnbits-b4-g128-acc4'],
};

function parseArgs(argv) {
  const o = { dir: null, m: [1, 16, 128], threads: [1, 2], runs: 20, paths: null, shapes: null };
  const list = (s) => s.split(',').filter((v) => v).map(Number);
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--m') o.m = list(next());
    else if (a === '--threads') o.threads = list(next());
    else if (a === '--runs') o.runs = Number(next());
    else if (a === '--paths') o.paths = next().split(',');
    else if (a === '--shapes') o.shapes = next().split(',');
    else if (!a.startsWith('--') && !o.dir) o.dir = a;
    else fail(`unknown argument '${a}'`);
  }
  if (!o.dir) fail('missing the model directory (make_ort_models.py --out DIR)');
  for (const v of [...o.m, ...o.threads, o.runs])
    if (!Number.isInteger(v) || v <= 0) fail(`bad number '${v}'`);
  return o;
}

function fail(message) {
  process.stderr.write(`ort_peer: ${message}\n` +
    'usage: node ort_peer.mjs DIR [--m 1,16,128] [--threads 1,2] [--runs N] ' +
    '[--paths ...] [--shapes NxK,...]\n');
  process.exit(2);
}

function median(v) {
  const s = [...v].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : 0.5 * (s[h - 1] + s[h]);
}

function readF32(file) {
  const b = readFileSync(file);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}

// max |a − b| / max |b|
function relError(a, b) {
  let d = 0, s = 0;
  for (let i = 0; i < b.length; ++i) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return s > 0 ? d / s : d;
}

// Deterministic x in [-1, 1) (the same distribution linea-bench-cpu uses).
function makeX(m, k, seed) {
  const x = new Float32Array(m * k);
  let s = BigInt(seed) | 1n;
  for (let i = 0; i < x.length; ++i) {
    s = (s * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    x[i] = Number(s >> 11n) * 2 ** -52 - 1;
  }
  return x;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  let ort;
  try {
    ort = require('onnxruntime-node');
  } catch (e) {
    console.log(JSON.stringify({ peer_unavailable: 'onnxruntime-node is not installed ' +
      '(npm install --ignore-scripts --no-save --prefix bench/cpu onnxruntime-node@1.30)' }));
    return 0;
  }
  const version = require('onnxruntime-node/package.json').version;
  const manifest = JSON.parse(readFileSync(join(o.dir, 'manifest.json'), 'utf8'));
  let ok = true;
  for (const e of manifest.models) {
    if (o.paths && !o.paths.includes(e.path)) continue;
    if (o.shapes && !o.shapes.includes(`${e.n}x${e.k}`)) continue;
    const [dtype, peer] = PEERS[e.path];
    for (const threads of o.threads) {
      const t0 = performance.now();
      let session;
      try {
        session = await ort.InferenceSession.create(join(o.dir, e.model), {
          intraOpNumThreads: threads, interOpNumThreads: 1,
          executionMode: 'sequential', graphOptimizationLevel: 'all',
        });
      } catch (err) {
        console.log(JSON.stringify({ bench: 'linear', dtype, peer: `${peer}:ort-${version}`,
          peer_unavailable: String(err.message || err).split('\n')[0] }));
        break;
      }
      process.stderr.write(`[ort ${e.model} t${threads}] session in ` +
        `${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
      const last = `y${e.layers - 1}`;
      // Correctness of the first and last layer against numpy.
      const xc = readF32(join(o.dir, e.x));
      const feeds = { x: new ort.Tensor('float32', xc, [e.check_m, e.k]) };
      const r = await session.run(feeds, ['y0', last]);
      const err = Math.max(relError(r.y0.data, readF32(join(o.dir, e.y0))),
        relError(r[last].data, readF32(join(o.dir, e.ylast))));
      const pass = err <= e.tol;
      process.stderr.write(`[ort ${e.model} t${threads}] max rel error vs numpy ` +
        `${err.toPrecision(3)} (${pass ? 'ok' : 'FAIL'})\n`);
      if (!pass) { ok = false; await session.release(); break; }
      for (const m of o.m) {
        const x = { x: new ort.Tensor('float32', makeX(m, e.k, 7 + m), [m, e.k]) };
        for (let i = 0; i < 3; ++i) await session.run(x);
        const times = [];
        for (let i = 0; i < o.runs; ++i) {
          const start = process.hrtime.bigint();
          await session.run(x);
          times.push(Number(process.hrtime.bigint() - start) / 1e6);
        }
        const ms = median(times) / e.layers;
        console.log(JSON.stringify({
          bench: 'linear', shape: `${m}x${e.n}x${e.k}`, dtype,
          peer: `${peer}:ort-${version}`, peer_ms: +ms.toFixed(4),
          peer_gbps: +(e.stored_bytes / (ms * 1e6)).toFixed(2), threads,
          weight_copies: e.layers, max_rel_err: +err.toPrecision(3),
        }));
      }
      await session.release();
    }
  }
  return ok ? 0 : 1;
}

process.exitCode = await main();
