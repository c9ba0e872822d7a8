"""Helpers for the state tests (test_state_*.py): signed requests to the
simulator without botocore, a tiny S3 stub that can ignore conditional
headers, moto's S3 server when this machine has it, and small builders
for specs and state documents.

    aws(url, "s3", "PUT", "/bucket")              -> (status, headers, body)
    make_bucket(url, "pz-state")
    s3_get(url, bucket, key)                      -> (status, body bytes)
    personalize(url, "CreateDatasetGroup", {...}) -> dict
    with StubS3(conditions=False) as stub: ...    # stub.url, stub.objects
    with Moto() as moto: ...                      # raises harness.Skip
    write_spec(dir, backend={...})                -> spec path
    state_doc([resources], serial, lineage)       -> JSON text
"""

import datetime
import hashlib
import hmac
import http.client
import http.server
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

import harness
from harness import AKID, REGION, SECRET


def _quote(s):
    return urllib.parse.quote(s, safe="-_.~")


def aws(url, service, method, path, body=b"", headers=None, query=""):
    """One SigV4-signed request; path is already percent-encoded."""
    if isinstance(body, str):
        body = body.encode()
    u = urllib.parse.urlsplit(url)
    now = datetime.datetime.now(datetime.timezone.utc)
    amzdate = now.strftime("%Y%m%dT%H%M%SZ")
    date = amzdate[:8]
    payload = hashlib.sha256(body).hexdigest()
    h = {"host": u.netloc, "x-amz-date": amzdate,
         "x-amz-content-sha256": payload}
    for k, v in (headers or {}).items():
        h[k.lower()] = v
    signed = sorted(h)
    canon_headers = "".join("%s:%s\n" % (k, " ".join(str(h[k]).split()))
                            for k in signed)
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    canon_query = "&".join("%s=%s" % (_quote(k), _quote(v))
                           for k, v in sorted(pairs))
    creq = "\n".join([method, path, canon_query, canon_headers,
                      ";".join(signed), payload])
    scope = "%s/%s/%s/aws4_request" % (date, REGION, service)
    sts = "\n".join(["AWS4-HMAC-SHA256", amzdate, scope,
                     hashlib.sha256(creq.encode()).hexdigest()])
    key = ("AWS4" + SECRET).encode()
    for part in (date, REGION, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
    h["authorization"] = ("AWS4-HMAC-SHA256 Credential=%s/%s, "
                          "SignedHeaders=%s, Signature=%s"
                          % (AKID, scope, ";".join(signed), sig))
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    try:
        conn.request(method, path + ("?" + query if query else ""),
                     body=body, headers=h)
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


def make_bucket(url, bucket):
    status, _, body = aws(url, "s3", "PUT", "/" + bucket)
    assert status == 200, (status, body)


def s3_get(url, bucket, key):
    status, headers, body = aws(url, "s3", "GET", "/%s/%s" % (
        bucket, urllib.parse.quote(key)))
    return status, body, headers


def s3_put(url, bucket, key, body, headers=None):
    status, hd, out = aws(url, "s3", "PUT", "/%s/%s" % (
        bucket, urllib.parse.quote(key)), body, headers)
    return status, hd, out


def personalize(url, op, payload):
    status, _, body = aws(url, "personalize", "POST", "/",
                          json.dumps(payload),
                          {"Content-Type": "application/x-amz-json-1.1",
                           "X-Amz-Target": "AmazonPersonalize." + op})
    assert status == 200, (op, status, body)
    return json.loads(body or b"{}")


def wait_active(url, op, arn_member, arn, response, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        d = personalize(url, op, {arn_member: arn})[response]
        if d["status"] == "ACTIVE":
            return d
        time.sleep(0.05)
    raise AssertionError("%s never became ACTIVE" % arn)


# --- specs and state documents ---------------------------------------------

def write_spec(directory, backend=None, extra=""):
    """A minimal valid spec (one dataset group) with backend as pz.backend
    (a dict, written as JSON inside the YAML)."""
    os.makedirs(directory, exist_ok=True)
    text = "pz:\n  region: us-east-1\n"
    if backend is not None:
        text += "  backend: %s\n" % json.dumps(backend)
    text += "datasetGroup: {name: demo}\n" + extra
    path = os.path.join(directory, "pz.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


def campaign(key, deps=()):
    return {"address": "campaign." + key, "type": "campaign",
            "arn": "arn:aws:personalize:us-east-1:%s:campaign/%s"
                   % (harness.ACCOUNT, key),
            "status": "ACTIVE", "attributes": {"name": key},
            "dependencies": list(deps)}


def state_doc(resources, serial=1, lineage=None):
    return json.dumps({"format_version": 1, "pz_version": "test",
                       "serial": serial,
                       "lineage": lineage or str(uuid.uuid4()),
                       "git_commit": None, "resources": resources},
                      indent=2) + "\n"


def check_state(text):
    """Parses a stored state and checks its shape: never torn."""
    doc = json.loads(text)
    assert doc["format_version"] == 1 and isinstance(doc["serial"], int)
    uuid.UUID(doc["lineage"])
    return doc


def _toggle(names):
    return ("campaign.a", "campaign.b") if "campaign.a" in names \
        else ("campaign.b", "campaign.a")


def sigkill_loop(pz, read_state, args, rounds, seed):
    """Runs `pz state mv` (args + FROM TO) rounds times, killing it with
    SIGKILL at a random moment of its usual run time; after each kill the
    stored state (read_state()) must be the old or the new one, whole.
    A lock left by a killed holder is removed with the ID pz names."""
    rnd = random.Random(seed)
    t = []
    for _ in range(3):  # how long a run takes here (ASan is slower)
        src, dst = _toggle({x["address"] for x in read_state()["resources"]})
        t0 = time.time()
        pz.run("state", "mv", *args, src, dst).ok()
        t.append(time.time() - t0)
    typical = sorted(t)[1]
    serial = read_state()["serial"]
    stats = {"new": 0, "old": 0, "locked": 0}
    for _ in range(rounds):
        names = {x["address"] for x in read_state()["resources"]}
        src, dst = _toggle(names)
        p = subprocess.Popen([pz.binary, "state", "mv"] + list(args) +
                             [src, dst], env=pz.env,
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        time.sleep(rnd.uniform(0, typical * 1.1))
        p.kill()
        p.wait()
        st = read_state()  # parses: old or new, never torn
        assert st["serial"] in (serial, serial + 1), (st["serial"], serial)
        if st["serial"] == serial + 1:
            stats["new"] += 1
            assert {x["address"] for x in st["resources"]} == \
                (names - {src}) | {dst}
        else:
            stats["old"] += 1
            assert {x["address"] for x in st["resources"]} == names
        serial = st["serial"]
        r = pz.run("state", "rm", *args, "campaign.zz")
        if "force-unlock" in r.err:
            # As a user would: the message names the ID to remove (also
            # for a lock killed before its content was written).
            stats["locked"] += 1
            m = re.search(r"pz force-unlock (\S+)$", r.err.strip())
            assert r.rc == 1 and m, r
            pz.run("force-unlock", *args, m.group(1)).ok()
    print("    %d kills (run ~%.0f ms): %d after the write, %d before, "
          "%d left the lock" % (rounds, typical * 1000, stats["new"],
                                stats["old"], stats["locked"]))
    return stats


# --- a tiny S3 --------------------------------------------------------------

class StubS3:
    """Path-style S3 on 127.0.0.1 that accepts any signature: PUT, GET,
    HEAD, DELETE of objects (buckets exist implicitly). With
    conditions=False it ignores If-None-Match and If-Match, like a store
    without conditional writes. Scripted faults: drop_after_put is a set
    of keys whose next PUT is stored and then answered by closing the
    connection (a lost response: the client retries). Requests are
    recorded as (method, key, headers)."""

    def __init__(self, conditions=True):
        self.conditions = conditions
        self.objects = {}  # key -> (bytes, etag)
        self.requests = []
        self.drop_after_put = set()
        self.lock = threading.Lock()
        self.n = 0
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _key(self):
                path = urllib.parse.urlsplit(self.path).path
                parts = path.lstrip("/").split("/", 1)
                return urllib.parse.unquote(parts[1]) if len(parts) > 1 \
                    else ""

            def _reply(self, status, body=b"", headers=None):
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _error(self, status, code):
                self._reply(status, ("<?xml version=\"1.0\"?><Error><Code>"
                                     "%s</Code><Message>%s</Message>"
                                     "</Error>" % (code, code)).encode(),
                            {"Content-Type": "application/xml"})

            def _any(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                key = self._key()
                with outer.lock:
                    outer.requests.append((self.command, key,
                                           dict(self.headers)))
                    cur = outer.objects.get(key)
                    inm = self.headers.get("If-None-Match")
                    im = self.headers.get("If-Match")
                    if outer.conditions and self.command in ("PUT",
                                                             "DELETE"):
                        if inm == "*" and cur is not None:
                            return self._error(412, "PreconditionFailed")
                        if im and cur is None:
                            return self._error(404, "NoSuchKey")
                        if im and cur[1] != im:
                            return self._error(412, "PreconditionFailed")
                    if self.command == "PUT":
                        outer.n += 1
                        etag = '"%s-%d"' % (hashlib.md5(body).hexdigest(),
                                            outer.n)
                        outer.objects[key] = (body, etag)
                        if key in outer.drop_after_put:
                            outer.drop_after_put.discard(key)
                            self.close_connection = True
                            self.connection.shutdown(socket.SHUT_RDWR)
                            return
                        return self._reply(200, b"", {"ETag": etag})
                    if self.command == "DELETE":
                        outer.objects.pop(key, None)
                        return self._reply(204)
                    if cur is None:
                        return self._error(404, "NoSuchKey")
                    return self._reply(200, cur[0], {"ETag": cur[1]})

            do_GET = do_PUT = do_DELETE = do_HEAD = _any

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.httpd.server_address[1]

    def ops(self):
        with self.lock:
            return [(m, k) for m, k, _ in self.requests]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        return False


# --- moto -------------------------------------------------------------------

def _moto_python():
    """A Python that can run `python3 -m moto.server`, or None."""
    cands = [shutil.which("python3"), sys.executable, "/usr/bin/python3"]
    for py in dict.fromkeys(c for c in cands if c):
        try:
            p = subprocess.run([py, "-c", "import moto.server, flask"],
                               capture_output=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if p.returncode == 0:
            return py
    return None


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Moto:
    """moto's S3 in server mode (`python3 -m moto.server`), an S3
    implementation independent of ours. Raises harness.Skip when no
    Python here has moto."""

    def __init__(self):
        self.py = _moto_python()
        if not self.py:
            raise harness.Skip("moto is not installed for any python3 here "
                               "(pip install 'moto[server]')")
        self.proc = None

    def __enter__(self):
        for _ in range(5):
            self.port = _free_port()
            self.log = open(os.devnull, "wb")
            self.proc = subprocess.Popen(
                [self.py, "-m", "moto.server", "-H", "127.0.0.1", "-p",
                 str(self.port)], stdout=self.log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)
            deadline = time.time() + 30
            while time.time() < deadline and self.proc.poll() is None:
                try:
                    c = http.client.HTTPConnection("127.0.0.1", self.port,
                                                   timeout=2)
                    c.request("GET", "/moto-api/")
                    c.getresponse().read()
                    c.close()
                    return self
                except OSError:
                    time.sleep(0.1)
            self._stop()
        raise RuntimeError("moto.server did not start")

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def _stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        self.log.close()

    def __exit__(self, *exc):
        self._stop()
        return False
