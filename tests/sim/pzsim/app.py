"""The simulator's composition root: options, clocks, identities, the call
log, webhooks, and the services wired together."""

import base64
import random
import threading
import time

from . import __version__
from .sigv4 import Credential

DEFAULT_ACCESS_KEY = "AKIDEXAMPLE"
DEFAULT_SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
MAX_CALLS = 200000

# The open questions of personalize-rules.md section 9: option name ->
# (allowed values, default, what each value does). Each is a --flag
# (underscores as dashes) and a key of GET/POST /__sim/behaviour.
QUESTIONS = {
    "solution_config_after_update": (
        ("applied", "unchanged"), "applied",
        "9.1: DescribeSolution's solutionConfig shows an UpdateSolution's "
        "settings once it is done (applied) or never (unchanged: only "
        "latestSolutionUpdate has them)"),
    "update_status": (
        ("active", "updating"), "active",
        "9.2: a campaign's or recommender's top-level status stays ACTIVE "
        "during an update (active) or goes UPDATE PENDING > UPDATE "
        "IN_PROGRESS > ACTIVE (updating)"),
    "campaign_config_update": (
        ("replace", "merge"), "replace",
        "9.3: UpdateCampaign's campaignConfig replaces the campaign's "
        "(replace) or is merged into it member by member (merge)"),
    "import_while_importing": (
        ("refuse", "queue"), "refuse",
        "9.4: a second import into a dataset that is still importing is "
        "refused with ResourceInUseException (refuse) or only counted "
        "against the regional quota of 5 (queue)"),
    "import_objects": (
        ("all", "top-csv"), "all",
        "9.5: an import of a prefix reads every object under it, in "
        "sub-prefixes too (all), or only the objects directly under it "
        "whose names end .csv (top-csv)"),
    "campaign_other_solution": (
        ("refuse", "allow"), "refuse",
        "9.6: UpdateCampaign to a version of another solution is refused "
        "(refuse) or accepted (allow)"),
    "version_while_training": (
        ("refuse", "allow"), "refuse",
        "9.7: CreateSolutionVersion while another version of the solution "
        "is training is refused with ResourceInUseException (refuse) or "
        "accepted (allow)"),
}

# Request members never written to the call log (credentials).
SECRET_PARAMS = frozenset((
    "SecretAccessKey", "secretAccessKey", "SessionToken", "sessionToken",
    "WebIdentityToken", "SAMLAssertion", "Password", "password",
    "TokenCode", "X-Amz-Signature", "X-Amz-Security-Token",
    "Signature"))


def redact(value):
    """value with every SECRET_PARAMS member replaced by "***"."""
    if isinstance(value, dict):
        return {k: "***" if k in SECRET_PARAMS else redact(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


class Options:
    def __init__(self, **kw):
        self.region = "us-east-1"
        self.account_id = "123456789012"
        self.time_scale = 1.0
        self.max_concurrent_trainings = 20
        self.web_identity_token_check = False
        self.verbose = False
        self.seed = None
        for k, (_, default, _) in QUESTIONS.items():
            setattr(self, k, default)
        for k, v in kw.items():
            if not hasattr(self, k):
                raise TypeError("unknown option %s" % k)
            setattr(self, k, v)


class Sim:
    def __init__(self, opts, models, store, faults, credentials=None):
        self.opts = opts
        self.models = models
        self.store = store
        self.faults = faults
        self._rng = random.Random(opts.seed)
        self._rng_lock = threading.Lock()
        self._calls = []
        self._calls_base = 0  # calls dropped from the front of the log
        self._calls_lock = threading.Lock()
        self.static_credentials = {}
        for c in credentials or [Credential(DEFAULT_ACCESS_KEY,
                                            DEFAULT_SECRET_KEY)]:
            if c.arn is None:
                c.arn = "arn:aws:iam::%s:user/pz-sim" % opts.account_id
            if c.user_id is None:
                c.user_id = "AIDA" + base64.b32encode(
                    c.access_key.encode()).decode()[:17].rstrip("=")
            self.static_credentials[c.access_key] = c
        # Imported here: the services import app-level helpers lazily.
        from .personalize.control import Control
        from .personalize.runtime import Events, Runtime
        from .s3 import S3
        from .sns import SNS
        from .sts import STS
        self.services = {
            "personalize": Control(self, models["personalize"]),
            "personalize-runtime": Runtime(self,
                                           models["personalize-runtime"]),
            "personalize-events": Events(self, models["personalize-events"]),
            "s3": S3(self, models["s3"]),
            "sts": STS(self, models["sts"]),
            "sns": SNS(self, models["sns"]),
        }

    # --- clocks --------------------------------------------------------

    def clock_offset(self):
        return self.store.section("sim").get("clock_offset_s", 0.0)

    def now(self):
        """The simulated clock: resource timestamps and lifecycles."""
        return time.time() + self.clock_offset()

    def advance_clock(self, seconds):
        with self.store.lock:
            sec = self.store.section("sim")
            sec["clock_offset_s"] = sec.get("clock_offset_s", 0.0) + seconds
            self.store.commit()

    def auth_now(self):
        """The clock SigV4 and credential expiry are checked against."""
        return time.time() + self.faults.clock_offset_s

    # --- identities ----------------------------------------------------

    def lookup_credential(self, akid):
        c = self.static_credentials.get(akid)
        if c is not None:
            return c
        return self.services["sts"].lookup(akid)

    def random_hex(self, n):
        with self._rng_lock:
            return "%0*x" % (n, self._rng.getrandbits(4 * n))

    def random_string(self, n, alphabet):
        with self._rng_lock:
            return "".join(self._rng.choice(alphabet) for _ in range(n))

    # --- call log ------------------------------------------------------

    def record_call(self, req, svc, status, error, t0):
        t = time.time()
        entry = {"service": svc.name if svc else None,
                 "operation": req.op,
                 "status": status,
                 "error": error,
                 "time": time.strftime("%Y-%m-%dT%H:%M:%S",
                                       time.gmtime(t0)) +
                 ".%03dZ" % int((t0 % 1) * 1000),
                 "epoch": t0,
                 "durationMs": round((t - t0) * 1000, 3),
                 "method": req.method,
                 "path": req.raw_path,
                 "requestId": req.request_id,
                 "accessKeyId": (req.auth.credential.access_key
                                 if req.auth else None),
                 "userAgent": req.headers.get("User-Agent"),
                 "params": redact(req.logged)}
        with self._calls_lock:
            entry["seq"] = self._calls_base + len(self._calls) + 1
            self._calls.append(entry)
            if len(self._calls) > MAX_CALLS:
                drop = len(self._calls) - MAX_CALLS
                del self._calls[:drop]
                self._calls_base += drop

    def calls_since(self, since=0):
        """Calls with seq > since (the oldest are dropped past MAX_CALLS)."""
        with self._calls_lock:
            return self._calls[max(0, since - self._calls_base):]

    # --- the open questions' switches ------------------------------------

    def behaviour(self):
        return {k: getattr(self.opts, k) for k in QUESTIONS}

    def set_behaviour(self, body):
        """Apply {question: value}; raise ValueError when invalid."""
        if not isinstance(body, dict):
            raise ValueError("body must be a JSON object")
        for k, v in body.items():
            if k not in QUESTIONS:
                raise ValueError("unknown switch %s (known: %s)"
                                 % (k, ", ".join(sorted(QUESTIONS))))
            if v not in QUESTIONS[k][0]:
                raise ValueError("%s must be one of %s"
                                 % (k, ", ".join(QUESTIONS[k][0])))
        for k, v in body.items():
            setattr(self.opts, k, v)

    # --- webhooks --------------------------------------------------------

    def record_webhook(self, name, headers, body):
        with self.store.lock:
            hooks = self.store.section("sim").setdefault("webhooks", [])
            hooks.append({"path": name, "time": time.time(),
                          "contentType": headers.get("Content-Type"),
                          "headers": {k: v for k, v in headers.items()},
                          "body": body.decode("utf-8", "replace")})
            self.store.commit()

    def webhooks(self):
        with self.store.lock:
            return list(self.store.section("sim").get("webhooks", []))

    # --- whole-simulator views -------------------------------------------

    def health(self):
        return {"ok": True, "version": __version__,
                "region": self.opts.region,
                "accountId": self.opts.account_id,
                "timeScale": self.opts.time_scale,
                "behaviour": self.behaviour(),
                "models": self.models.describe()}

    def state(self):
        return {"resources": self.services["personalize"].state_resources(),
                "buckets": self.services["s3"].state_buckets(),
                "topics": self.services["sns"].state_topics(),
                "now": self.now()}

    def reset(self):
        with self.store.lock:
            self.store.reset()
            for s in self.services.values():
                reset = getattr(s, "reset", None)
                if reset:
                    reset()
        with self._calls_lock:
            self._calls = []
            self._calls_base = 0
