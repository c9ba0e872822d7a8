"""SigV4 verification with botocore's own signer.

verify() recomputes the signature of an incoming request with
botocore.auth.SigV4Auth / S3SigV4Auth (or their query-string variants for
presigned URLs), restricted to the headers the client says it signed, and
checks the credential scope (region, service, date), the session token,
the 15-minute clock skew limit, presigned expiry and, for S3, the
x-amz-content-sha256 header. Failures raise AuthFailure(kind, ...);
failure_to_error() turns one into the exact error each protocol answers.
decode_aws_chunked() decodes (and checks the chunk signatures of) S3's
aws-chunked streaming uploads.
"""

import calendar
import datetime
import email.utils
import hashlib
import hmac
import re
import time
from urllib.parse import quote, unquote

from botocore.auth import (S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth,
                           SigV4QueryAuth)
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials
from botocore.utils import normalize_url_path

from .errors import AwsError

AMZ_FMT = "%Y%m%dT%H%M%SZ"
MAX_SKEW = 15 * 60
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED = "UNSIGNED-PAYLOAD"
STREAMING = ("STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
             "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
             "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
_HEX64 = re.compile(r"[0-9a-f]{64}")


class Credential:
    """One access key the simulator accepts."""

    __slots__ = ("access_key", "secret_key", "session_token", "arn",
                 "user_id", "expiration", "source")

    def __init__(self, access_key, secret_key, session_token=None, arn=None,
                 user_id=None, expiration=None, source="static"):
        self.access_key = access_key
        self.secret_key = secret_key
        self.session_token = session_token
        self.arn = arn
        self.user_id = user_id
        self.expiration = expiration  # epoch seconds, None = never
        self.source = source


class AuthFailure(Exception):
    def __init__(self, kind, message="", **info):
        super().__init__(message or kind)
        self.kind = kind
        self.message = message
        self.info = info


class AuthResult:
    __slots__ = ("credential", "region", "service", "amz_date", "scope",
                 "signature", "signer", "request", "presigned",
                 "payload_hash")


def _amz_to_epoch(s):
    return calendar.timegm(time.strptime(s, AMZ_FMT))


def _epoch_to_amz(t):
    return time.strftime(AMZ_FMT, time.gmtime(t))


def parse_authorization(value):
    """Split an AWS4-HMAC-SHA256 Authorization header into its parts."""
    value = value.strip()
    algo, _, rest = value.partition(" ")
    if algo != "AWS4-HMAC-SHA256":
        raise AuthFailure("incomplete", "Unsupported AWS 'algorithm': '%s'"
                          % algo)
    parts = {}
    for item in rest.split(","):
        k, sep, v = item.strip().partition("=")
        if sep:
            parts[k] = v
    missing = [k for k in ("Credential", "SignedHeaders", "Signature")
               if k not in parts]
    if missing:
        msg = " ".join("Authorization header requires '%s' parameter." % k
                       for k in missing)
        raise AuthFailure("incomplete", msg + " Authorization=" + value)
    return parts["Credential"], parts["SignedHeaders"], parts["Signature"]


def scope_of(headers, query):
    """Return (akid, date, region, service) from the request, or None.

    Cheap and unverified: used for routing before verification.
    """
    auth = headers.get("Authorization")
    cred = None
    if auth:
        m = re.search(r"Credential=([^,\s]+)", auth)
        if m:
            cred = m.group(1)
    else:
        for k, v in query:
            if k == "X-Amz-Credential":
                cred = v
                break
    if not cred:
        return None
    p = cred.split("/")
    if len(p) != 5:
        return None
    return p[0], p[1], p[2], p[3]


class _VerifierMixin:
    """Signs with exactly the headers the client listed as signed."""

    def __init__(self, credentials, service, region, signed, body,
                 single_encode=False):
        super().__init__(credentials, service, region)
        self._signed = signed
        self._body = body
        self._single = single_encode

    def _normalize_url_path(self, path):
        if self._single:
            return normalize_url_path(path)
        return super()._normalize_url_path(path)

    def headers_to_sign(self, request):
        hm = HTTPHeaders()
        for name in self._signed:
            for v in request.headers.get_all(name) or []:
                hm[name] = v
        return hm

    def payload(self, request):
        if isinstance(self, S3SigV4QueryAuth):
            return UNSIGNED
        body = self._body
        return hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256


class _V(_VerifierMixin, SigV4Auth):
    pass


class _VS3(_VerifierMixin, S3SigV4Auth):
    pass


class _VQuery(_VerifierMixin, SigV4QueryAuth):
    pass


class _VS3Query(_VerifierMixin, S3SigV4QueryAuth):
    pass


def canonical_path(raw_path):
    """The path as AWS canonicalises it: decoded, then URI-encoded."""
    return quote(unquote(raw_path), safe="/~")


def verify(req, lookup, region, now, service):
    """Verify req's SigV4 signature.

    req: object with method, raw_path, query (decoded (k, v) pairs),
         headers (email.message.Message) and body (bytes).
    lookup(akid) -> Credential or None.
    service: the signing name the endpoint expects.
    Returns an AuthResult; raises AuthFailure.
    """
    headers = req.headers
    qdict = {}
    for k, v in req.query:
        qdict.setdefault(k, v)
    presigned = "X-Amz-Credential" in qdict or "X-Amz-Algorithm" in qdict
    if presigned:
        if qdict.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256":
            raise AuthFailure("incomplete", "X-Amz-Algorithm only supports "
                              "\"AWS4-HMAC-SHA256\"")
        need = [k for k in ("X-Amz-Credential", "X-Amz-SignedHeaders",
                            "X-Amz-Signature", "X-Amz-Date") if k not in qdict]
        if need:
            raise AuthFailure("incomplete", "Query-string authentication "
                              "requires the %s parameter" % need[0])
        cred_s = qdict["X-Amz-Credential"]
        signed_s = qdict["X-Amz-SignedHeaders"]
        sig = qdict["X-Amz-Signature"]
        token = qdict.get("X-Amz-Security-Token")
        amz_date = qdict["X-Amz-Date"]
    else:
        auth = headers.get("Authorization")
        if not auth:
            raise AuthFailure("missing", "Missing Authentication Token")
        cred_s, signed_s, sig = parse_authorization(auth)
        token = headers.get("X-Amz-Security-Token")
        amz_date = headers.get("X-Amz-Date")
        if amz_date is None and headers.get("Date"):
            try:
                d = email.utils.parsedate_to_datetime(headers["Date"])
                amz_date = d.astimezone(datetime.timezone.utc).strftime(
                    AMZ_FMT)
            except (TypeError, ValueError):
                amz_date = None
        if amz_date is None:
            raise AuthFailure("incomplete", "Authorization header requires "
                              "existence of either a 'X-Amz-Date' or a "
                              "'Date' header. Authorization=" + auth)
    scope = cred_s.split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        raise AuthFailure("incomplete", "Credential should be scoped to a "
                          "valid region, not '%s'. " % (
                              scope[2] if len(scope) > 2 else ""),
                          scope=cred_s)
    akid, sdate, sregion, sservice, _ = scope
    try:
        t_req = _amz_to_epoch(amz_date)
    except ValueError:
        raise AuthFailure("incomplete", "Date must be in ISO-8601 'basic "
                          "format'. Got '%s'." % amz_date)
    cred = lookup(akid)
    if cred is None:
        raise AuthFailure("unknown_key", akid=akid)
    if cred.session_token is not None or token is not None:
        if token != cred.session_token:
            raise AuthFailure("invalid_token", akid=akid)
    if cred.expiration is not None and now >= cred.expiration:
        raise AuthFailure("expired_token", akid=akid)
    if sdate != amz_date[:8]:
        raise AuthFailure("date_mismatch", "Date in Credential scope does "
                          "not match YYYYMMDD from ISO-8601 version of date "
                          "from HTTP: '%s' != '%s', from '%s'."
                          % (sdate, amz_date[:8], amz_date))
    if sregion != region:
        raise AuthFailure("region", "Credential should be scoped to a valid "
                          "region. ", got=sregion, expected=region)
    if sservice != service:
        raise AuthFailure("service", "Credential should be scoped to correct"
                          " service: '%s'. " % service, got=sservice)
    signed = [h.strip().lower() for h in signed_s.split(";") if h.strip()]
    if "host" not in signed:
        raise AuthFailure("incomplete", "'Host' or ':authority' must be a "
                          "'SignedHeader' in the AWS Authorization.")
    is_s3 = service == "s3"
    payload_hash = headers.get("X-Amz-Content-SHA256")
    body = req.body or b""
    if is_s3 and not presigned:
        if payload_hash is None:
            raise AuthFailure("content_sha256_missing")
        if payload_hash not in STREAMING and payload_hash != UNSIGNED and \
                not _HEX64.fullmatch(payload_hash):
            raise AuthFailure("content_sha256_invalid")
    for h in signed:
        if headers.get(h) is None:
            raise AuthFailure("signature", "header %s is signed but missing"
                              % h, akid=akid)
    if presigned:
        cls = _VS3Query if is_s3 else _VQuery
    else:
        cls = _VS3 if is_s3 else _V
    botocreds = Credentials(akid, cred.secret_key, cred.session_token)
    signer = cls(botocreds, sservice, sregion, signed, body)
    params = [(k, v) for k, v in req.query if not
              (presigned and k == "X-Amz-Signature")]
    host = headers.get("Host") or "localhost"
    path = canonical_path(req.raw_path)
    url = "http://%s%s" % (host, path)
    areq = AWSRequest(method=req.method, url=url, params=params or None)
    for name in signed:
        for v in headers.get_all(name) or []:
            areq.headers[name] = v
    if not is_s3 and "x-amz-content-sha256" not in signed:
        # Other services hash the body themselves.
        del areq.headers["X-Amz-Content-SHA256"]
    areq.context["timestamp"] = amz_date
    creq = signer.canonical_request(areq)
    sts = signer.string_to_sign(areq, creq)
    expect = signer.signature(sts, areq)
    sig = sig.strip().lower()
    if not hmac.compare_digest(expect, sig) and not is_s3 and "%" in path:
        # Non-S3 paths are double-encoded by botocore, single-encoded by
        # the SigV4 test suite; AWS accepts both for these services.
        alt = cls(botocreds, sservice, sregion, signed, body, True)
        acreq = alt.canonical_request(areq)
        asts = alt.string_to_sign(areq, acreq)
        aexpect = alt.signature(asts, areq)
        if hmac.compare_digest(aexpect, sig):
            signer, creq, sts, expect = alt, acreq, asts, aexpect
    if not hmac.compare_digest(expect, sig):
        raise AuthFailure("signature", akid=akid, string_to_sign=sts,
                          canonical_request=creq, provided=sig)
    if not is_s3 and payload_hash is not None and \
            payload_hash != UNSIGNED and \
            payload_hash != hashlib.sha256(body).hexdigest():
        raise AuthFailure("signature", akid=akid, string_to_sign=sts,
                          canonical_request=creq, provided=sig)
    if presigned:
        try:
            expires = int(qdict.get("X-Amz-Expires", "3600"))
        except ValueError:
            raise AuthFailure("incomplete", "X-Amz-Expires should be a "
                              "number")
        if expires > 604800:
            raise AuthFailure("incomplete", "X-Amz-Expires must be less "
                              "than a week (in seconds) that is 604800")
        if now > t_req + expires:
            raise AuthFailure("presign_expired", "Request has expired",
                              expires=expires, t_req=t_req, now=now)
        if t_req > now + MAX_SKEW:
            raise AuthFailure("skew", "Request is not valid yet",
                              t_req=t_req, now=now)
    elif abs(now - t_req) > MAX_SKEW:
        if t_req < now:
            msg = ("Signature expired: %s is now earlier than %s (%s - 15 "
                   "min.)" % (amz_date, _epoch_to_amz(now - MAX_SKEW),
                              _epoch_to_amz(now)))
        else:
            msg = ("Signature not yet current: %s is still later than %s "
                   "(%s + 15 min.)" % (amz_date, _epoch_to_amz(now + MAX_SKEW),
                                       _epoch_to_amz(now)))
        raise AuthFailure("skew", msg, t_req=t_req, now=now)
    if is_s3 and payload_hash and _HEX64.fullmatch(payload_hash):
        actual = hashlib.sha256(body).hexdigest()
        if actual != payload_hash:
            raise AuthFailure("content_sha256_mismatch", client=payload_hash,
                              computed=actual)
    r = AuthResult()
    r.credential = cred
    r.region = sregion
    r.service = sservice
    r.amz_date = amz_date
    r.scope = "/".join(scope[1:])
    r.signature = sig
    r.signer = signer
    r.request = areq
    r.presigned = presigned
    r.payload_hash = payload_hash
    return r


def decode_aws_chunked(body, auth):
    """Decode an aws-chunked body; check chunk signatures when signed.

    Returns (data, trailers dict). Raises AwsError for S3 on bad input.
    """
    signed = auth.payload_hash.startswith("STREAMING-AWS4-HMAC-SHA256")
    prev = auth.signature
    out = []
    trailers = {}
    pos = 0
    n = len(body)
    while True:
        eol = body.find(b"\r\n", pos)
        if eol < 0:
            raise AwsError("IncompleteBody", "The request body terminated "
                           "unexpectedly")
        line = body[pos:eol].decode("latin-1")
        pos = eol + 2
        size_s, _, ext = line.partition(";")
        try:
            size = int(size_s, 16)
        except ValueError:
            raise AwsError("InvalidChunkSizeError", "Only the last chunk is "
                           "allowed to have a size less than 8192 bytes")
        chunk = body[pos:pos + size]
        if len(chunk) != size:
            raise AwsError("IncompleteBody", "The request body terminated "
                           "unexpectedly")
        pos += size
        if signed:
            m = re.match(r"chunk-signature=([0-9a-f]{64})", ext.strip())
            if not m:
                raise AwsError("SignatureDoesNotMatch", "Missing chunk "
                               "signature", 403)
            sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", auth.amz_date,
                             auth.scope, prev, EMPTY_SHA256,
                             hashlib.sha256(chunk).hexdigest()])
            expect = auth.signer.signature(sts, auth.request)
            if not hmac.compare_digest(expect, m.group(1)):
                raise AwsError("SignatureDoesNotMatch", "The request "
                               "signature we calculated does not match the "
                               "signature you provided. Check your key and "
                               "signing method.", 403)
            prev = expect
        if size == 0:
            break
        out.append(chunk)
        if body[pos:pos + 2] != b"\r\n":
            raise AwsError("IncompleteBody", "The request body terminated "
                           "unexpectedly")
        pos += 2
    # trailers: "name:value\r\n" ... then "\r\n"
    while pos < n:
        eol = body.find(b"\r\n", pos)
        if eol < 0:
            eol = n
        line = body[pos:eol].decode("latin-1")
        pos = eol + 2
        if not line:
            continue
        k, _, v = line.partition(":")
        trailers[k.strip().lower()] = v.strip()
    return b"".join(out), trailers


# --- errors per protocol ----------------------------------------------------

_SIG_JSON = ("The request signature we calculated does not match the "
             "signature you provided. Check your AWS Secret Access Key and "
             "signing method. Consult the service documentation for details.")
_BAD_TOKEN = "The security token included in the request is invalid."


def failure_to_error(f, protocol):
    """The AwsError that AWS answers for AuthFailure f."""
    k = f.kind
    if protocol == "rest-xml":
        if k == "missing":
            return AwsError("AccessDenied", "Access Denied", 403)
        if k == "unknown_key":
            return AwsError("InvalidAccessKeyId", "The AWS Access Key Id you "
                            "provided does not exist in our records.", 403,
                            {"AWSAccessKeyId": f.info.get("akid", "")})
        if k == "invalid_token":
            return AwsError("InvalidToken", "The provided token is malformed"
                            " or otherwise invalid.", 400)
        if k == "expired_token":
            return AwsError("ExpiredToken", "The provided token has expired.",
                            400)
        if k == "signature":
            return AwsError("SignatureDoesNotMatch", "The request signature "
                            "we calculated does not match the signature you "
                            "provided. Check your key and signing method.",
                            403, {"AWSAccessKeyId": f.info.get("akid", ""),
                                  "StringToSign":
                                  f.info.get("string_to_sign", ""),
                                  "SignatureProvided":
                                  f.info.get("provided", ""),
                                  "CanonicalRequest":
                                  f.info.get("canonical_request", "")})
        if k == "skew":
            return AwsError("RequestTimeTooSkewed", "The difference between "
                            "the request time and the current time is too "
                            "large.", 403,
                            {"RequestTime": _http_date(f.info["t_req"]),
                             "ServerTime": _iso(f.info["now"]),
                             "MaxAllowedSkewMilliseconds": "900000"})
        if k == "presign_expired":
            return AwsError("AccessDenied", "Request has expired", 403,
                            {"X-Amz-Expires": f.info["expires"],
                             "Expires": _iso(f.info["t_req"] +
                                             f.info["expires"]),
                             "ServerTime": _iso(f.info["now"])})
        if k == "region":
            return AwsError("AuthorizationHeaderMalformed", "The "
                            "authorization header is malformed; the region "
                            "'%s' is wrong; expecting '%s'"
                            % (f.info["got"], f.info["expected"]), 400,
                            {"Region": f.info["expected"]})
        if k == "service":
            return AwsError("AuthorizationHeaderMalformed", "The "
                            "authorization header is malformed; incorrect "
                            "service \"%s\". This endpoint belongs to \"s3\"."
                            % f.info["got"], 400)
        if k == "date_mismatch":
            return AwsError("AuthorizationHeaderMalformed", "The "
                            "authorization header is malformed; Invalid "
                            "credential date. Date is not the same as "
                            "X-Amz-Date.", 400)
        if k == "content_sha256_missing":
            return AwsError("InvalidRequest", "Missing required header for "
                            "this request: x-amz-content-sha256", 400)
        if k == "content_sha256_invalid":
            return AwsError("InvalidArgument", "x-amz-content-sha256 must be"
                            " UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-"
                            "TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, "
                            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, or a"
                            " valid sha256 value.", 400,
                            {"ArgumentName": "x-amz-content-sha256"})
        if k == "content_sha256_mismatch":
            return AwsError("XAmzContentSHA256Mismatch", "The provided "
                            "'x-amz-content-sha256' header does not match "
                            "what was computed.", 400,
                            {"ClientComputedContentSHA256": f.info["client"],
                             "S3ComputedContentSHA256": f.info["computed"]})
        return AwsError("AuthorizationHeaderMalformed", "The authorization "
                        "header is malformed; " + f.message, 400)
    if protocol == "query":
        if k == "missing":
            return AwsError("MissingAuthenticationToken", "Request is "
                            "missing Authentication Token", 403)
        if k in ("unknown_key", "invalid_token"):
            return AwsError("InvalidClientTokenId", _BAD_TOKEN, 403)
        if k == "expired_token":
            return AwsError("ExpiredToken", "The security token included in "
                            "the request is expired", 403)
        if k == "signature":
            return AwsError("SignatureDoesNotMatch", _SIG_JSON, 403)
        if k in ("skew", "region", "service", "date_mismatch",
                 "presign_expired"):
            return AwsError("SignatureDoesNotMatch", f.message, 403)
        return AwsError("IncompleteSignature", f.message, 400)
    # json, rest-json
    if k == "missing":
        return AwsError("MissingAuthenticationTokenException",
                        "Missing Authentication Token", 403)
    if k in ("unknown_key", "invalid_token"):
        return AwsError("UnrecognizedClientException", _BAD_TOKEN, 403)
    if k == "expired_token":
        return AwsError("ExpiredTokenException", "The security token "
                        "included in the request is expired", 403)
    if k == "signature":
        return AwsError("InvalidSignatureException", _SIG_JSON, 403)
    if k == "skew":
        return AwsError("InvalidSignatureException", f.message, 400)
    if k in ("region", "service", "date_mismatch", "presign_expired"):
        return AwsError("InvalidSignatureException", f.message, 403)
    return AwsError("IncompleteSignatureException", f.message, 400)


def _iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def _http_date(t):
    return email.utils.formatdate(t, usegmt=True)
