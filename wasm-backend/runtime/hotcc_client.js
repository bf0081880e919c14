// hotcc serve's page client: shows the program's output, connects to the server's WebSocket,
// applies each patch through the runtime's checked loader (hotcc_wasm_apply_patch) while the
// program keeps running, shows compile errors as an overlay, and reloads the page when the
// server rebuilt the main module. The protocol is described in tools/serve's dev_server.hpp.
(function () {
  'use strict';
  var serve = window.hotccServe || { build: '' };
  var token = new URLSearchParams(location.search).get('token') || '';
  var Module = (window.Module = window.Module || {});
  var stats = (window.hotccStats = { build: serve.build, applied: 0, patches: [], errors: 0,
                                     connected: false });

  // ---- the program's output: #output and the console ----
  var output = document.getElementById('output');
  function show(text) {
    if (!output) return;
    output.textContent += text + '\n';
    if (output.textContent.length > 20000) output.textContent = output.textContent.slice(-10000);
    output.scrollTop = output.scrollHeight;
  }
  if (!Module.print) Module.print = function (text) { console.log(text); show(text); };
  if (!Module.printErr) Module.printErr = function (text) { console.error(text); show(text); };
  if (!Module.canvas) Module.canvas = document.getElementById('canvas');

  var runtimeReady = new Promise(function (resolve) {
    var earlier = Module.onRuntimeInitialized;
    Module.onRuntimeInitialized = function () {
      if (earlier) earlier();
      resolve();
    };
  });

  function now() { return performance.timeOrigin + performance.now(); }

  // ---- the overlay ----
  var overlay = null;
  function showOverlay(title, text) {
    if (!overlay) {
      overlay = document.createElement('div');
      overlay.id = 'hotcc-overlay';
      overlay.style.cssText = 'position:fixed;left:0;right:0;bottom:0;max-height:60%;overflow:auto;' +
        'margin:0;padding:12px 16px;background:rgba(24,0,0,0.92);color:#ffd0d0;z-index:2147483647;' +
        'font:13px/1.4 monospace;border-top:3px solid #e04040;white-space:pre-wrap';
      document.body.appendChild(overlay);
    }
    overlay.textContent = '';
    var heading = document.createElement('div');
    heading.style.cssText = 'font-weight:bold;color:#fff;margin-bottom:6px';
    heading.textContent = title;
    var body = document.createElement('pre');
    body.style.cssText = 'margin:0;white-space:pre-wrap';
    body.textContent = text;
    overlay.appendChild(heading);
    overlay.appendChild(body);
  }
  function clearOverlay() {
    if (overlay) overlay.remove();
    overlay = null;
  }

  // ---- patches ----
  var queue = Promise.resolve();
  var socket = null;

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function lastError() { return Module.ccall('hotcc_wasm_last_error', 'string', [], []); }

  async function applyPatch(buffer) {
    var receivedAt = now();
    var length = new DataView(buffer).getUint32(0, true);
    var header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, length)));
    var bytes = new Uint8Array(buffer, 4 + length);
    // ".so": the name emscripten's loader plugin takes for a side module.
    var name = 'hotcc-patch-' + header.seq + '.so', path = '/' + name;
    var what = header.functions.join(', ');
    function reject(reason) {
      console.error('[hotcc] patch ' + header.seq + ': ' + what + ' — refused: ' + reason);
      send({ type: 'rejected', seq: header.seq, reason: reason });
    }
    Module.FS.writeFile(path, bytes);
    // The runtime checks the patch first (a manifest for this main module, in order, known slots
    // of the right types); nothing is compiled or loaded when it does not fit.
    if (Module.ccall('hotcc_wasm_check_patch', 'number', ['string'], [path]) !== 0)
      return reject(lastError());
    // Browsers refuse to compile a large module synchronously on the main thread, as dlopen
    // would: emscripten's preload plugin compiles and instantiates it asynchronously and leaves
    // it in preloadedWasm, where dlopen takes it from.
    Module.preloadedWasm = Module.preloadedWasm || {};
    var loaded = await new Promise(function (resolve) {
      Module.FS.createPreloadedFile('/', name, bytes, true, false, function () { resolve(true); },
                                    function () { resolve(false); }, true);
    });
    if (!loaded) return reject('the browser could not compile or instantiate the patch');
    var written = Module.ccall('hotcc_wasm_apply_patch', 'number', ['string'], [path]);
    delete Module.preloadedWasm[path];
    if (written < 0) return reject(lastError());
    var appliedAt = now();
    var record = { seq: header.seq, functions: header.functions, sentAt: header.sentAt,
                   receivedAt: receivedAt, appliedAt: appliedAt, frameAt: 0 };
    stats.applied = header.seq;
    stats.patches.push(record);
    clearOverlay();
    console.log('[hotcc] patch ' + header.seq + ': ' + what + ' — applied in ' +
                (appliedAt - receivedAt).toFixed(1) + ' ms');
    send({ type: 'applied', seq: header.seq, receivedAt: receivedAt, appliedAt: appliedAt,
           applyMs: appliedAt - receivedAt });
    // The next animation frame is the first that runs the new code (tools/bench/browser reads it).
    requestAnimationFrame(function () { record.frameAt = now(); });
  }

  function onText(message) {
    if (message.type === 'error') {
      stats.errors += 1;
      console.error('[hotcc] ' + message.text.trimEnd());
      showOverlay('hotcc: the build failed — the page keeps running ' +
                  (message.runningPatch ? 'patch ' + message.runningPatch : 'the main build'),
                  message.text);
    } else if (message.type === 'ok') {
      clearOverlay();
    } else if (message.type === 'reload') {
      console.warn('[hotcc] full reload: ' + message.reason);
      showOverlay('hotcc: reloading the page (its state is lost)', message.reason);
      try { sessionStorage.setItem('hotcc-reload-reason', message.reason); } catch (e) {}
      setTimeout(function () { location.reload(); }, 50);
    }
  }

  var retryMs = 200;
  function connect() {
    socket = new WebSocket('ws://' + location.host + '/hotcc/socket?token=' +
                           encodeURIComponent(token));
    socket.binaryType = 'arraybuffer';
    socket.onopen = function () {
      retryMs = 200;
      stats.connected = true;
      runtimeReady.then(function () {
        send({ type: 'hello', build: serve.build, applied: stats.applied });
      });
    };
    socket.onmessage = function (event) {
      if (typeof event.data === 'string') {
        var message = JSON.parse(event.data);
        queue = queue.then(function () { onText(message); });
      } else {
        var buffer = event.data;
        queue = queue.then(function () { return runtimeReady; })
                     .then(function () { return applyPatch(buffer); })
                     .catch(function (e) { console.error('[hotcc] applying a patch failed:', e); });
      }
    };
    socket.onclose = function () {
      if (stats.connected) console.warn('[hotcc] lost the server; reconnecting');
      stats.connected = false;
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 2000);
    };
  }

  // The program failing in the page (a wasm trap such as a null dereference, an uncaught
  // exception): its frame loop stops. The terminal and the overlay say so, with the patch that
  // was running; a fixed save and a reload of the page start it again.
  function reportFailure(error) {
    var text = error && error.stack ? String(error.stack) : String(error && error.message || error);
    if (/^unwind\b/.test(text)) return;  // emscripten's way of leaving main for the frame loop
    var running = stats.applied ? 'patch ' + stats.applied : 'the main build';
    stats.failures = (stats.failures || 0) + 1;
    showOverlay('hotcc: the program stopped in the page (running ' + running + ')', text);
    send({ type: 'failure', message: text.split('\n').slice(0, 8).join('\n'), running: stats.applied });
  }
  window.addEventListener('error', function (event) { reportFailure(event.error || event.message); });
  window.addEventListener('unhandledrejection', function (event) { reportFailure(event.reason); });

  try {
    var reason = sessionStorage.getItem('hotcc-reload-reason');
    if (reason) {
      console.warn('[hotcc] this page was reloaded onto a new build: ' + reason);
      sessionStorage.removeItem('hotcc-reload-reason');
    }
  } catch (e) {}
  connect();
})();
