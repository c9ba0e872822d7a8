"""Amazon S3 (REST-XML), path and virtual-host style.

Buckets, objects (bodies kept as blobs under --data-dir), ListObjects V1
and V2 with continuation tokens, conditional writes (If-None-Match: * and
If-Match: 412 PreconditionFailed, 409 ConditionalRequestConflict while
another conditional write to the key is in flight), server-side
encryption headers stored and echoed, Content-MD5 and x-amz-checksum-*
verified, aws-chunked uploads decoded, multipart uploads, ranges,
conditional reads, CopyObject and DeleteObjects.
"""

import base64
import email.utils
import hashlib
import re
import threading
import time
import xml.etree.ElementTree as ET
import zlib
from urllib.parse import quote, quote_plus, unquote
from xml.sax.saxutils import escape

from . import sigv4
from .errors import AwsError
from .service import Response, Service

NS = "http://s3.amazonaws.com/doc/2006-03-01/"
SSE_VALUES = ("AES256", "aws:kms", "aws:kms:dsse")
MIN_PART = 5 * 1024 * 1024
CHECKSUMS = ("crc32", "crc32c", "crc64nvme", "sha1", "sha256")
_IP = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")

_NOT_IMPL = ("A header you provided implies functionality that is not "
             "implemented")


def _crc32c_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


_CRC32C = None


def crc32c(data):
    global _CRC32C
    if _CRC32C is None:
        _CRC32C = _crc32c_table()
    t = _CRC32C
    c = 0xFFFFFFFF
    for b in data:
        c = t[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def checksum(algo, data):
    """The base64 value of an x-amz-checksum-<algo> header, or None."""
    if algo == "crc32":
        raw = zlib.crc32(data).to_bytes(4, "big")
    elif algo == "crc32c":
        raw = crc32c(data).to_bytes(4, "big")
    elif algo == "sha1":
        raw = hashlib.sha1(data).digest()
    elif algo == "sha256":
        raw = hashlib.sha256(data).digest()
    else:
        return None
    return base64.b64encode(raw).decode()


def valid_bucket_name(name):
    if not _BUCKET.match(name) or ".." in name or _IP.match(name):
        return False
    if name.startswith(("xn--", "sthree-")) or name.endswith(
            ("-s3alias", "--ol-s3", ".mrap", "--x-s3")):
        return False
    return ".-" not in name and "-." not in name


def iso_ms(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".000Z"


def http_date(t):
    return email.utils.formatdate(t, usegmt=True)


def _strip_ns(tag):
    return tag.split("}", 1)[-1]


def _xml_doc(root, inner):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<%s xmlns="%s">%s</%s>'
            % (root, NS, inner, root)).encode()


def _el(tag, value):
    return "<%s>%s</%s>" % (tag, escape(str(value)), tag)


class S3(Service):
    name = "s3"
    protocol = "rest-xml"
    signing_name = "s3"

    def __init__(self, sim, model):
        super().__init__(sim, model)
        self._inflight = set()
        self._inflight_lock = threading.Lock()

    # --- state ---------------------------------------------------------

    def _buckets(self):
        return self.sim.store.section("s3").setdefault("buckets", {})

    def _uploads(self):
        return self.sim.store.section("s3").setdefault("uploads", {})

    def state_buckets(self):
        with self.sim.store.lock:
            out = []
            for name, b in sorted(self._buckets().items()):
                out.append({"name": name, "created": b["created"],
                            "objects": [{"key": k, "size": o["size"],
                                         "etag": o["etag"]}
                                        for k, o in sorted(
                                            b["objects"].items())]})
            return out

    def get_object_bytes(self, bucket, key):
        """Body of an object, or None (used by Personalize import jobs)."""
        with self.sim.store.lock:
            b = self._buckets().get(bucket)
            o = b["objects"].get(key) if b else None
            blob = o["blob"] if o else None
        return self.sim.store.read_blob(blob) if blob else None

    def list_keys(self, bucket, prefix):
        """[(key, size)] under prefix, or None when the bucket is missing."""
        with self.sim.store.lock:
            b = self._buckets().get(bucket)
            if b is None:
                return None
            return [(k, o["size"]) for k, o in sorted(b["objects"].items())
                    if k.startswith(prefix)]

    def put_object_bytes(self, bucket, key, data, content_type=
                         "application/octet-stream"):
        """Write an object on the service's behalf (batch job output)."""
        blob = self.sim.store.put_blob(data)
        with self.sim.store.lock:
            b = self._buckets().get(bucket)
            if b is None:
                self.sim.store.delete_blob(blob)
                return False
            old = b["objects"].get(key)
            b["objects"][key] = self._record(key, data, blob, content_type,
                                             {}, {"sse": "AES256"}, {})
            self.sim.store.commit()
        if old:
            self.sim.store.delete_blob(old["blob"])
        return True

    def _record(self, key, data, blob, ctype, meta, sse, sums, etag=None):
        return {"size": len(data), "blob": blob,
                "etag": etag or '"%s"' % hashlib.md5(data).hexdigest(),
                "lastModified": int(self.sim.now()),
                "contentType": ctype, "meta": meta, "sse": sse,
                "checksums": sums}

    # --- routing ---------------------------------------------------------

    def _bucket_key(self, req):
        host = (req.host or "").rsplit(":", 1)[0].lower() \
            if not req.host.startswith("[") else ""
        vbucket = None
        if host.endswith(".localhost"):
            vbucket = host[:-len(".localhost")]
        elif ".s3." in host or ".s3-" in host:
            vbucket = re.split(r"\.s3[.-]", host, 1)[0]
        path = req.path
        if vbucket:
            key = path[1:] if path.startswith("/") else path
            return vbucket, key or None
        parts = path.lstrip("/").split("/", 1)
        bucket = parts[0] or None
        key = parts[1] if len(parts) > 1 and parts[1] != "" else None
        return bucket, key

    def identify(self, req):
        bucket, key = self._bucket_key(req)
        req.params = (bucket, key)
        req.logged = dict(req.qdict)
        if bucket is not None:
            req.logged["Bucket"] = bucket
        if key is not None:
            req.logged["Key"] = key
        q = req.qdict
        m = req.method
        h = req.headers
        if bucket is None:
            return "ListBuckets" if m == "GET" else "Unknown"
        if key is None:
            if m == "PUT":
                for sub, op in (("versioning", "PutBucketVersioning"),
                                ("encryption", "PutBucketEncryption"),
                                ("tagging", "PutBucketTagging"),
                                ("policy", "PutBucketPolicy"),
                                ("acl", "PutBucketAcl")):
                    if sub in q:
                        return op
                return "CreateBucket"
            if m == "GET":
                if "location" in q:
                    return "GetBucketLocation"
                if q.get("list-type") == "2":
                    return "ListObjectsV2"
                for sub, op in (("uploads", "ListMultipartUploads"),
                                ("versioning", "GetBucketVersioning"),
                                ("encryption", "GetBucketEncryption"),
                                ("versions", "ListObjectVersions"),
                                ("tagging", "GetBucketTagging"),
                                ("policy", "GetBucketPolicy"),
                                ("acl", "GetBucketAcl")):
                    if sub in q:
                        return op
                return "ListObjects"
            if m == "HEAD":
                return "HeadBucket"
            if m == "DELETE":
                return "DeleteBucket"
            if m == "POST" and "delete" in q:
                return "DeleteObjects"
            return "Unknown"
        if m == "PUT":
            if "partNumber" in q and "uploadId" in q:
                return ("UploadPartCopy" if h.get("x-amz-copy-source")
                        else "UploadPart")
            if "tagging" in q:
                return "PutObjectTagging"
            if "acl" in q:
                return "PutObjectAcl"
            if h.get("x-amz-copy-source"):
                return "CopyObject"
            return "PutObject"
        if m == "GET":
            if "uploadId" in q:
                return "ListParts"
            if "tagging" in q:
                return "GetObjectTagging"
            if "attributes" in q:
                return "GetObjectAttributes"
            if "acl" in q:
                return "GetObjectAcl"
            return "GetObject"
        if m == "HEAD":
            return "HeadObject"
        if m == "DELETE":
            return ("AbortMultipartUpload" if "uploadId" in q
                    else "DeleteObject")
        if m == "POST":
            if "uploads" in q:
                return "CreateMultipartUpload"
            if "uploadId" in q:
                return "CompleteMultipartUpload"
        return "Unknown"

    # conditional-write conflicts: registered before the body is read
    def begin(self, req):
        h = req.headers
        if req.method not in ("PUT", "POST") or not (
                h.get("If-None-Match") or h.get("If-Match")):
            return None
        bucket, key = self._bucket_key(req)
        if not bucket or not key:
            return None
        k = (bucket, key)
        with self._inflight_lock:
            if k in self._inflight:
                req.ctx = "conflict"
                return None
            self._inflight.add(k)
        return k

    def end(self, ctx):
        if ctx is not None:
            with self._inflight_lock:
                self._inflight.discard(ctx)

    def handle(self, req):
        fn = getattr(self, "op_" + req.op, None)
        if fn is None:
            raise AwsError("NotImplemented", _NOT_IMPL, 501)
        bucket = req.params[0] if req.params else None
        if bucket:
            with self.sim.store.lock:
                b = self._buckets().get(bucket)
                denied = req.op in (b or {}).get("deny", ())
            if denied:
                raise AwsError("AccessDenied", "Access Denied", 403)
        return fn(req, *req.params)

    def deny(self, bucket, operations):
        """A bucket policy that denies operations to every caller, and
        not to Personalize's role: the service's own reads and writes
        (imports, batch jobs) go on. Raises ValueError when invalid."""
        if not isinstance(operations, list) or not all(
                isinstance(o, str) and hasattr(self, "op_" + o)
                for o in operations):
            raise ValueError("operations must be a list of S3 operation "
                             "names (ListObjectsV2, GetObject, ...)")
        with self.sim.store.lock:
            b = self._buckets().get(bucket)
            if b is None:
                raise ValueError("no bucket %r" % (bucket,))
            b["deny"] = sorted(set(operations))

    def error_response(self, err, req):
        resp = super().error_response(err, req)
        if req.method == "HEAD":
            resp.body = b""
        return resp

    # --- helpers -----------------------------------------------------------

    def _ok(self, req, status=200, headers=None, body=b""):
        hd = [("x-amz-request-id", req.request_id),
              ("x-amz-id-2", req.request_id)]
        if headers:
            hd.extend(headers)
        if body and not any(k.lower() == "content-type" for k, _ in hd):
            hd.append(("Content-Type", "application/xml"))
        return Response(status, hd, body)

    def _bucket(self, name):
        b = self._buckets().get(name)
        if b is None:
            raise AwsError("NoSuchBucket", "The specified bucket does not "
                           "exist", 404, {"BucketName": name})
        return b

    def _payload(self, req):
        """The object bytes of a write: aws-chunked decoded, checksums."""
        h = req.headers
        body = req.body or b""
        sha = h.get("x-amz-content-sha256") or ""
        trailers = {}
        if sha.startswith("STREAMING-") or "aws-chunked" in (
                h.get("Content-Encoding") or ""):
            if req.auth is None or not sha.startswith("STREAMING-"):
                raise AwsError("InvalidRequest", "aws-chunked encoding "
                               "requires a STREAMING x-amz-content-sha256")
            body, trailers = sigv4.decode_aws_chunked(body, req.auth)
            dlen = h.get("x-amz-decoded-content-length")
            if dlen is not None and int(dlen) != len(body):
                raise AwsError("IncompleteBody", "You did not provide the "
                               "number of bytes specified by the "
                               "Content-Length HTTP header", 400)
        md5 = h.get("Content-MD5")
        if md5 is not None:
            try:
                want = base64.b64decode(md5, validate=True)
            except ValueError:
                want = b""
            if len(want) != 16:
                raise AwsError("InvalidDigest", "The Content-MD5 you "
                               "specified was invalid.", 400,
                               {"Content-MD5": md5})
            if hashlib.md5(body).digest() != want:
                raise AwsError("BadDigest", "The Content-MD5 you specified "
                               "did not match what we received.", 400,
                               {"ExpectedDigest": md5,
                                "CalculatedDigest": base64.b64encode(
                                    hashlib.md5(body).digest()).decode()})
        sums = {}
        for algo in CHECKSUMS:
            name = "x-amz-checksum-" + algo
            given = h.get(name) or trailers.get(name)
            if not given:
                continue
            actual = checksum(algo, body)
            if actual is not None and actual != given:
                raise AwsError("BadDigest", "The %s you specified did not "
                               "match the calculated checksum."
                               % algo.upper(), 400)
            sums[algo] = given
        return body, sums

    def _sse(self, req):
        h = req.headers
        alg = h.get("x-amz-server-side-encryption")
        kid = h.get("x-amz-server-side-encryption-aws-kms-key-id")
        ctx = h.get("x-amz-server-side-encryption-context")
        bke = h.get("x-amz-server-side-encryption-bucket-key-enabled")
        if h.get("x-amz-server-side-encryption-customer-algorithm"):
            raise AwsError("NotImplemented", _NOT_IMPL, 501,
                           {"Header": "x-amz-server-side-encryption-"
                            "customer-algorithm"})
        if alg is not None and alg not in SSE_VALUES:
            raise AwsError("InvalidArgument", "The encryption method "
                           "specified is not supported", 400,
                           {"ArgumentName": "x-amz-server-side-encryption",
                            "ArgumentValue": alg})
        if (kid or ctx) and alg not in ("aws:kms", "aws:kms:dsse"):
            raise AwsError("InvalidArgument", "Server Side Encryption with "
                           "AWS KMS managed key requires HTTP header "
                           "x-amz-server-side-encryption : aws:kms", 400)
        if bke is not None and bke.lower() not in ("true", "false"):
            raise AwsError("InvalidArgument", "Invalid value for "
                           "x-amz-server-side-encryption-bucket-key-enabled",
                           400)
        sse = {"sse": alg or "AES256"}
        if alg in ("aws:kms", "aws:kms:dsse"):
            sse["kmsKeyId"] = kid or (
                "arn:aws:kms:%s:%s:key/aws-s3-managed-default"
                % (self.sim.opts.region, self.sim.opts.account_id))
            if ctx:
                sse["context"] = ctx
        if bke is not None:
            sse["bucketKey"] = bke.lower() == "true"
        return sse

    @staticmethod
    def _sse_headers(sse):
        hd = [("x-amz-server-side-encryption", sse.get("sse", "AES256"))]
        if "kmsKeyId" in sse:
            hd.append(("x-amz-server-side-encryption-aws-kms-key-id",
                       sse["kmsKeyId"]))
        if "context" in sse:
            hd.append(("x-amz-server-side-encryption-context",
                       sse["context"]))
        if sse.get("bucketKey"):
            hd.append(("x-amz-server-side-encryption-bucket-key-enabled",
                       "true"))
        return hd

    @staticmethod
    def _meta(req):
        return {k.lower()[len("x-amz-meta-"):]: v
                for k, v in req.headers.items()
                if k.lower().startswith("x-amz-meta-")}

    def _check_key(self, key):
        if len(key.encode()) > 1024:
            raise AwsError("KeyTooLongError", "Your key is too long", 400,
                           {"Size": len(key.encode()), "MaxSizeAllowed":
                            1024})

    def _conditional_write(self, req, bucket_rec, key):
        """Check If-None-Match / If-Match against the current object."""
        h = req.headers
        if req.ctx == "conflict":
            raise AwsError("ConditionalRequestConflict", "A conflicting "
                           "conditional operation is currently in progress "
                           "against this resource. Please try again.", 409,
                           {"Key": key})
        inm = h.get("If-None-Match")
        im = h.get("If-Match")
        cur = bucket_rec["objects"].get(key)
        if inm is not None:
            if inm.strip() != "*":
                raise AwsError("NotImplemented", _NOT_IMPL, 501,
                               {"Header": "If-None-Match"})
            if cur is not None:
                raise AwsError("PreconditionFailed", "At least one of the "
                               "pre-conditions you specified did not hold",
                               412, {"Condition": "If-None-Match"})
        if im is not None:
            if cur is None:
                raise AwsError("NoSuchKey", "The specified key does not "
                               "exist.", 404, {"Key": key})
            tags = [t.strip() for t in im.split(",")]
            if cur["etag"] not in tags and '"%s"' % im.strip('"') != \
                    cur["etag"] and im.strip() != "*":
                raise AwsError("PreconditionFailed", "At least one of the "
                               "pre-conditions you specified did not hold",
                               412, {"Condition": "If-Match"})

    # --- buckets -----------------------------------------------------------

    def op_ListBuckets(self, req, bucket, key):
        with self.sim.store.lock:
            items = sorted(self._buckets().items())
        inner = ("<Owner><ID>%s</ID><DisplayName>pz-sim</DisplayName>"
                 "</Owner><Buckets>" % self.sim.opts.account_id +
                 "".join("<Bucket>%s%s</Bucket>" % (
                     _el("Name", n), _el("CreationDate", iso_ms(b["created"])))
                     for n, b in items) + "</Buckets>")
        return self._ok(req, body=_xml_doc("ListAllMyBucketsResult", inner))

    def op_CreateBucket(self, req, bucket, key):
        if not valid_bucket_name(bucket):
            raise AwsError("InvalidBucketName", "The specified bucket is not "
                           "valid.", 400, {"BucketName": bucket})
        region = self.sim.opts.region
        loc = None
        if req.body and req.body.strip():
            try:
                root = ET.fromstring(req.body)
            except ET.ParseError:
                raise AwsError("MalformedXML", "The XML you provided was not "
                               "well-formed or did not validate against our "
                               "published schema", 400)
            for el in root.iter():
                if _strip_ns(el.tag) == "LocationConstraint":
                    loc = (el.text or "").strip()
        if region == "us-east-1":
            if loc == "us-east-1":
                raise AwsError("InvalidLocationConstraint", "The specified "
                               "location-constraint is not valid", 400,
                               {"LocationConstraint": loc})
            if loc:
                raise AwsError("IllegalLocationConstraintException", "The %s "
                               "location constraint is incompatible for the "
                               "region specific endpoint this request was "
                               "sent to." % loc, 400)
        elif loc != region:
            what = ("unspecified" if not loc else loc)
            raise AwsError("IllegalLocationConstraintException", "The %s "
                           "location constraint is incompatible for the "
                           "region specific endpoint this request was sent "
                           "to." % what, 400)
        with self.sim.store.lock:
            buckets = self._buckets()
            if bucket in buckets:
                if region != "us-east-1":
                    raise AwsError("BucketAlreadyOwnedByYou", "Your previous "
                                   "request to create the named bucket "
                                   "succeeded and you already own it.", 409,
                                   {"BucketName": bucket})
            else:
                buckets[bucket] = {"created": int(self.sim.now()),
                                   "objects": {}}
                self.sim.store.commit()
        return self._ok(req, headers=[("Location", "/" + bucket)])

    def op_HeadBucket(self, req, bucket, key):
        with self.sim.store.lock:
            self._bucket(bucket)
        return self._ok(req, headers=[("x-amz-bucket-region",
                                       self.sim.opts.region)])

    def op_GetBucketLocation(self, req, bucket, key):
        with self.sim.store.lock:
            self._bucket(bucket)
        region = self.sim.opts.region
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint'
                ' xmlns="%s">%s</LocationConstraint>'
                % (NS, "" if region == "us-east-1" else region)).encode()
        return self._ok(req, body=body)

    def op_GetBucketVersioning(self, req, bucket, key):
        with self.sim.store.lock:
            self._bucket(bucket)
        return self._ok(req, body=_xml_doc("VersioningConfiguration", ""))

    def op_GetBucketEncryption(self, req, bucket, key):
        with self.sim.store.lock:
            self._bucket(bucket)
        inner = ("<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>"
                 "AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault>"
                 "<BucketKeyEnabled>false</BucketKeyEnabled></Rule>")
        return self._ok(req, body=_xml_doc(
            "ServerSideEncryptionConfiguration", inner))

    def op_DeleteBucket(self, req, bucket, key):
        with self.sim.store.lock:
            b = self._bucket(bucket)
            if b["objects"] or any(u["bucket"] == bucket
                                   for u in self._uploads().values()):
                raise AwsError("BucketNotEmpty", "The bucket you tried to "
                               "delete is not empty", 409,
                               {"BucketName": bucket})
            del self._buckets()[bucket]
            self.sim.store.commit()
        return self._ok(req, 204)

    # --- listing ---------------------------------------------------------

    def _list(self, bucket, prefix, delimiter, after, max_keys):
        """Keys and common prefixes after `after`, at most max_keys."""
        with self.sim.store.lock:
            objs = self._bucket(bucket)["objects"]
            keys = sorted(k for k in objs if k.startswith(prefix)
                          and k > after)
            snapshot = {k: dict(objs[k]) for k in keys}
        entries = []  # (sort key, kind, value)
        seen = set()
        truncated = False
        for k in keys:
            if delimiter:
                rest = k[len(prefix):]
                i = rest.find(delimiter)
                if i >= 0:
                    cp = prefix + rest[:i + len(delimiter)]
                    if cp in seen:
                        continue
                    if cp <= after:
                        continue
                    if len(entries) >= max_keys:
                        truncated = True
                        break
                    seen.add(cp)
                    entries.append((cp, "prefix", cp))
                    continue
            if len(entries) >= max_keys:
                truncated = True
                break
            entries.append((k, "key", snapshot[k]))
        return entries, truncated

    def _max_keys(self, req):
        v = req.qdict.get("max-keys", "1000")
        try:
            n = int(v)
        except ValueError:
            raise AwsError("InvalidArgument", "Provided max-keys not an "
                           "integer or within integer range", 400,
                           {"ArgumentName": "max-keys", "ArgumentValue": v})
        if n < 0:
            raise AwsError("InvalidArgument", "Argument maxKeys must be an "
                           "integer between 0 and 2147483647", 400,
                           {"ArgumentName": "maxKeys", "ArgumentValue": v})
        return min(n, 1000)

    def _contents(self, entries, enc):
        out = []
        for sk, kind, v in entries:
            if kind == "key":
                out.append("<Contents>%s%s%s%s<StorageClass>STANDARD"
                           "</StorageClass></Contents>" % (
                               _el("Key", enc(sk)),
                               _el("LastModified", iso_ms(v["lastModified"])),
                               _el("ETag", v["etag"]), _el("Size", v["size"])))
        for sk, kind, v in entries:
            if kind == "prefix":
                out.append("<CommonPrefixes>%s</CommonPrefixes>"
                           % _el("Prefix", enc(v)))
        return "".join(out)

    @staticmethod
    def _encoder(req):
        et = req.qdict.get("encoding-type")
        if et is None:
            return lambda s: s, None
        if et != "url":
            raise AwsError("InvalidArgument", "Invalid Encoding Method "
                           "specified in Request", 400,
                           {"ArgumentName": "encoding-type",
                            "ArgumentValue": et})
        return (lambda s: quote_plus(s, safe="/")), "url"

    def op_ListObjectsV2(self, req, bucket, key):
        q = req.qdict
        prefix = q.get("prefix", "")
        delim = q.get("delimiter", "")
        token = q.get("continuation-token")
        start_after = q.get("start-after", "")
        max_keys = self._max_keys(req)
        enc, et = self._encoder(req)
        after = start_after
        if token is not None:
            try:
                after = base64.urlsafe_b64decode(token.encode()).decode()
                if not after.startswith("1/"):
                    raise ValueError
                after = after[2:]
            except ValueError:
                raise AwsError("InvalidArgument", "The continuation token "
                               "provided is incorrect", 400,
                               {"ArgumentName": "continuation-token"})
        entries, truncated = self._list(bucket, prefix, delim, after,
                                        max_keys)
        parts = [_el("Name", bucket), _el("Prefix", enc(prefix)),
                 _el("KeyCount", len(entries)), _el("MaxKeys", max_keys)]
        if delim:
            parts.append(_el("Delimiter", enc(delim)))
        if et:
            parts.append(_el("EncodingType", et))
        parts.append(_el("IsTruncated", "true" if truncated else "false"))
        if token is not None:
            parts.append(_el("ContinuationToken", token))
        if start_after:
            parts.append(_el("StartAfter", enc(start_after)))
        if truncated:
            nxt = base64.urlsafe_b64encode(
                ("1/" + entries[-1][0]).encode()).decode()
            parts.append(_el("NextContinuationToken", nxt))
        parts.append(self._contents(entries, enc))
        return self._ok(req, body=_xml_doc("ListBucketResult",
                                           "".join(parts)))

    def op_ListObjects(self, req, bucket, key):
        q = req.qdict
        prefix = q.get("prefix", "")
        delim = q.get("delimiter", "")
        marker = q.get("marker", "")
        max_keys = self._max_keys(req)
        enc, et = self._encoder(req)
        entries, truncated = self._list(bucket, prefix, delim, marker,
                                        max_keys)
        parts = [_el("Name", bucket), _el("Prefix", enc(prefix)),
                 _el("Marker", enc(marker)), _el("MaxKeys", max_keys)]
        if delim:
            parts.append(_el("Delimiter", enc(delim)))
        if et:
            parts.append(_el("EncodingType", et))
        parts.append(_el("IsTruncated", "true" if truncated else "false"))
        if truncated and delim:
            parts.append(_el("NextMarker", enc(entries[-1][0])))
        parts.append(self._contents(entries, enc))
        return self._ok(req, body=_xml_doc("ListBucketResult",
                                           "".join(parts)))

    # --- objects -----------------------------------------------------------

    def op_PutObject(self, req, bucket, key):
        self._check_key(key)
        with self.sim.store.lock:
            self._bucket(bucket)
        sse = self._sse(req)
        data, sums = self._payload(req)
        blob = self.sim.store.put_blob(data)
        ctype = req.headers.get("Content-Type") or "binary/octet-stream"
        rec = self._record(key, data, blob, ctype, self._meta(req), sse,
                           sums)
        for h in ("Content-Encoding", "Content-Disposition",
                  "Cache-Control", "Content-Language"):
            v = req.headers.get(h)
            if v and not (h == "Content-Encoding" and v == "aws-chunked"):
                rec.setdefault("headers", {})[h] = v.replace(
                    "aws-chunked,", "").strip()
        old = None
        try:
            with self.sim.store.lock:
                b = self._bucket(bucket)
                self._conditional_write(req, b, key)
                old = b["objects"].get(key)
                b["objects"][key] = rec
                self.sim.store.commit()
        except AwsError:
            self.sim.store.delete_blob(blob)
            raise
        if old:
            self.sim.store.delete_blob(old["blob"])
        hd = [("ETag", rec["etag"])] + self._sse_headers(sse)
        for algo, v in sums.items():
            hd.append(("x-amz-checksum-" + algo, v))
        return self._ok(req, headers=hd)

    def _get_obj(self, bucket, key):
        b = self._bucket(bucket)
        o = b["objects"].get(key)
        if o is None:
            raise AwsError("NoSuchKey", "The specified key does not exist.",
                           404, {"Key": key})
        return dict(o)

    def _read_conditions(self, req, o):
        h = req.headers
        etag = o["etag"]
        im = h.get("If-Match")
        if im is not None and im.strip() != "*" and etag not in [
                t.strip() if t.strip().startswith('"') else
                '"%s"' % t.strip() for t in im.split(",")]:
            raise AwsError("PreconditionFailed", "At least one of the "
                           "pre-conditions you specified did not hold", 412,
                           {"Condition": "If-Match"})
        ius = h.get("If-Unmodified-Since")
        if im is None and ius:
            t = email.utils.parsedate_to_datetime(ius).timestamp()
            if o["lastModified"] > t:
                raise AwsError("PreconditionFailed", "At least one of the "
                               "pre-conditions you specified did not hold",
                               412, {"Condition": "If-Unmodified-Since"})
        inm = h.get("If-None-Match")
        if inm is not None and (inm.strip() == "*" or etag in [
                t.strip() if t.strip().startswith('"') else
                '"%s"' % t.strip() for t in inm.split(",")]):
            return True
        ims = h.get("If-Modified-Since")
        if inm is None and ims:
            t = email.utils.parsedate_to_datetime(ims).timestamp()
            if o["lastModified"] <= t:
                return True
        return False

    def _object_headers(self, req, o):
        hd = [("ETag", o["etag"]),
              ("Last-Modified", http_date(o["lastModified"])),
              ("Accept-Ranges", "bytes"),
              ("Content-Type", o.get("contentType") or
               "binary/octet-stream")]
        hd.extend(self._sse_headers(o.get("sse") or {}))
        for k, v in (o.get("meta") or {}).items():
            hd.append(("x-amz-meta-" + k, v))
        for k, v in (o.get("headers") or {}).items():
            hd.append((k, v))
        if (req.headers.get("x-amz-checksum-mode") or "").upper() == \
                "ENABLED":
            for algo, v in (o.get("checksums") or {}).items():
                hd.append(("x-amz-checksum-" + algo, v))
        return hd

    def op_HeadObject(self, req, bucket, key):
        with self.sim.store.lock:
            o = self._get_obj(bucket, key)
        if self._read_conditions(req, o):
            return self._ok(req, 304, [("ETag", o["etag"])])
        hd = self._object_headers(req, o)
        return Response(200, [("x-amz-request-id", req.request_id),
                              ("x-amz-id-2", req.request_id)] + hd, b"",
                        content_length=o["size"])

    def op_GetObject(self, req, bucket, key):
        with self.sim.store.lock:
            o = self._get_obj(bucket, key)
        if self._read_conditions(req, o):
            return self._ok(req, 304, [("ETag", o["etag"])])
        data = self.sim.store.read_blob(o["blob"])
        hd = self._object_headers(req, o)
        rng = req.headers.get("Range")
        status = 200
        if rng:
            m = _RANGE.match(rng.strip())
            size = len(data)
            if m and (m.group(1) or m.group(2)):
                if m.group(1):
                    start = int(m.group(1))
                    end = int(m.group(2)) if m.group(2) else size - 1
                else:
                    start = max(0, size - int(m.group(2)))
                    end = size - 1
                if start >= size or (m.group(1) and m.group(2) and
                                     end < start):
                    raise AwsError("InvalidRange", "The requested range is "
                                   "not satisfiable", 416,
                                   {"RangeRequested": rng,
                                    "ActualObjectSize": size})
                end = min(end, size - 1)
                data = data[start:end + 1]
                hd.append(("Content-Range", "bytes %d-%d/%d"
                           % (start, end, size)))
                status = 206
        resp = self._ok(req, status, hd, data)
        return resp

    def op_DeleteObject(self, req, bucket, key):
        with self.sim.store.lock:
            b = self._bucket(bucket)
            o = b["objects"].pop(key, None)
            if o:
                self.sim.store.commit()
        if o:
            self.sim.store.delete_blob(o["blob"])
        return self._ok(req, 204)

    def op_DeleteObjects(self, req, bucket, key):
        h = req.headers
        if not h.get("Content-MD5") and not any(
                h.get("x-amz-checksum-" + a) for a in CHECKSUMS):
            raise AwsError("InvalidRequest", "Missing required header for "
                           "this request: Content-MD5", 400)
        body, _ = self._payload(req)
        try:
            root = ET.fromstring(body)
        except ET.ParseError:
            raise AwsError("MalformedXML", "The XML you provided was not "
                           "well-formed or did not validate against our "
                           "published schema", 400)
        keys = []
        quiet = False
        for el in root:
            t = _strip_ns(el.tag)
            if t == "Quiet":
                quiet = (el.text or "").strip().lower() == "true"
            elif t == "Object":
                for sub in el:
                    if _strip_ns(sub.tag) == "Key":
                        keys.append(sub.text or "")
        if len(keys) > 1000:
            raise AwsError("MalformedXML", "The XML you provided was not "
                           "well-formed or did not validate against our "
                           "published schema", 400)
        blobs = []
        with self.sim.store.lock:
            b = self._bucket(bucket)
            for k in keys:
                o = b["objects"].pop(k, None)
                if o:
                    blobs.append(o["blob"])
            self.sim.store.commit()
        for bl in blobs:
            self.sim.store.delete_blob(bl)
        inner = "" if quiet else "".join(
            "<Deleted>%s</Deleted>" % _el("Key", k) for k in keys)
        return self._ok(req, body=_xml_doc("DeleteResult", inner))

    def op_CopyObject(self, req, bucket, key):
        self._check_key(key)
        src = unquote(req.headers.get("x-amz-copy-source")).split("?")[0]
        sb, _, sk = src.lstrip("/").partition("/")
        with self.sim.store.lock:
            self._bucket(bucket)
            so = self._get_obj(sb, sk)
        data = self.sim.store.read_blob(so["blob"])
        sse = self._sse(req)
        directive = (req.headers.get("x-amz-metadata-directive") or
                     "COPY").upper()
        if sb == bucket and sk == key and directive == "COPY" and not \
                req.headers.get("x-amz-server-side-encryption"):
            raise AwsError("InvalidRequest", "This copy request is illegal "
                           "because it is trying to copy an object to itself"
                           " without changing the object's metadata, storage"
                           " class, website redirect location or encryption "
                           "attributes.", 400)
        if directive == "REPLACE":
            meta = self._meta(req)
            ctype = req.headers.get("Content-Type") or "binary/octet-stream"
        else:
            meta = so.get("meta") or {}
            ctype = so.get("contentType")
        blob = self.sim.store.put_blob(data)
        rec = self._record(key, data, blob, ctype, meta, sse,
                           so.get("checksums") or {}, etag=so["etag"])
        try:
            with self.sim.store.lock:
                b = self._bucket(bucket)
                self._conditional_write(req, b, key)
                old = b["objects"].get(key)
                b["objects"][key] = rec
                self.sim.store.commit()
        except AwsError:
            self.sim.store.delete_blob(blob)
            raise
        if old:
            self.sim.store.delete_blob(old["blob"])
        inner = _el("LastModified", iso_ms(rec["lastModified"])) + \
            _el("ETag", rec["etag"])
        return self._ok(req, headers=self._sse_headers(sse),
                        body=_xml_doc("CopyObjectResult", inner))

    # --- multipart -------------------------------------------------------

    def op_CreateMultipartUpload(self, req, bucket, key):
        self._check_key(key)
        with self.sim.store.lock:
            self._bucket(bucket)
        sse = self._sse(req)
        uid = self.sim.random_hex(32)
        with self.sim.store.lock:
            self._uploads()[uid] = {
                "bucket": bucket, "key": key, "parts": {},
                "contentType": req.headers.get("Content-Type") or
                "binary/octet-stream", "meta": self._meta(req), "sse": sse,
                "initiated": int(self.sim.now())}
            self.sim.store.commit()
        inner = _el("Bucket", bucket) + _el("Key", key) + _el("UploadId", uid)
        return self._ok(req, headers=self._sse_headers(sse),
                        body=_xml_doc("InitiateMultipartUploadResult", inner))

    def _upload(self, req, bucket, key):
        uid = req.qdict.get("uploadId")
        u = self._uploads().get(uid)
        if u is None or u["bucket"] != bucket or u["key"] != key:
            raise AwsError("NoSuchUpload", "The specified upload does not "
                           "exist. The upload ID may be invalid, or the "
                           "upload may have been aborted or completed.", 404,
                           {"UploadId": uid})
        return uid, u

    def op_UploadPart(self, req, bucket, key):
        try:
            n = int(req.qdict.get("partNumber"))
        except (TypeError, ValueError):
            n = 0
        if not 1 <= n <= 10000:
            raise AwsError("InvalidArgument", "Part number must be an "
                           "integer between 1 and 10000, inclusive", 400,
                           {"ArgumentName": "partNumber"})
        with self.sim.store.lock:
            self._bucket(bucket)
            self._upload(req, bucket, key)
        data, sums = self._payload(req)
        blob = self.sim.store.put_blob(data)
        etag = '"%s"' % hashlib.md5(data).hexdigest()
        with self.sim.store.lock:
            uid, u = self._upload(req, bucket, key)
            old = u["parts"].get(str(n))
            u["parts"][str(n)] = {"etag": etag, "size": len(data),
                                  "blob": blob}
            self.sim.store.commit()
        if old:
            self.sim.store.delete_blob(old["blob"])
        hd = [("ETag", etag)] + self._sse_headers(u["sse"])
        for algo, v in sums.items():
            hd.append(("x-amz-checksum-" + algo, v))
        return self._ok(req, headers=hd)

    def op_CompleteMultipartUpload(self, req, bucket, key):
        try:
            root = ET.fromstring(req.body or b"")
        except ET.ParseError:
            raise AwsError("MalformedXML", "The XML you provided was not "
                           "well-formed or did not validate against our "
                           "published schema", 400)
        wanted = []
        for el in root:
            if _strip_ns(el.tag) != "Part":
                continue
            num = etag = None
            for sub in el:
                t = _strip_ns(sub.tag)
                if t == "PartNumber":
                    num = int(sub.text)
                elif t == "ETag":
                    etag = (sub.text or "").strip()
            wanted.append((num, etag if etag.startswith('"')
                           else '"%s"' % etag))
        if not wanted:
            raise AwsError("MalformedXML", "The XML you provided was not "
                           "well-formed or did not validate against our "
                           "published schema", 400)
        nums = [n for n, _ in wanted]
        if nums != sorted(nums) or len(set(nums)) != len(nums):
            raise AwsError("InvalidPartOrder", "The list of parts was not in "
                           "ascending order. Parts must be ordered by part "
                           "number.", 400)
        with self.sim.store.lock:
            self._bucket(bucket)
            uid, u = self._upload(req, bucket, key)
            parts = []
            for i, (n, etag) in enumerate(wanted):
                p = u["parts"].get(str(n))
                if p is None or p["etag"] != etag:
                    raise AwsError("InvalidPart", "One or more of the "
                                   "specified parts could not be found.  The "
                                   "part may not have been uploaded, or the "
                                   "specified entity tag may not match the "
                                   "part's entity tag.", 400,
                                   {"UploadId": uid, "PartNumber": n,
                                    "ETag": etag})
                if i < len(wanted) - 1 and p["size"] < MIN_PART:
                    raise AwsError("EntityTooSmall", "Your proposed upload "
                                   "is smaller than the minimum allowed "
                                   "object size.", 400,
                                   {"ProposedSize": p["size"],
                                    "MinSizeAllowed": MIN_PART,
                                    "PartNumber": n})
                parts.append(p)
        data = b"".join(self.sim.store.read_blob(p["blob"]) for p in parts)
        digest = hashlib.md5(b"".join(bytes.fromhex(p["etag"].strip('"'))
                                      for p in parts)).hexdigest()
        etag = '"%s-%d"' % (digest, len(parts))
        blob = self.sim.store.put_blob(data)
        rec = self._record(key, data, blob, u["contentType"], u["meta"],
                           u["sse"], {}, etag=etag)
        try:
            with self.sim.store.lock:
                b = self._bucket(bucket)
                self._conditional_write(req, b, key)
                old = b["objects"].get(key)
                b["objects"][key] = rec
                up = self._uploads().pop(uid)
                self.sim.store.commit()
        except AwsError:
            self.sim.store.delete_blob(blob)
            raise
        for p in up["parts"].values():
            self.sim.store.delete_blob(p["blob"])
        if old:
            self.sim.store.delete_blob(old["blob"])
        inner = (_el("Location", "http://%s/%s/%s" % (req.host, bucket,
                                                       quote(key))) +
                 _el("Bucket", bucket) + _el("Key", key) + _el("ETag", etag))
        return self._ok(req, headers=self._sse_headers(u["sse"]),
                        body=_xml_doc("CompleteMultipartUploadResult", inner))

    def op_AbortMultipartUpload(self, req, bucket, key):
        with self.sim.store.lock:
            self._bucket(bucket)
            uid, u = self._upload(req, bucket, key)
            del self._uploads()[uid]
            self.sim.store.commit()
        for p in u["parts"].values():
            self.sim.store.delete_blob(p["blob"])
        return self._ok(req, 204)

    def op_ListParts(self, req, bucket, key):
        with self.sim.store.lock:
            self._bucket(bucket)
            uid, u = self._upload(req, bucket, key)
            parts = sorted(u["parts"].items(), key=lambda kv: int(kv[0]))
        inner = (_el("Bucket", bucket) + _el("Key", key) +
                 _el("UploadId", uid) + _el("IsTruncated", "false") +
                 "".join("<Part>%s%s%s</Part>" % (
                     _el("PartNumber", n), _el("ETag", p["etag"]),
                     _el("Size", p["size"])) for n, p in parts))
        return self._ok(req, body=_xml_doc("ListPartsResult", inner))
