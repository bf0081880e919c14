// Runs the e2e app (an emscripten MAIN_MODULE) in node and takes commands on stdin:
//   call N       -> "f(N) = V counter C calls K"
//   apply PATH   -> "applied K" | "rejected: REASON"
// The wasm is handed over as bytes (wasmBinary): emscripten 3.1.6 would otherwise fetch() it,
// which node 20 has but cannot use on a file path.
const fs = require('fs');
const path = require('path');
const readline = require('readline');
const createApp = require(path.resolve(process.argv[2]));

createApp({ wasmBinary: fs.readFileSync(process.argv[2].replace(/\.js$/, '.wasm')) }).then((app) => {
  const apply = app.cwrap('hotcc_wasm_apply_patch', 'number', ['string']);
  const lastError = app.cwrap('hotcc_wasm_last_error', 'string', []);
  let loaded = 0;
  console.log('ready');
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    const [command, argument] = line.trim().split(/\s+/, 2);
    if (command === 'call') {
      const value = app._call_f(Number(argument));
      console.log(`f(${argument}) = ${value} counter ${app._counter_value()} calls ${app._calls_value()}`);
    } else if (command === 'apply') {
      const inside = `/patch-${++loaded}.wasm`;  // into emscripten's file system, where dlopen looks
      app.FS.writeFile(inside, fs.readFileSync(argument));
      const written = apply(inside);
      console.log(written >= 0 ? `applied ${written}` : `rejected: ${lastError()}`);
    } else if (command === 'quit') {
      process.exit(0);
    }
  });
});
