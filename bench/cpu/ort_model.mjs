// ONNX Runtime (npm onnxruntime-node) as the peer of a whole model: attention_cpu.py, models_cpu.py.
//
// Loads one model and its float32 inputs (raw little-endian files named in
// SPEC, a JSON file {model, inputs: [{name, shape, file}], output, out_file,
// threads, runs}), writes the first run's output to out_file for the caller
// to check, then times warm runs and prints one JSON line {peer, peer_ms}
// (median). Without onnxruntime-node, or when the session cannot be created
// (an op ORT does not have), it prints {peer_unavailable: why} and exits 0.
//
// Usage: node ort_model.mjs SPEC

import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';

const require = createRequire(import.meta.url);

function median(v) {
  const s = [...v].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : 0.5 * (s[h - 1] + s[h]);
}

async function main() {
  const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  let ort;
  try {
    ort = require('onnxruntime-node');
  } catch (e) {
    console.log(JSON.stringify({ peer_unavailable: 'onnxruntime-node is not installed' }));
    return 0;
  }
  const version = require('onnxruntime-node/package.json').version;
  let session;
  try {
    session = await ort.InferenceSession.create(spec.model, {
      intraOpNumThreads: spec.threads, interOpNumThreads: 1,
      executionMode: 'sequential', graphOptimizationLevel: 'all',
    });
  } catch (err) {
    console.log(JSON.stringify({ peer_unavailable: String(err.message || err).split('\n')[0] }));
    return 0;
  }
  const feeds = {};
  for (const i of spec.inputs) {
    const b = readFileSync(i.file);
    const data = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
    feeds[i.name] = new ort.Tensor('float32', data, i.shape);
  }
  const first = await session.run(feeds);
  const out = first[spec.output].data;
  writeFileSync(spec.out_file, Buffer.from(out.buffer, out.byteOffset, out.byteLength));
  for (let i = 0; i < 2; ++i) await session.run(feeds);
  const times = [];
  for (let i = 0; i < spec.runs; ++i) {
    const start = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  console.log(JSON.stringify({ peer: `ort-${version}`, peer_ms: +median(times).toFixed(4) }));
  await session.release();
  return 0;
}

process.exitCode = await main();
