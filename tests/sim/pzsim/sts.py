"""AWS STS (Query protocol): GetCallerIdentity, AssumeRole,
AssumeRoleWithWebIdentity (unsigned, as in AWS).

Temporary credentials are kept in the state, accepted by every service
together with their session token until they expire, and map to the
assumed-role ARN in GetCallerIdentity.
"""

import base64
import json
import re
import string

from .errors import AwsError
from .service import QueryService
from .sigv4 import Credential

_ROLE = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[^/]+/)*([^/]+)$")
_UPPER = string.ascii_uppercase + string.digits
_SECRET = string.ascii_letters + string.digits + "+/"
MAX_SESSION = 3600


class STS(QueryService):
    name = "sts"
    signing_name = "sts"

    def _sessions(self):
        return self.sim.store.section("sts").setdefault("sessions", {})

    def lookup(self, akid):
        with self.sim.store.lock:
            s = self._sessions().get(akid)
            if s is None:
                return None
            return Credential(akid, s["secret"], s["token"], s["arn"],
                              s["userId"], s["expiration"], "sts")

    def allow_unsigned(self, req):
        return req.form.get("Action") == "AssumeRoleWithWebIdentity"

    def op_GetCallerIdentity(self, params, req):
        c = req.auth.credential
        return {"UserId": c.user_id, "Account": self.sim.opts.account_id,
                "Arn": c.arn}

    def _role(self, role_arn, caller_arn):
        m = _ROLE.match(role_arn)
        if not m:
            raise AwsError("ValidationError", "%s is invalid" % role_arn, 400)
        if m.group(1) != self.sim.opts.account_id:
            raise AwsError("AccessDenied", "User: %s is not authorized to "
                           "perform: sts:AssumeRole on resource: %s"
                           % (caller_arn, role_arn), 403)
        return m.group(2)

    def _issue(self, role_arn, role_name, session, duration):
        if duration is None:
            duration = MAX_SESSION
        if duration > MAX_SESSION:
            raise AwsError("ValidationError", "The requested DurationSeconds"
                           " exceeds the MaxSessionDuration set for this "
                           "role.", 400)
        akid = "ASIA" + self.sim.random_string(16, _UPPER)
        secret = self.sim.random_string(40, _SECRET)
        token = "IQoJb3JpZ2luX2VjE" + base64.b64encode(
            self.sim.random_hex(96).encode()).decode()
        role_id = "AROA" + self.sim.random_string(17, _UPPER)
        expiration = int(self.sim.auth_now()) + int(duration)
        arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (
            self.sim.opts.account_id, role_name, session)
        with self.sim.store.lock:
            self._sessions()[akid] = {
                "secret": secret, "token": token, "arn": arn,
                "userId": "%s:%s" % (role_id, session),
                "expiration": expiration, "roleArn": role_arn}
            self.sim.store.commit()
        return {"Credentials": {"AccessKeyId": akid,
                                "SecretAccessKey": secret,
                                "SessionToken": token,
                                "Expiration": expiration},
                "AssumedRoleUser": {"AssumedRoleId": "%s:%s" % (role_id,
                                                                 session),
                                    "Arn": arn},
                "PackedPolicySize": 6}

    def op_AssumeRole(self, params, req):
        caller = req.auth.credential
        name = self._role(params["RoleArn"], caller.arn)
        return self._issue(params["RoleArn"], name,
                           params["RoleSessionName"],
                           params.get("DurationSeconds"))

    def op_AssumeRoleWithWebIdentity(self, params, req):
        token = params["WebIdentityToken"]
        claims = {}
        if self.sim.opts.web_identity_token_check:
            claims = self._check_jwt(token)
        name = self._role(params["RoleArn"], "arn:aws:sts::%s:"
                          "federated-user/web-identity"
                          % self.sim.opts.account_id)
        out = self._issue(params["RoleArn"], name, params["RoleSessionName"],
                          params.get("DurationSeconds"))
        aud = claims.get("aud", "sts.amazonaws.com")
        out["SubjectFromWebIdentityToken"] = claims.get("sub", "pz-sim")
        out["Audience"] = aud[0] if isinstance(aud, list) else aud
        out["Provider"] = claims.get("iss", params.get("ProviderId") or
                                     "pz-sim")
        return out

    def _check_jwt(self, token):
        parts = token.split(".")
        try:
            if len(parts) != 3:
                raise ValueError
            pad = parts[1] + "=" * (-len(parts[1]) % 4)
            claims = json.loads(base64.urlsafe_b64decode(pad))
            if not isinstance(claims, dict):
                raise ValueError
        except ValueError:
            raise AwsError("InvalidIdentityToken", "Couldn't parse web "
                           "identity token.", 400)
        for k in ("iss", "sub", "aud", "exp"):
            if k not in claims:
                raise AwsError("InvalidIdentityToken", "Missing a required "
                               "claim: %s" % k, 400)
        if claims["exp"] <= self.sim.auth_now():
            raise AwsError("ExpiredTokenException", "Token expired: current "
                           "date/time must be before the expiration "
                           "date/time", 400)
        return claims
