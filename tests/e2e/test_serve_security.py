"""`hotcc serve`'s security rules, each tested with raw HTTP requests (a socket, so the test says
exactly which request line, Host and Origin go out): the page and its subresources need the run's
token (the page sets it as a cookie); a wrong, missing or wrong-length token is refused; the
WebSocket needs the token and our Host and Origin; a foreign Host is refused for plain GETs too
(DNS rebinding); no path outside the served files (`..`, `%2e%2e`, `%2f`, double-encoded,
backslashes, symlinks out of the --shell page's folder), no dot files, no listing; only GET. After
all of it the server still serves the page, it said each refusal on stderr (one line each: a
refused path cannot forge a line or an escape sequence), it listens on 127.0.0.1 only, and Ctrl-C
stops it cleanly."""
import base64
import hashlib
import ipaddress
import os
import re
import shutil
import signal
import socket
import subprocess
from pathlib import Path

from hotcc_e2e import REPO, Session, TestFailure, check

PARTICLES = REPO / "tools" / "examples" / "web" / "particles.cpp"
OPEN_RE = re.compile(r"^hotcc: open (http://127\.0\.0\.1:(\d+)/\?token=([0-9a-f]+))")
REFUSED = "hotcc: refused a request for "
PASSWD = Path("/etc/passwd")
SHELL = """<!doctype html>
<html><head><meta charset="utf-8"><link rel="stylesheet" href="style.css"></head>
<body><canvas id="canvas"></canvas><pre id="output"></pre>
{{{ SCRIPT }}}
</body></html>
"""
STYLE = "body { background: #123456; } /* hotcc security test */\n"
SECRET = "sibling secret: must not be served\n"


class Response:
    def __init__(self, raw):
        head, _, self.body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        match = re.match(r"^HTTP/1\.[01] (\d{3})", lines[0]) if raw else None
        self.status = int(match.group(1)) if match else None  # None: no HTTP answer at all
        self.status_line = lines[0] if raw else "(connection closed without an answer)"
        self.headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers.setdefault(name.strip().lower(), []).append(value.strip())

    def header(self, name):
        return self.headers.get(name.lower(), [None])[0]

    def text(self):
        return self.body.decode("utf-8", "replace")


class Server:
    """A `hotcc serve` under test and the raw requests sent to it."""

    def __init__(self, session, name, *extra, port=0, verbose=True):
        self.token_file = session.path(f"{name}.url")
        # -v: every refusal is said (without it, a flood of them is cut short: check_flood).
        self.p = session.start("serve", "particles.cpp", "--port", str(port), "--open-token-file",
                               self.token_file, *(["-v"] if verbose else []), *extra)
        self.refusals_expected = []  # (what was sent, status) of each request the guard refused

    def wait_ready(self):
        line = self.p.wait_stderr(OPEN_RE, "the `hotcc: open http://127.0.0.1:PORT/?token=` line",
                                  start=0)
        self.url, port, self.token = OPEN_RE.match(self.p.stderr()[line]).groups()
        self.port = int(port)
        check(len(self.token) >= 32,
              f"expected a token of >= 128 bits (32 hex digits), got {self.token!r}")
        written = self.token_file.read_text().strip()
        check(written == self.url,
              f"expected --open-token-file to hold {self.url!r}, got {written!r}")
        self.host = f"127.0.0.1:{self.port}"
        self.origin = f"http://{self.host}"
        self.cookie_name = f"hotcc_session_{self.port}"
        return self

    def raw(self, request_line, headers, body=b"", until_headers=False):
        """Sends one request; returns the Response (the server closes the connection; a WebSocket
        answer is read up to the end of its headers)."""
        request = request_line + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
            sock.sendall(request.encode("latin-1") + body)
            data = b""
            while True:
                try:
                    chunk = sock.recv(65536)
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                data += chunk
                if until_headers and b"\r\n\r\n" in data:
                    break
        return Response(data)

    def get(self, path, token=None, cookie=None, host=None, origin=None, method="GET",
            body=b""):
        """`METHOD path[?token=]` with our Host unless told otherwise."""
        if token is not None:
            path += ("&" if "?" in path else "?") + "token=" + token
        headers = [("Host", host or self.host), ("Connection", "close")]
        if origin is not None:
            headers.append(("Origin", origin))
        if cookie is not None:
            headers.append(("Cookie", f"{self.cookie_name}={cookie}"))
        if body or method in ("POST", "PUT"):
            headers.append(("Content-Length", str(len(body))))
        return self.raw(f"{method} {path} HTTP/1.1", headers, body)

    def expect(self, what, response, statuses, absent=None):
        """response.status in statuses; a 403 is one the guard refused (and must say so)."""
        check(response.status in statuses,
              f"{what}: expected HTTP {' or '.join(map(str, statuses))}, got "
              f"{response.status_line!r}; body: {response.text()[:300]!r}")
        if absent is not None:
            check(absent not in response.text(),
                  f"{what}: expected the answer not to hold {absent!r}, but it does")
        if response.status == 403:
            self.refusals_expected.append((what, response.status))
        return response

    def refused(self, what, response):
        return self.expect(what, response, (403,))

    def socket_upgrade(self, token=None, host=None, origin="", cookie=None):
        """A hand-written WebSocket handshake at /hotcc/socket; returns the Response (status 101
        with the right Sec-WebSocket-Accept when accepted). origin="" means ours; None: none."""
        key = base64.b64encode(os.urandom(16)).decode()
        path = "/hotcc/socket" + (f"?token={token}" if token is not None else "")
        headers = [("Host", host or self.host), ("Upgrade", "websocket"),
                   ("Connection", "Upgrade"), ("Sec-WebSocket-Key", key),
                   ("Sec-WebSocket-Version", "13")]
        if origin is not None:
            headers.append(("Origin", origin or self.origin))
        if cookie is not None:
            headers.append(("Cookie", f"{self.cookie_name}={cookie}"))
        response = self.raw(f"GET {path} HTTP/1.1", headers, until_headers=True)
        response.key = key
        return response

    def expect_socket_refused(self, what, response):
        check(response.status != 101,
              f"{what}: expected the WebSocket upgrade to be refused (no 101), got "
              f"{response.status_line!r}")
        self.refusals_expected.append((what, response.status))

    def refusal_lines(self):
        return [line for line in self.p.stderr() if line.startswith(REFUSED)]


def check_page_and_subresources(srv):
    page = srv.expect("the page with the right token", srv.get("/", token=srv.token), (200,))
    cookie = page.header("Set-Cookie") or ""
    match = re.match(rf"^{srv.cookie_name}=([0-9a-f]{{32}}); ", cookie)
    check(match and "HttpOnly" in cookie and "SameSite=Strict" in cookie,
          f"expected the page to set `{srv.cookie_name}=<32 hex digits>; ...; SameSite=Strict; "
          f"HttpOnly` (a cookie per port), got Set-Cookie {cookie!r}")
    srv.session = match.group(1)
    check(srv.session != srv.token, "expected the session cookie to differ from the run's token")
    html = page.text()
    check('src="/hotcc/client.js"' in html,
          f"expected the page to load /hotcc/client.js; page:\n{html}")
    app = re.search(r'src="(/build-[^"/]+/)app\.js"', html)
    check(app, f"expected the page to load /build-*/app.js; page:\n{html}")
    build = app.group(1)
    subresources = {"/hotcc/client.js": "javascript", build + "app.js": "javascript",
                    build + "app.wasm": "application/wasm"}
    for path, mime in subresources.items():
        r = srv.expect(f"{path} with the page's cookie", srv.get(path, cookie=srv.session), (200,))
        check(mime in (r.header("Content-Type") or "") and len(r.body) > 100,
              f"{path} with the cookie: expected a {mime} body, got Content-Type "
              f"{r.header('Content-Type')!r} and {len(r.body)} bytes")
        if path.endswith(".wasm"):
            check(r.body[:4] == b"\0asm", f"{path}: expected a wasm module, got {r.body[:8]!r}")
        srv.expect(f"{path} with the token in the query", srv.get(path, token=srv.token), (200,))
        srv.refused(f"{path} without token or cookie", srv.get(path))
        srv.refused(f"{path} with a wrong cookie", srv.get(path, cookie="0" * len(srv.token)))
        srv.refused(f"{path} with the token as the cookie", srv.get(path, cookie=srv.token))

    # Wrong, missing, wrong-length tokens: the page and the client script are refused.
    wrong = ("1" if srv.token[0] != "1" else "2") + srv.token[1:]
    for label, token in [("a wrong token (one digit off)", wrong), ("an empty token", ""),
                         ("a token one character short", srv.token[:-1]),
                         ("a token one character long", srv.token + "0"),
                         ("the token's first half", srv.token[:16]),
                         ("the token twice", srv.token * 2)]:
        for path in ("/", "/hotcc/client.js"):
            srv.refused(f"{path} with {label}", srv.get(path, token=token))
            srv.refused(f"{path} with {label} as cookie", srv.get(path, cookie=token))
    for path in ("/", "/index.html", "/hotcc/client.js"):
        srv.refused(f"{path} with no token", srv.get(path))
    srv.refused("/ with the token under another name", srv.get(f"/?tok={srv.token}"))
    return build


def check_socket(srv):
    ok = srv.socket_upgrade(token=srv.token)
    check(ok.status == 101, "WebSocket with the right token, Host and Origin: expected 101, got "
          f"{ok.status_line!r}")
    accept = base64.b64encode(hashlib.sha1(
        (ok.key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
    check(ok.header("Sec-WebSocket-Accept") == accept,
          f"WebSocket 101: expected Sec-WebSocket-Accept {accept}, got "
          f"{ok.header('Sec-WebSocket-Accept')!r}")
    ok_cookie = srv.socket_upgrade(cookie=srv.session)
    check(ok_cookie.status == 101, "WebSocket with the page's cookie and our Origin: expected "
          f"101, got {ok_cookie.status_line!r}")

    wrong = ("1" if srv.token[0] != "1" else "2") + srv.token[1:]
    other_port = srv.port + 1 if srv.port < 65535 else srv.port - 1
    cases = [
        ("WebSocket with no token", dict()),
        ("WebSocket with a wrong token", dict(token=wrong)),
        ("WebSocket with a token one character short", dict(token=srv.token[:-1])),
        ("WebSocket with an empty token", dict(token="")),
        ("WebSocket with a wrong cookie", dict(cookie=wrong)),
        ("WebSocket with the right token from Origin http://evil.example",
         dict(token=srv.token, origin="http://evil.example")),
        (f"WebSocket with the right token from Origin http://127.0.0.1:{other_port}",
         dict(token=srv.token, origin=f"http://127.0.0.1:{other_port}")),
        ("WebSocket with the right token from Origin null", dict(token=srv.token, origin="null")),
        (f"WebSocket with the right token from Origin https://127.0.0.1:{srv.port}",
         dict(token=srv.token, origin=f"https://127.0.0.1:{srv.port}")),
        (f"WebSocket with the right cookie from Origin http://evil.example:{srv.port}",
         dict(cookie=srv.session, origin=f"http://evil.example:{srv.port}")),
        (f"WebSocket with the right token and Host evil.example:{srv.port} (DNS rebinding)",
         dict(token=srv.token, host=f"evil.example:{srv.port}",
              origin=f"http://evil.example:{srv.port}")),
        (f"WebSocket with the right token and Host 127.0.0.1:{other_port}",
         dict(token=srv.token, host=f"127.0.0.1:{other_port}")),
    ]
    for what, kwargs in cases:
        srv.expect_socket_refused(what, srv.socket_upgrade(**kwargs))

    # A foreign Host or Origin on plain GETs, with the right token: refused (DNS rebinding: the
    # attacker's page runs at evil.example, which now resolves to 127.0.0.1).
    for host in (f"evil.example:{srv.port}", f"127.0.0.1:{other_port}", "evil.example",
                 f"127.0.0.1.evil.example:{srv.port}", f"localhost.evil.example:{srv.port}"):
        for path in ("/", "/hotcc/client.js"):
            srv.refused(f"GET {path} with the right token and Host {host}",
                        srv.get(path, token=srv.token, host=host))
    srv.refused(f"GET /hotcc/client.js with the cookie and Host evil.example:{srv.port}",
                srv.get("/hotcc/client.js", cookie=srv.session, host=f"evil.example:{srv.port}"))
    for origin in ("http://evil.example", f"http://127.0.0.1:{other_port}", "null"):
        srv.refused(f"GET /hotcc/client.js with the cookie from Origin {origin}",
                    srv.get("/hotcc/client.js", cookie=srv.session, origin=origin))
    no_host = srv.raw(f"GET /?token={srv.token} HTTP/1.0", [])
    check(no_host.status != 200, "GET / with the token and no Host header (HTTP/1.0): expected "
          f"a refusal, got {no_host.status_line!r}")
    if no_host.status == 403:
        srv.refusals_expected.append(("GET / without Host", 403))
    # Loopback names for our own address are fine.
    srv.expect("GET / with the token and Host localhost:PORT",
               srv.get("/", token=srv.token, host=f"localhost:{srv.port}"), (200,))


TRAVERSALS = ["/../../etc/passwd", "/../../../../../../../../etc/passwd",
              "/%2e%2e/%2e%2e/etc/passwd", "/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
              "/..%2fetc/passwd", "/..%2f..%2f..%2f..%2fetc%2fpasswd",
              "/hotcc/../../etc/passwd", "/hotcc/..%2f..%2fetc/passwd",
              "/%252e%252e/%252e%252e/etc/passwd", "/%252e%252e%252f%252e%252e%252fetc%252fpasswd",
              "/..\\..\\etc\\passwd", "/..%5c..%5c..%5cetc%5cpasswd", "/hotcc\\..\\..\\etc\\passwd",
              "/etc/passwd", "//etc/passwd", "/%2fetc%2fpasswd", "/./../etc/passwd",
              "/.%2e/.%2e/etc/passwd", "/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
              "/....//....//etc/passwd", "/..;/..;/etc/passwd"]


def check_traversal(srv, extra=()):
    """Every traversal attempt, with the right token and with the cookie: never the file."""
    for path in TRAVERSALS + list(extra):
        for how, kwargs in (("token", dict(token=srv.token)), ("cookie", dict(cookie=srv.session))):
            r = srv.get(path, **kwargs)
            srv.expect(f"traversal {path} (with the {how})", r, (400, 403, 404), absent="root:")


def check_methods(srv, build):
    for method in ("POST", "PUT", "DELETE", "PATCH", "PROPFIND", "MKCOL"):
        for path in ("/", "/hotcc/client.js", build + "app.js", "/hotcc/socket"):
            r = srv.get(path, token=srv.token, cookie=srv.session, method=method, body=b"x=1")
            check(r.status is not None and r.status >= 400,
                  f"{method} {path} with the token: expected a refusal (4xx), got "
                  f"{r.status_line!r}")
    r = srv.get("/hotcc/client.js", method="PUT", body=b"alert(1)")
    srv.refused("PUT /hotcc/client.js without token", r)
    client = srv.get("/hotcc/client.js", cookie=srv.session)
    check(client.status == 200 and b"alert(1)" not in client.body,
          "after the PUTs: expected /hotcc/client.js unchanged, got "
          f"{client.status_line!r} holding {client.body[:80]!r}")


def check_shell_folder(srv):
    """--shell DIR/page.html: files beside the page are served with the token, nothing else."""
    r = srv.expect("/style.css beside the --shell page, with the cookie",
                   srv.get("/style.css", cookie=srv.session), (200,))
    check(r.text() == STYLE and "text/css" in (r.header("Content-Type") or ""),
          f"/style.css: expected {STYLE!r} as text/css, got {r.text()!r} as "
          f"{r.header('Content-Type')!r}")
    r = srv.expect("/style.css with the token", srv.get("/style.css", token=srv.token), (200,))
    check(r.text() == STYLE, f"/style.css with the token: expected {STYLE!r}, got {r.text()!r}")
    r = srv.expect("/sub/inner.css with the cookie", srv.get("/sub/inner.css", cookie=srv.session),
                   (200,))
    check(r.text() == "inner\n", f"/sub/inner.css: expected 'inner\\n', got {r.text()!r}")
    srv.refused("/style.css without token or cookie", srv.get("/style.css"))
    srv.refused("/style.css with a wrong token", srv.get("/style.css", token="0" * 32))
    srv.refused("/style.css with Host evil.example",
                srv.get("/style.css", cookie=srv.session, host=f"evil.example:{srv.port}"))

    page = srv.expect("the --shell page with the token", srv.get("/", token=srv.token), (200,))
    check("hotcc security test" not in page.text() and 'href="style.css"' in page.text() and
          "/hotcc/client.js" in page.text(),
          f"expected / to be the --shell page with the scripts put in; got:\n{page.text()}")

    for path, what in [("/passwd.lnk", "a symlink to /etc/passwd"),
                       ("/secret.lnk", "a symlink to a file in a sibling folder"),
                       ("/sub/up.lnk", "a symlink in a subfolder to ../../sibling/secret.txt"),
                       ("/outdir.lnk/secret.txt", "a file under a symlink to a sibling folder"),
                       ("/etc.lnk/passwd", "a file under a symlink to /etc"),
                       ("/../sibling/secret.txt", "a sibling folder's file through .."),
                       ("/%2e%2e/sibling/secret.txt", "a sibling folder's file through %2e%2e"),
                       ("/sub/../../sibling/secret.txt", "a sibling folder's file through sub/.."),
                       ("/.hidden", "a dot file"), ("/.git/config", "a file in a dot folder"),
                       ("/%2ehidden", "a dot file named with %2e"),
                       ("/sub/.hidden", "a dot file in a subfolder"),
                       ("/sub", "a folder (no listing)"), ("/sub/", "a folder with / (no listing)"),
                       ("/sub/.", "a folder's . (no listing)"),
                       ("/outdir.lnk/", "a symlinked folder (no listing)"),
                       ("/nothing.css", "a file that is not there")]:
        for how, kwargs in (("token", dict(token=srv.token)), ("cookie", dict(cookie=srv.session))):
            r = srv.get(path, **kwargs)
            srv.expect(f"{path}, {what} (with the {how})", r, (400, 403, 404), absent="root:")
            for leak in ("sibling secret", "inner", "hidden dot file", "[core]", "<a href",
                         "Index of", "style.css"):
                check(leak not in r.text(), f"{path}, {what}: expected no file contents nor "
                      f"listing, but the answer holds {leak!r}: {r.text()[:300]!r}")
    check_traversal(srv, extra=["/sub/../../../../etc/passwd", "/sub/%2e%2e/%2e%2e/etc/passwd",
                                "/passwd.lnk%00.css", "/secret.lnk%00/style.css"])
    # hotcc decodes the path once, itself, and refuses an encoded NUL (or slash) outright.
    r = srv.get("/style.css%00/../../etc/passwd", cookie=srv.session)
    check(r.status in (400, 403, 404) or (r.status == 200 and r.text() == STYLE),
          "/style.css%00/../../etc/passwd: expected a refusal or /style.css itself, got "
          f"{r.status_line!r}: {r.text()[:200]!r}")


def check_no_forged_output(srv):
    """A refused request's path is decoded by civetweb, and any web page can send one (an <img>
    needs no token to be refused): the refusal line must not let it write a newline or an escape
    sequence to the terminal, e.g. a second `hotcc: open http` line that users and tests read."""
    forged = "/x%0d%0ahotcc:%20open%20http:%2f%2fevil.example%2f?token=0%1b[2J%1b]0;pwned%07"
    srv.refused("a token-less request whose path holds a newline and escape sequences",
                srv.get(forged))
    srv.expect("a request from an Origin holding an escape sequence (civetweb: 400)",
               srv.get("/hotcc/client.js", cookie=srv.session, origin="http://a\x1b[2J.example"),
               (400, 403))
    try:  # both refusals said (with the newline, the forged line follows the refusal's line)
        srv.p.wait_for(lambda: len(srv.refusal_lines()) >= len(srv.refusals_expected),
                       "the refusal lines", timeout=5)
    except TestFailure:
        pass  # check_refusals_said reports it
    opens = [l for l in srv.p.stderr() if "hotcc: open" in l]
    check(len(opens) == 1, "expected one `hotcc: open` line (a refused request's path must not "
          f"forge another), got {opens}")
    controls = [l for l in srv.p.stderr() if re.search(r"[\x00-\x08\x0b-\x1f\x7f]", l)]
    check(not controls, "expected no control characters (escape sequences) on stderr from a "
          f"refused request's path, got {controls!r}")
    check(any(l.lower().startswith((REFUSED + "/x%0d%0ahotcc:").lower()) for l in srv.p.stderr()),
          "expected the forged path's refusal line to show its CR LF as %0D%0A; refusal lines:\n"
          + "\n".join(srv.refusal_lines()[-3:]))


def check_absolute_form(srv):
    """`GET http://evil.example/... HTTP/1.1` to our port: not served as if it were ours."""
    for target in (f"http://evil.example/hotcc/client.js?token={srv.token}",
                   f"http://evil.example:{srv.port}/?token={srv.token}"):
        r = srv.raw(f"GET {target} HTTP/1.1", [("Host", srv.host), ("Connection", "close")])
        check(r.status != 200, f"GET {target} (absolute form): expected a refusal, got "
              f"{r.status_line!r}")
        if r.status == 403:
            srv.refusals_expected.append((target, 403))


def check_still_serving(srv):
    check(srv.p.alive(), "expected hotcc serve still running after the refusals")
    page = srv.get("/", token=srv.token)
    check(page.status == 200 and "/hotcc/client.js" in page.text(),
          f"expected the page still served (200) after all the refused requests, got "
          f"{page.status_line!r}")
    check(srv.socket_upgrade(token=srv.token).status == 101,
          "expected a WebSocket with the right token still accepted after the refusals")


def check_refusals_said(srv, reasons):
    """Each request the guard refused is one `hotcc: refused a request for PATH: REASON` line."""
    expected = len(srv.refusals_expected)
    srv.p.wait_for(lambda: len(srv.refusal_lines()) >= expected,
                   f"{expected} `{REFUSED}...` lines on stderr, one per refused request "
                   f"(have {len(srv.refusal_lines())})", timeout=5)
    lines = srv.refusal_lines()
    check(len(lines) == expected,
          f"expected exactly {expected} `{REFUSED}...` lines (one per refused request), got "
          f"{len(lines)}")
    text = "\n".join(lines)
    for reason in reasons:
        check(reason in text, f"expected a refusal line saying {reason!r}; got:\n{text}")


def check_loopback_only(srv):
    """Bound to 127.0.0.1: not reachable on the machine's other addresses, and the kernel's
    table of listening sockets has 127.0.0.1:PORT and no wildcard for the port."""
    addresses = set()
    try:
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.connect(("192.0.2.255", 9))  # no packet is sent: this only picks a source address
        addresses.add(probe.getsockname()[0])
        probe.close()
    except OSError:
        pass
    try:
        addresses.update(socket.gethostbyname_ex(socket.gethostname())[2])
    except OSError:
        pass
    for address in sorted(a for a in addresses if not ipaddress.ip_address(a).is_loopback):
        try:
            with socket.create_connection((address, srv.port), timeout=3):
                reached = True
        except OSError:
            reached = False
        check(not reached, f"expected port {srv.port} not reachable on {address} (a non-loopback "
              f"address of this machine): hotcc serve must bind 127.0.0.1 by default")

    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            local, state = fields[1], fields[3]
            ip, port = local.rsplit(":", 1)
            if state == "0A" and int(port, 16) == srv.port:  # 0A: LISTEN
                listening.append((table, ip))
    check(listening, f"expected a listening socket on port {srv.port} in /proc/net/tcp")
    check(listening == [("/proc/net/tcp", "0100007F")],
          f"expected port {srv.port} to listen on 127.0.0.1 (0100007F in /proc/net/tcp) only, "
          f"got {listening}")


def body(s):
    check(shutil.which("em++"), "em++ is not installed (tools/bootstrap.sh installs emscripten)")
    shutil.copy(PARTICLES, s.path("particles.cpp"))

    # The --shell page's folder: a style sheet and a subfolder beside it; a sibling folder with a
    # secret; symlinks out of the folder; dot files.
    shell_dir, sibling = s.path("web"), s.path("sibling")
    (shell_dir / "sub").mkdir(parents=True)
    (shell_dir / ".git").mkdir()
    sibling.mkdir()
    (shell_dir / "page.html").write_text(SHELL)
    (shell_dir / "style.css").write_text(STYLE)
    (shell_dir / "sub" / "inner.css").write_text("inner\n")
    (shell_dir / "sub" / ".hidden").write_text("hidden dot file\n")
    (shell_dir / ".hidden").write_text("hidden dot file\n")
    (shell_dir / ".git" / "config").write_text("[core]\n")
    (sibling / "secret.txt").write_text(SECRET)
    (shell_dir / "passwd.lnk").symlink_to(PASSWD)
    (shell_dir / "secret.lnk").symlink_to(sibling / "secret.txt")
    (shell_dir / "sub" / "up.lnk").symlink_to(Path("..") / ".." / "sibling" / "secret.txt")
    (shell_dir / "outdir.lnk").symlink_to(sibling, target_is_directory=True)
    (shell_dir / "etc.lnk").symlink_to(Path("/etc"), target_is_directory=True)

    plain = Server(s, "plain").wait_ready()
    shelled = Server(s, "shell", "--shell", shell_dir / "page.html")

    build = check_page_and_subresources(plain)
    check_socket(plain)
    check_traversal(plain)
    check_methods(plain, build)
    check_absolute_form(plain)
    check_no_forged_output(plain)
    check_loopback_only(plain)
    check_still_serving(plain)
    check_refusals_said(plain, ["/hotcc/socket: wrong or missing token",
                                "/hotcc/socket: foreign Origin null",
                                "/hotcc/socket: foreign Origin http://evil.example",
                                "/hotcc/socket: foreign Host evil.example",
                                "/hotcc/client.js: wrong or missing token",
                                "/: foreign Host evil.example", "/: foreign Host (none)"])

    shelled.wait_ready()
    check_page_and_subresources(shelled)
    check_shell_folder(shelled)
    check_still_serving(shelled)
    check_refusals_said(shelled, ["/style.css: wrong or missing token",
                                  "/style.css: foreign Host evil.example"])

    # Ctrl-C: each stops cleanly (and removes its build directory).
    for srv in (plain, shelled):
        srv.p.p.send_signal(signal.SIGINT)
        try:
            status = srv.p.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            status = "still running 10 s later"
        check(status == 0, f"expected hotcc serve to exit 0 on SIGINT, got {status}")
        srv.p.wait_stderr("hotcc: stopped serving", "the `hotcc: stopped serving` line")

    check_restart(s, plain)


def check_restart(s, before):
    """The server restarts on the same port: its token is new (per run) and the old one is
    refused, but the pages' session cookie still opens the page and the socket (so open pages
    reconnect). Without -v, a flood of refused requests is cut short on the terminal."""
    srv = Server(s, "restarted", port=before.port, verbose=False).wait_ready()
    check(srv.token != before.token, "expected a new token after a restart (a token per run)")
    srv.refused("/ with the previous run's token", srv.get("/", token=before.token))
    srv.expect("/ with the session cookie from before the restart",
               srv.get("/", cookie=before.session), (200,))
    check(srv.socket_upgrade(cookie=before.session).status == 101,
          "expected the WebSocket to accept the session cookie from before the restart")
    for i in range(25):
        srv.refused(f"flood request {i}", srv.get(f"/flood-{i}"))
    srv.p.wait_stderr("many requests refused", "the line saying further refusals are not shown")
    shown = len(srv.refusal_lines())
    check(shown <= 11, f"expected at most 10 refusal lines for a flood of 26 (then one notice), "
          f"got {shown}")
    check_still_serving(srv)
    srv.p.p.send_signal(signal.SIGINT)
    check(srv.p.p.wait(timeout=10) == 0, "expected the restarted server to exit 0 on SIGINT")


if __name__ == "__main__":
    Session.main(body)
