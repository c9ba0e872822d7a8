"""Fault injection: throttling, 5xx errors, latency, dropped connections.

Each AWS request (never /__sim/*) draws from one random generator seeded
by --seed, so a sequential run is repeatable. Settings change at run time
through POST /__sim/faults:

  {"throttle_rate": P, "error_rate": P, "latency_ms": N, "drop_rate": P,
   "operations": ["CreateCampaign", ...] | null,   # limit faults to these
   "inject": [{"operation": "PutObject", "code": "SlowDown",
               "status": 503, "count": 2, "message": "..."},
              {"operation": "GetObject", "drop": true},
              {"operation": "CreateSolution", "drop_after": true},
              {"operation": "CreateFilter", "fail": "Internal failure"},
              {"operation": "UpdateCampaign", "fail": "Internal failure"}],
   "clock_offset_s": S}       # the server's clock for SigV4, skewed by S

"inject" queues exact errors for the next matching calls, deterministic
whatever the rates. "drop_after" processes the request, then drops the
connection: the change is made and its answer lost, as when a network
fails on the way back (the client retries and meets its own work).
"fail" accepts the create call, and the resource it creates ends
CREATE FAILED (FAILED for a data deletion job) with that failureReason
when its creation would have finished: a failure of the service's own,
not of the data (Personalize's Create* operations). On an update with a
summary of its own (UpdateCampaign, UpdateRecommender, UpdateSolution,
UpdateDataset) it accepts the call and the update ends with
latest*Update.status "CREATE FAILED" (the update summaries' statuses,
personalize-service-2.json) and that failureReason; the resource keeps
its old settings and its own status ends ACTIVE, as after any update.
"""

import random
import threading

from .errors import AwsError, DropConnection

RATE_KEYS = ("throttle_rate", "error_rate", "drop_rate")
# The updates whose progress and failure AWS reports in a summary
# (latestCampaignUpdate and its kin): those an injected "fail" can end.
FAILABLE_UPDATES = ("UpdateCampaign", "UpdateRecommender", "UpdateSolution",
                    "UpdateDataset")


class Faults:
    def __init__(self, throttle_rate=0.0, error_rate=0.0, latency_ms=0,
                 drop_rate=0.0, seed=None):
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self.throttle_rate = float(throttle_rate)
        self.error_rate = float(error_rate)
        self.drop_rate = float(drop_rate)
        self.latency_ms = float(latency_ms)
        self.operations = None
        self.inject = []
        self.clock_offset_s = 0.0

    def settings(self):
        with self._lock:
            return {"throttle_rate": self.throttle_rate,
                    "error_rate": self.error_rate,
                    "drop_rate": self.drop_rate,
                    "latency_ms": self.latency_ms,
                    "operations": self.operations,
                    "inject": [dict(i) for i in self.inject],
                    "clock_offset_s": self.clock_offset_s}

    def update(self, body):
        """Apply a JSON object of settings; raise ValueError when invalid."""
        if not isinstance(body, dict):
            raise ValueError("body must be a JSON object")
        known = set(RATE_KEYS) | {"latency_ms", "operations", "inject",
                                  "clock_offset_s", "seed"}
        unknown = set(body) - known
        if unknown:
            raise ValueError("unknown fault settings: %s"
                             % ", ".join(sorted(unknown)))
        for k in RATE_KEYS:
            if k in body:
                v = body[k]
                if isinstance(v, bool) or not isinstance(v, (int, float)) \
                        or not 0 <= v <= 1:
                    raise ValueError("%s must be a number in [0, 1]" % k)
        for k in ("latency_ms", "clock_offset_s"):
            if k in body and (isinstance(body[k], bool) or
                              not isinstance(body[k], (int, float))):
                raise ValueError("%s must be a number" % k)
        if body.get("latency_ms", 0) < 0:
            raise ValueError("latency_ms must be >= 0")
        ops = body.get("operations")
        if ops is not None and not (isinstance(ops, list) and
                                    all(isinstance(o, str) for o in ops)):
            raise ValueError("operations must be a list of names or null")
        inject = body.get("inject")
        if inject is not None:
            if not isinstance(inject, list):
                raise ValueError("inject must be a list")
            for i in inject:
                if not isinstance(i, dict) or not (
                        isinstance(i.get("code"), str) or i.get("drop") or
                        i.get("drop_after") or
                        isinstance(i.get("fail"), str)):
                    raise ValueError("each inject entry needs a code, "
                                     "\"drop\": true, \"drop_after\": "
                                     "true or a \"fail\" reason")
                if "fail" in i and not (
                        isinstance(i["fail"], str) and i["fail"] and
                        isinstance(i.get("operation"), str) and
                        (i["operation"].startswith("Create") or
                         i["operation"] in FAILABLE_UPDATES)):
                    raise ValueError("a \"fail\" entry needs a reason and "
                                     "the Create operation whose resource "
                                     "fails, or one of %s"
                                     % ", ".join(FAILABLE_UPDATES))
        with self._lock:
            for k in RATE_KEYS:
                if k in body:
                    setattr(self, k, float(body[k]))
            if "latency_ms" in body:
                self.latency_ms = float(body["latency_ms"])
            if "clock_offset_s" in body:
                self.clock_offset_s = float(body["clock_offset_s"])
            if "operations" in body:
                self.operations = ops
            if inject is not None:
                self.inject = [{"operation": i.get("operation"),
                                "code": i.get("code"),
                                "drop": bool(i.get("drop")),
                                "after": bool(i.get("drop_after")),
                                "fail": i.get("fail"),
                                "status": int(i.get("status", 400)),
                                "message": i.get("message",
                                                 "Injected by the simulator"),
                                "count": int(i.get("count", 1))}
                               for i in inject]
            if "seed" in body:
                self._rng = random.Random(body["seed"])

    def latency(self, operation):
        with self._lock:
            if self.operations is not None and \
                    operation not in self.operations:
                return 0.0
            return self.latency_ms / 1000.0

    def lose_answer(self, operation):
        """True when this processed request's answer is to be lost."""
        with self._lock:
            for i in self.inject:
                if i["after"] and i["operation"] in (None, operation) \
                        and i["count"] > 0:
                    i["count"] -= 1
                    if i["count"] == 0:
                        self.inject.remove(i)
                    return True
        return False

    def creation_failure(self, operation):
        """The failureReason the resource this Create call makes (or the
        update this Update call starts) is to end with, or None."""
        with self._lock:
            for i in self.inject:
                if i["fail"] and i["operation"] == operation \
                        and i["count"] > 0:
                    i["count"] -= 1
                    if i["count"] == 0:
                        self.inject.remove(i)
                    return i["fail"]
        return None

    def check(self, protocol, operation):
        """Raise the fault this request suffers, if any."""
        with self._lock:
            for i in self.inject:
                if i["after"] or i["fail"]:
                    continue
                if i["operation"] in (None, operation) and i["count"] > 0:
                    i["count"] -= 1
                    if i["count"] == 0:
                        self.inject.remove(i)
                    if i["drop"]:
                        raise DropConnection()
                    raise AwsError(i["code"], i["message"], i["status"])
            if self.operations is not None and \
                    operation not in self.operations:
                return
            r = self._rng.random
            drop = self.drop_rate and r() < self.drop_rate
            throttle = self.throttle_rate and r() < self.throttle_rate
            error = self.error_rate and r() < self.error_rate
            five03 = r() < 0.5 if error else False
        if drop:
            raise DropConnection()
        if throttle:
            if protocol == "rest-xml":
                raise AwsError("SlowDown", "Please reduce your request rate.",
                               503)
            if protocol == "query":
                raise AwsError("Throttling", "Rate exceeded", 400)
            raise AwsError("ThrottlingException", "Rate exceeded", 400)
        if error:
            if protocol == "rest-xml":
                if five03:
                    raise AwsError("ServiceUnavailable", "Please reduce your "
                                   "request rate.", 503)
                raise AwsError("InternalError", "We encountered an internal "
                               "error. Please try again.", 500)
            if five03:
                raise AwsError("ServiceUnavailable", "Service Unavailable",
                               503)
            raise AwsError("InternalFailure", "The request processing has "
                           "failed because of an unknown error, exception or "
                           "failure.", 500)
