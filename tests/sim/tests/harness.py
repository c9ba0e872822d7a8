"""Test harness: start a simulator on a free port with a fresh data dir,
run the AWS CLI or raw signed requests against it, read its control
endpoints, and always stop it (also on failure or a signal)."""

import atexit
import hashlib
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SIM_DIR = os.path.dirname(HERE)
SIM = os.path.join(SIM_DIR, "sim.py")
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") \
    else sys.executable
AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
ACCOUNT = "123456789012"
SKIP = 77

sys.path.insert(0, SIM_DIR)

_running = []


def _cleanup(*_):
    for s in list(_running):
        s.stop()


atexit.register(_cleanup)


def _on_signal(signum, frame):
    _cleanup()
    sys.exit(128 + signum)


for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    try:
        signal.signal(_sig, _on_signal)
    except ValueError:
        pass


def require_botocore():
    try:
        import botocore  # noqa: F401
    except ImportError:
        print("skipping: botocore is not importable by %s (install Debian's"
              " python3-botocore)" % sys.executable)
        sys.exit(SKIP)


def find_aws_cli():
    """The AWS CLI to drive the simulator with, or exit 77."""
    if os.access("/usr/bin/aws", os.X_OK):
        return "/usr/bin/aws"
    p = shutil.which("aws")
    if p:
        return p
    print("skipping: no AWS CLI (/usr/bin/aws or aws on PATH); install "
          "Debian's awscli to run the fidelity suite")
    sys.exit(SKIP)


# --- what the loaded service models have ---------------------------------
#
# The simulators these tests start load the models models.load() finds
# ($PZ_AWS_MODEL_DIR, ../shared/aws, else the newest botocore on the
# machine), and so does loaded_models(). Those range from Debian's
# botocore 1.29 (2022) to the newest: a test part that needs an operation,
# member or enum value the loaded model lacks is skipped, saying which:
#
#     with self.subTest("UpdateDataset"):
#         h.need(self, op="UpdateDataset")
#         ...                  # skipped (and printed) when the model lacks it

def loaded_models():
    """The ModelSet the tests' simulators load."""
    from pzsim import models
    return models.load()


def _as_list(v):
    if v is None:
        return []
    return [v] if isinstance(v, str) else list(v)


def _resolve(shapes, path):
    """(shape name, None) at the end of "Shape.member.member" (lists and
    maps are stepped through), or (None, what is missing)."""
    parts = path.split(".")
    name = parts[0]
    if name not in shapes:
        return None, "shape %s" % name
    for i, m in enumerate(parts[1:], 1):
        s = shapes[name]
        while s["type"] in ("list", "map"):
            name = s["member" if s["type"] == "list" else "value"]["shape"]
            s = shapes[name]
        if s["type"] != "structure" or m not in s.get("members", {}):
            return None, "member %s in %s" % (m, ".".join(parts[:i]))
        name = s["members"][m]["shape"]
    return name, None


def model_gap(op=None, member=None, enum=None, service="personalize"):
    """None when the loaded model of service has every operation in op,
    member in member ("Shape.member[.member...]") and enum value in enum
    ("Shape[.member...]=VALUE"), each a string or a list of them; else a
    sentence naming the first thing missing: "the loaded personalize
    model (botocore 1.29.27) has no UpdateDataset"."""
    m = loaded_models()[service]
    missing = None
    for o in _as_list(op):
        if o not in m.operations:
            missing = o
            break
    if missing is None:
        for path in _as_list(member):
            _, missing = _resolve(m.shapes, path)
            if missing:
                break
    if missing is None:
        for e in _as_list(enum):
            path, _, value = e.partition("=")
            name, missing = _resolve(m.shapes, path)
            if missing:
                break
            if value not in m.shapes[name].get("enum", []):
                missing = "value %s in the enum %s" % (value, path)
                break
    if missing is None:
        return None
    return "the loaded %s model (%s) has no %s" % (service, m.source,
                                                    missing)


def model_has(**what):
    return model_gap(**what) is None


def model_requires(member, service="personalize"):
    """Whether "Shape.member" is required in the loaded model."""
    shape, _, name = member.rpartition(".")
    s, missing = _resolve(loaded_models()[service].shapes, shape)
    return missing is None and name in loaded_models()[service].shapes[
        s].get("required", [])


_gaps = []


def _report_gaps():
    if _gaps:
        sys.stderr.write("\n%d test part(s) skipped for what the loaded "
                         "model lacks:\n" % len(_gaps) +
                         "".join("  %s: %s\n" % g for g in _gaps))
        sys.stderr.flush()


atexit.register(_report_gaps)


def need(test, **what):
    """Skip test (or its current subTest) when the loaded model lacks
    what (see model_gap); every such skip is listed again at exit."""
    gap = model_gap(**what)
    if gap:
        sub = getattr(test, "_subtest", None)  # the running subTest
        name = (sub or test).id()
        _gaps.append((name[9:] if name.startswith("__main__.") else name,
                      gap))
        test.skipTest(gap)


class Simulator:
    """A simulator process on a free port with its own data dir."""

    def __init__(self, *args, data_dir=None, keep=False):
        self.tmp = tempfile.mkdtemp(prefix="pzsim-test-")
        self.data_dir = data_dir or os.path.join(self.tmp, "data")
        self.args = list(args)
        self.proc = None
        self.port = None
        self.log = os.path.join(self.tmp, "sim.log")

    def start(self, timeout=20):
        port_file = os.path.join(self.tmp, "port")
        try:
            os.unlink(port_file)
        except OSError:
            pass
        self._logf = open(self.log, "ab")
        self.proc = subprocess.Popen(
            [PYTHON, SIM, "--port", "0", "--port-file", port_file,
             "--data-dir", self.data_dir] + self.args,
            stdout=self._logf, stderr=self._logf, start_new_session=True)
        _running.append(self)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if os.path.exists(port_file):
                with open(port_file) as f:
                    txt = f.read()
                if txt.endswith("\n"):
                    self.port = int(txt)
                    return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        log = self.read_log()  # before stop() removes it
        self.stop()
        raise RuntimeError("simulator did not start:\n" + log)

    def read_log(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def stop(self, cleanup=True):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            self.proc = None
            self._logf.close()
        if self in _running:
            _running.remove(self)
        if cleanup:
            shutil.rmtree(self.tmp, ignore_errors=True)

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    # --- control endpoints -------------------------------------------------

    def control(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data,
                                     method=method)
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def calls(self, since=0):
        return self.control("GET", "/__sim/calls?since=%d" % since)["calls"]

    def call_count(self):
        return len(self.calls())

    def faults(self, **kw):
        return self.control("POST", "/__sim/faults", kw)

    def state(self):
        return self.control("GET", "/__sim/state")


class Cli:
    """Runs the AWS CLI against a simulator."""

    def __init__(self, sim, aws=None, akid=AKID, secret=SECRET, token=None,
                 region=REGION):
        self.sim = sim
        self.aws = aws or find_aws_cli()
        self.dir = tempfile.mkdtemp(prefix="pzsim-cli-", dir=sim.tmp)
        cfg = os.path.join(self.dir, "config")
        with open(cfg, "w") as f:
            f.write("[default]\nregion = %s\noutput = json\n"
                    "s3 =\n    addressing_style = path\n"
                    "[profile novalidate]\nregion = %s\noutput = json\n"
                    "parameter_validation = false\n"
                    "s3 =\n    addressing_style = path\n" % (region, region))
        creds = os.path.join(self.dir, "credentials")
        open(creds, "w").close()
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("AWS_")}
        self.env.update({
            "HOME": self.dir, "AWS_CONFIG_FILE": cfg,
            "AWS_SHARED_CREDENTIALS_FILE": creds,
            "AWS_ACCESS_KEY_ID": akid, "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_DEFAULT_REGION": region, "AWS_PAGER": "",
            "AWS_ENDPOINT_URL": sim.url, "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_RETRY_MODE": "standard", "AWS_MAX_ATTEMPTS": "3"})
        if token:
            self.env["AWS_SESSION_TOKEN"] = token

    def run(self, *args, env=None, check=True, tag=None):
        """Run `aws ARGS`; return (rc, parsed JSON or text, stderr)."""
        e = dict(self.env)
        if env:
            e.update(env)
        if tag:
            e["AWS_EXECUTION_ENV"] = tag
        cmd = [self.aws, "--endpoint-url", self.sim.url] + [str(a)
                                                              for a in args]
        p = subprocess.run(cmd, env=e, capture_output=True, text=True,
                           timeout=120)
        out = p.stdout
        try:
            out = json.loads(p.stdout) if p.stdout.strip() else None
        except ValueError:
            pass
        if check and p.returncode != 0:
            raise AssertionError("aws %s failed (%d):\n%s" % (
                " ".join(map(str, args)), p.returncode, p.stderr))
        return p.returncode, out, p.stderr

    def json(self, *args, **kw):
        return self.run(*args, **kw)[1]


def error_code(stderr):
    """The error code in the CLI's "An error occurred (CODE)" line."""
    i = stderr.find("An error occurred (")
    if i < 0:
        return None
    j = stderr.index(")", i)
    return stderr[i + len("An error occurred ("):j]


def wait_for(fn, timeout=60, interval=0.05):
    deadline = time.time() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.time() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(interval)


# --- raw signed requests (what the CLI cannot express) ----------------------

def _unsigned_s3():
    from botocore.auth import S3SigV4Auth

    class UnsignedS3(S3SigV4Auth):
        def payload(self, request):
            return "UNSIGNED-PAYLOAD"
    return UnsignedS3

def signed(sim, method, path, service, body=b"", headers=None, query=None,
           akid=AKID, secret=SECRET, token=None, region=REGION,
           unsigned_payload=False, sign=True):
    """Send one request signed by botocore; return (status, headers, body).

    path is the raw (already percent-encoded) path."""
    from botocore.auth import S3SigV4Auth, SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from urllib.parse import urlencode
    url = sim.url + path
    if query:
        url += "?" + urlencode(query)
    hd = dict(headers or {})
    req = AWSRequest(method=method, url=url, data=body, headers=hd)
    if sign:
        _UnsignedS3 = _unsigned_s3()
        creds = Credentials(akid, secret, token)
        if service == "s3":
            signer = (_UnsignedS3 if unsigned_payload else S3SigV4Auth)(
                creds, "s3", region)
            signer.add_auth(req)
        else:
            SigV4Auth(creds, service, region).add_auth(req)
    prepared = req.prepare()
    conn = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=30)
    try:
        conn.request(method, prepared.url[len(sim.url):], body=body,
                     headers=dict(prepared.headers.items()))
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


def personalize(sim, op, params, **kw):
    """A signed Personalize control-plane call; (status, JSON body)."""
    st, hd, body = signed(sim, "POST", "/", "personalize",
                          json.dumps(params).encode(),
                          {"X-Amz-Target": "AmazonPersonalize." + op,
                           "Content-Type": "application/x-amz-json-1.1"},
                          **kw)
    return st, (json.loads(body) if body else None)


def md5_etag(data):
    return '"%s"' % hashlib.md5(data).hexdigest()


def make_interactions(n=1500, users=60, items=100, seed=1):
    """Deterministic interactions CSV text."""
    import random
    r = random.Random(seed)
    lines = ["USER_ID,ITEM_ID,EVENT_TYPE,TIMESTAMP"]
    for k in range(n):
        u = "u%d" % r.randrange(users)
        # users like items near their own number: real structure to learn
        i = "i%d" % ((int(u[1:]) * 3 + int(r.expovariate(0.3))) % items)
        lines.append("%s,%s,%s,%d" % (u, i, r.choice(["click", "watch"]),
                                      1700000000 + k * 60))
    return "\n".join(lines) + "\n"


def make_items(items=100):
    lines = ["ITEM_ID,GENRE,YEAR"]
    genres = ["Drama", "Comedy|Drama", "Action", "Horror"]
    for k in range(items):
        lines.append("i%d,%s,%d" % (k, genres[k % 4], 1950 + k % 60))
    return "\n".join(lines) + "\n"


INTERACTIONS_SCHEMA = json.dumps({
    "type": "record", "name": "Interactions",
    "namespace": "com.amazonaws.personalize.schema",
    "fields": [{"name": "USER_ID", "type": "string"},
               {"name": "ITEM_ID", "type": "string"},
               {"name": "EVENT_TYPE", "type": "string"},
               {"name": "TIMESTAMP", "type": "long"}],
    "version": "1.0"})

ITEMS_SCHEMA = json.dumps({
    "type": "record", "name": "Items",
    "namespace": "com.amazonaws.personalize.schema",
    "fields": [{"name": "ITEM_ID", "type": "string"},
               {"name": "GENRE", "type": "string", "categorical": True},
               {"name": "YEAR", "type": "int"}],
    "version": "1.0"})
