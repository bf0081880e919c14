"""Helpers for the REPL's end-to-end tests: a script piped into `hotcc repl`, and an interactive
`hotcc repl` in a real terminal (a tmux pane) driven by keystrokes."""
import os
import shutil
import subprocess
import time
import uuid

from hotcc_e2e import TestFailure, WAIT_S


def repl_cache_dir():
    """Shared by the REPL tests and kept in the build tree: only the first run builds the PCH."""
    path = os.path.join(os.getcwd(), "repl-cache")
    os.makedirs(path, exist_ok=True)
    return path


def repl_env(session):
    env = dict(os.environ)
    env["XDG_STATE_HOME"] = str(session.dir / "state")  # history of this test only
    return env


def run_script(session, script, *args, timeout=WAIT_S * 3):
    """Pipes `script` into `hotcc repl`; returns CompletedProcess with str output."""
    cmd = [session.hotcc, "repl", "--cache-dir", repl_cache_dir(), *args]
    try:
        r = subprocess.run(cmd, cwd=session.dir, input=script.encode(), capture_output=True,
                           timeout=timeout, env=repl_env(session))
    except subprocess.TimeoutExpired as e:
        raise TestFailure(f"hotcc repl did not finish within {timeout} s; stdout: {e.stdout!r}")
    r.stdout = r.stdout.decode("utf-8", "replace")
    r.stderr = r.stderr.decode("utf-8", "replace")
    r.dump = (f"--- script:\n{script}\n--- exit status: {r.returncode}\n"
              f"--- stdout:\n{r.stdout}\n--- stderr:\n{r.stderr}\n")
    return r


class Terminal:
    """`hotcc repl` in a detached tmux pane of its own tmux server."""

    def __init__(self, session, *args):
        if not shutil.which("tmux"):
            raise TestFailure("tmux is not installed (tools/bootstrap.sh installs it)")
        self.server = f"hotcc-e2e-{uuid.uuid4().hex[:8]}"
        self.session = session
        cmd = " ".join([session.hotcc, "repl", "--cache-dir", repl_cache_dir(), *args])
        env = repl_env(session)
        self._tmux("new-session", "-d", "-s", "repl", "-x", "120", "-y", "50",
                   "-c", str(session.dir), f"env XDG_STATE_HOME={env['XDG_STATE_HOME']} {cmd}; "
                   "echo '[hotcc exited]'; sleep 30")

    def _tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.server, *args], capture_output=True, text=True)

    def screen(self):
        return self._tmux("capture-pane", "-p", "-t", "repl", "-S", "-200").stdout

    def type(self, text, enter=True):
        self._tmux("send-keys", "-t", "repl", "-l", text)
        if enter:
            self._tmux("send-keys", "-t", "repl", "Enter")

    def key(self, *names):
        self._tmux("send-keys", "-t", "repl", *names)

    def wait_for(self, text, what=None, count=1, timeout=WAIT_S):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.screen().count(text) >= count:
                return
            time.sleep(0.05)
        raise TestFailure(f"no {what or repr(text)} on the terminal within {timeout} s; "
                          f"screen:\n{self.screen()}")

    def close(self):
        self._tmux("kill-server")
