"""HTTP server and routing: one port, every service, 127.0.0.1 only.

A ThreadingHTTPServer speaking HTTP/1.1 with keep-alive; each response is
written in one piece with its Content-Length. /__sim/* goes to the control
endpoints (unsigned). Any other request is routed by the service in its
SigV4 credential scope (X-Amz-Target and the path pick among the three
Personalize APIs), then: injected latency (slept outside every lock),
dropped connection, signature check, throttling/5xx faults, the
service's handler, and a record in /__sim/calls.
"""

import http.server
import json
import socket
import sys
import time
import traceback
import uuid
from urllib.parse import parse_qsl, unquote

from . import control, sigv4
from .errors import AwsError, DropConnection, render
from .service import Request, Response

RUNTIME_PATHS = ("/recommendations", "/personalize-ranking",
                 "/action-recommendations")
EVENTS_PATHS = ("/events", "/items", "/users", "/actions",
                "/action-interactions")
MAX_BODY = 5 * 1024 ** 3


def parse_query(qs):
    """Decoded (key, value) pairs of a query string, '+' kept literal."""
    out = []
    if not qs:
        return out
    for part in qs.split("&"):
        if not part:
            continue
        k, _, v = part.partition("=")
        out.append((unquote(k), unquote(v)))
    return out


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "AmazonS3"
    sys_version = ""
    disable_nagle_algorithm = True
    timeout = 600

    def log_message(self, fmt, *args):
        if self.server.sim.opts.verbose:
            sys.stderr.write("pzsim: %s - %s\n" % (self.address_string(),
                                                   fmt % args))

    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_GET

    # --- plumbing ------------------------------------------------------

    def read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n",
                                                              b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        if n < 0 or n > MAX_BODY:
            raise ValueError("bad Content-Length")
        return self.rfile.read(n) if n else b""

    def send(self, resp, head=False):
        status = resp.status
        reason = self.responses.get(status, ("",))[0]
        body = resp.body or b""
        lines = ["HTTP/1.1 %d %s" % (status, reason),
                 "Date: " + self.date_time_string()]
        have = set()
        for k, v in resp.headers:
            lines.append("%s: %s" % (k, v))
            have.add(k.lower())
        if "content-length" not in have:
            n = resp.content_length if resp.content_length is not None \
                else len(body)
            lines.append("Content-Length: %d" % n)
        if self.close_connection:
            lines.append("Connection: close")
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if not head:
            data += body
        self.wfile.write(data)

    def send_json(self, status, obj):
        body = json.dumps(obj, indent=1).encode()
        self.send(Response(status, [("Content-Type", "application/json")],
                           body))

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # --- dispatch --------------------------------------------------------

    def dispatch(self):
        sim = self.server.sim
        raw_path, _, qs = self.path.partition("?")
        if raw_path.startswith("/__sim/") or raw_path == "/__sim":
            try:
                body = self.read_body()
            except ValueError:
                self.close_connection = True
                return
            control.handle(self, sim, self.command, raw_path, qs, body)
            return
        t0 = time.time()
        req = Request()
        req.method = self.command
        req.raw_path = raw_path or "/"
        req.path = unquote(req.raw_path)
        req.query = parse_query(qs)
        req.qdict = {}
        for k, v in req.query:
            req.qdict.setdefault(k, v)
        req.headers = self.headers
        req.host = self.headers.get("Host", "")
        req.request_id = uuid.uuid4().hex.upper()[:20]
        req.body = None
        svc = None
        ctx = None
        try:
            try:
                svc = self.route(req)
                ctx = svc.begin(req)
                if req.body is None:
                    req.body = self.read_body()
                if svc.protocol == "query" and req.form is None:
                    req.form = self.form(req)
                req.op = svc.identify(req)
                delay = sim.faults.latency(req.op)
                if delay:
                    time.sleep(delay)  # outside every lock
                resp = self.process(sim, svc, req)
            except ValueError:
                raise AwsError("IncompleteBody", "The request body could not"
                               " be read", 400)
        except DropConnection:
            sim.record_call(req, svc, 0, "ConnectionDropped", t0)
            self.drop()
            return
        except AwsError as e:
            if req.body is None:
                self.close_connection = True  # unread body: unusable stream
            resp = self.error(svc, e, req)
        finally:
            if svc is not None:
                svc.end(ctx)
        sim.record_call(req, svc, resp.status, resp.error_code, t0)
        try:
            self.send(resp, head=req.method == "HEAD")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def process(self, sim, svc, req):
        try:
            if not (svc.allow_unsigned(req) and
                    not self.headers.get("Authorization") and
                    "X-Amz-Credential" not in req.qdict):
                try:
                    req.auth = sigv4.verify(req, sim.lookup_credential,
                                            sim.opts.region, sim.auth_now(),
                                            svc.signing_name)
                except sigv4.AuthFailure as f:
                    raise sigv4.failure_to_error(f, svc.protocol)
            sim.faults.check(svc.protocol, req.op)
            resp = svc.handle(req)
            if sim.faults.lose_answer(req.op):
                raise DropConnection()
            return resp
        except (AwsError, DropConnection):
            raise
        except Exception:
            traceback.print_exc()
            raise AwsError("InternalFailure", "The simulator failed to "
                           "process the request (see its log).", 500)

    def error(self, svc, e, req):
        if svc is None:
            st, hd, bd = render(e, "json", req.request_id)
            resp = Response(st, hd, bd)
        else:
            resp = svc.error_response(e, req)
        resp.error_code = e.code
        return resp

    @staticmethod
    def form(req):
        """Query-protocol parameters: the query string plus a form body."""
        params = dict(req.qdict)
        ctype = (req.headers.get("Content-Type") or "").lower()
        if req.body and ("x-www-form-urlencoded" in ctype or not ctype):
            for k, v in parse_qsl(req.body.decode("utf-8", "replace"),
                                  keep_blank_values=True):
                params[k] = v
        return params

    def route(self, req):
        """Pick the service for req (not yet authenticated)."""
        sim = self.server.sim
        svcs = sim.services
        scope = sigv4.scope_of(req.headers, req.query)
        signing = scope[3] if scope else None
        target = req.headers.get("X-Amz-Target") or ""
        if signing == "personalize" or target.startswith(
                "AmazonPersonalize."):
            if target:
                return svcs["personalize"]
            if req.path in RUNTIME_PATHS:
                return svcs["personalize-runtime"]
            if req.path in EVENTS_PATHS:
                return svcs["personalize-events"]
            return svcs["personalize"]
        if signing in ("s3", "sts", "sns"):
            return svcs[signing]
        if target:
            return svcs["personalize"]
        if req.path in RUNTIME_PATHS:
            return svcs["personalize-runtime"]
        ctype = (req.headers.get("Content-Type") or "").lower()
        if "x-www-form-urlencoded" in ctype or "Action" in req.qdict:
            # Query protocol: STS or SNS, told apart by their Version.
            # The body is needed; read it now.
            req.body = self.read_body()
            req.form = self.form(req)
            if req.form.get("Version") == "2010-03-31":
                return svcs["sns"]
            return svcs["sts"]
        return svcs["s3"]


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

    def __init__(self, sim, port=0):
        self.sim = sim
        super().__init__(("127.0.0.1", port), Handler)
