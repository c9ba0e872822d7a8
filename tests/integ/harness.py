"""Integration-test harness: pz against the AWS simulator (tests/sim).

Standard library only. A test script is a module of test_* functions and
ends with `run_main()`; ctest runs it as `python3 SCRIPT PZ_BINARY`:

    import harness
    from harness import Sim, Pz

    def test_whoami(pz_bin):
        with Sim() as sim:                  # fresh data dir, --port 0
            pz = Pz(pz_bin, sim)            # temp HOME, env aimed at sim
            r = pz.run("whoami", "-json")   # -> Result(rc, out, err)
            r.ok()                          # asserts exit 0 (shows output)
            assert r.json()["account"] == harness.ACCOUNT
            assert sim.ops() == ["GetCallerIdentity"]

    if __name__ == "__main__":
        harness.run_main()

Sim(**flags) starts `/usr/bin/python3 tests/sim/sim.py --port 0
--port-file F --data-dir D [--flag value ...]` (underscores become
dashes: Sim(throttle_rate=0.3, seed=7)), waits for the port, and is
always stopped: on leaving the with-block, at exit, and on SIGTERM/INT.
$PZ_SIM_ARGS adds options to every simulator (ctest's integ_*_alt runs
use it for the other answers to personalize-rules.md's open questions).
It reads the simulator's control API: calls(), ops(), state(), reset(),
faults(**settings) (POST /__sim/faults).

Pz(binary, sim) runs pz with a clean environment: no AWS_* variables
from the caller, HOME in a fresh temporary directory (write_aws_config,
write_aws_credentials, write_file put files there), AWS_ENDPOINT_URL at
the simulator, AWS_REGION=us-east-1, the simulator's default keys in
AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (keys=False leaves them out),
and AWS_EC2_METADATA_DISABLED=true so nothing ever reaches for the real
instance metadata address. pz.env is a dict to adjust per test;
run(*args, env={...}) adds more for one run (None removes a variable).

StubServer(routes) serves canned answers on 127.0.0.1 (container
credentials, instance metadata) and records the requests it got.

run_main() runs every test_* function in the calling module (or those
named on the command line after the binary), prints one line per test
and "N passed, M failed", and exits 0, 1, or 77 (skip) when the
simulator is missing.
"""

import atexit
import http.server
import importlib.util
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SIM = os.path.join(ROOT, "tests", "sim", "sim.py")
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") \
    else sys.executable
AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
ACCOUNT = "123456789012"
# The schema of an Interactions dataset with the four usual fields, as a
# spec's `schema:` member under a dataset (indented for `datasets:
#   Interactions:`).
INTERACTIONS_SCHEMA_YAML = """    schema:
      type: record
      name: Interactions
      namespace: com.amazonaws.personalize.schema
      version: "1.0"
      fields:
        - {name: USER_ID, type: string}
        - {name: ITEM_ID, type: string}
        - {name: EVENT_TYPE, type: string}
        - {name: TIMESTAMP, type: long}
"""
SKIP = 77


class Skip(Exception):
    """Raise to skip the current test with a reason."""


def aws_cli(sim, *args, parse=False):
    """The AWS CLI against the simulator, with its default keys; the
    parsed JSON answer when parse is true. Skips without the CLI."""
    cli = shutil.which("aws", path="/usr/bin") or shutil.which("aws")
    if not cli:
        raise Skip("no AWS CLI")
    env = dict(os.environ, AWS_ACCESS_KEY_ID=AKID,
               AWS_SECRET_ACCESS_KEY=SECRET,
               AWS_DEFAULT_REGION=REGION, AWS_PAGER="",
               AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    extra = ["--output", "json"] if parse else []
    p = subprocess.run([cli, "--endpoint-url", sim.url] + extra
                       + list(args), env=env, capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout) if parse and p.stdout.strip() else {}


# The simulator's own test harness starts and stops simulators (and
# stops them all at exit and on SIGTERM/SIGINT/SIGHUP): Sim builds on it.
def _load_sim_harness():
    spec = importlib.util.spec_from_file_location(
        "pzsim_test_harness",
        os.path.join(ROOT, "tests", "sim", "tests", "harness.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_simh = _load_sim_harness()


def _stop_all():
    for s in list(_simh._running):
        s.stop()


class Sim(_simh.Simulator):
    """One simulator process with its own data directory; flags become
    command-line options: Sim(throttle_rate=0.3) -> --throttle-rate 0.3."""

    def __init__(self, **flags):
        if not os.path.exists(SIM):
            raise Skip("no simulator at %s" % SIM)
        args = []
        for k, v in flags.items():
            flag = "--" + k.replace("_", "-")
            if v is True:
                args.append(flag)
            elif v is not None and v is not False:
                args += [flag, str(v)]
        # The other answers to the rules' open questions (ctest's *_alt).
        args += shlex.split(os.environ.get("PZ_SIM_ARGS", ""))
        super().__init__(*args)

    def start(self, timeout=30):
        return super().start(timeout)

    def log_text(self):
        try:
            return self.read_log()
        except OSError:
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def ops(self, since=0):
        return [c["operation"] for c in self.calls(since)]

    def reset(self):
        return self.control("POST", "/__sim/reset", {})


class Result:
    def __init__(self, args, rc, out, err):
        self.args, self.rc, self.out, self.err = args, rc, out, err

    def __repr__(self):
        return "pz %s -> exit %d\n--- stdout\n%s--- stderr\n%s" % (
            " ".join(self.args), self.rc, self.out, self.err)

    def ok(self):
        assert self.rc == 0, repr(self)
        return self

    def fails(self, rc=1):
        assert self.rc == rc, repr(self)
        return self

    def json(self):
        return json.loads(self.out)


class Pz:
    """Runs the pz binary against a simulator with a clean environment."""

    def __init__(self, binary, sim=None, keys=True):
        self.binary = binary
        self.sim = sim
        self.home = tempfile.mkdtemp(prefix="pz-integ-home-")
        os.makedirs(os.path.join(self.home, ".aws"))
        atexit.register(shutil.rmtree, self.home, True)
        # XDG_CACHE_HOME too: the data check's cache belongs to the
        # temporary HOME, never shared between tests or with the user.
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("AWS_") and not k.startswith("PZ_")
                    and k != "XDG_CACHE_HOME"}
        self.env.update({"HOME": self.home,
                         "AWS_EC2_METADATA_DISABLED": "true",
                         "AWS_REGION": REGION,
                         "NO_COLOR": "1"})
        if sim is not None:
            self.env["AWS_ENDPOINT_URL"] = sim.url
        if keys:
            self.env["AWS_ACCESS_KEY_ID"] = AKID
            self.env["AWS_SECRET_ACCESS_KEY"] = SECRET

    def write_file(self, rel, text, mode=0o600):
        path = os.path.join(self.home, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)
        return path

    def write_aws_config(self, text):
        return self.write_file(".aws/config", text)

    def write_aws_credentials(self, text):
        return self.write_file(".aws/credentials", text)

    def run(self, *args, env=None, timeout=120, cwd=None):
        e = dict(self.env)
        for k, v in (env or {}).items():
            if v is None:
                e.pop(k, None)
            else:
                e[k] = v
        p = subprocess.run([self.binary] + list(args), env=e,
                           cwd=cwd or self.home, capture_output=True,
                           timeout=timeout, stdin=subprocess.DEVNULL)
        return Result(list(args), p.returncode,
                      p.stdout.decode("utf-8", "replace"),
                      p.stderr.decode("utf-8", "replace"))


class StubServer:
    """A loopback HTTP server answering from routes:
    {(METHOD, PATH): (status, headers_dict, body_bytes_or_str)} or a
    callable(handler) -> that tuple. Requests are recorded in .requests
    as (method, path, headers_dict, body)."""

    def __init__(self, routes):
        self.routes = routes
        self.requests = []
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _any(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                outer.requests.append((self.command, self.path,
                                       dict(self.headers), body))
                r = outer.routes.get((self.command, self.path))
                if callable(r):
                    r = r(self)
                status, headers, data = r or (404, {}, "not found")
                if isinstance(data, str):
                    data = data.encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = _any

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.httpd.server_address[1]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        return False


def run_main():
    """Runs the caller's test_* functions with the pz binary from argv."""
    main = sys.modules["__main__"]
    if len(sys.argv) < 2:
        print("usage: %s PZ_BINARY [TEST...]" % sys.argv[0])
        sys.exit(2)
    pz_bin = os.path.abspath(sys.argv[1])
    names = sys.argv[2:] or sorted(n for n in dir(main)
                                   if n.startswith("test_"))
    passed = failed = skipped = 0
    for n in names:
        t0 = time.time()
        try:
            getattr(main, n)(pz_bin)
        except Skip as e:
            skipped += 1
            print("SKIP %s: %s" % (n, e))
            continue
        except Exception:
            failed += 1
            print("FAIL %s (%.1f s)" % (n, time.time() - t0))
            traceback.print_exc(file=sys.stdout)
            continue
        finally:
            _stop_all()
        passed += 1
        print("ok   %s (%.1f s)" % (n, time.time() - t0))
    sys.stdout.flush()
    if skipped and not passed and not failed:
        print("0 passed, 0 failed, %d skipped" % skipped)
        sys.exit(SKIP)
    print("%d passed, %d failed%s" % (passed, failed,
                                      ", %d skipped" % skipped
                                      if skipped else ""))
    sys.exit(1 if failed else 0)
