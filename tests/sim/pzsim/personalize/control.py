"""The Personalize control plane (JSON 1.1, X-Amz-Target AmazonPersonalize.*).

Every request is validated against the model first (service.JsonService).
Resources live in the store's "personalize" section, keyed by ARN. Their
asynchronous lifecycles are lists of timed steps (realistic durations
multiplied by --time-scale); advance() applies the steps that are due, in
time order, before every Personalize or runtime request, so progress is
lazy, deterministic and survives a restart. Completion steps do the real
work: import jobs read and check the CSV objects in the simulated S3,
training checks AWS's minimum data and builds a small model, batch jobs
write their output to S3.
"""

import base64
import hashlib
import heapq
import json
import re
import threading

from ..errors import AwsError
from ..service import JsonService
from . import catalog, data, filters

# Realistic durations in seconds, before --time-scale.
CREATE_TIMES = {
    "datasetGroup": (5, 25), "dataset": (5, 25), "solution": (5, 15),
    "filter": (10, 50), "eventTracker": (10, 40),
    "metricAttribution": (10, 50), "datasetImportJob": (60, 540),
    "solutionVersion": (120, 2400), "campaign": (120, 480),
    "recommender": (300, 2700), "batchInferenceJob": (300, 1200),
    "batchSegmentJob": (300, 1200), "datasetExportJob": (60, 540),
    "dataDeletionJob": (60, 540),
}
DELETE_TIMES = {"campaign": (10, 110), "recommender": (10, 110)}
DEFAULT_DELETE = (5, 25)
UPDATE_TIMES = {"campaign": (30, 450), "recommender": (60, 900),
                "dataset": (5, 55), "solution": (5, 25),
                "metricAttribution": (5, 55)}
START_STOP = (10, 110)
MAX_TAGS = 50
# Quotas per dataset group (limits.html; personalize-rules.md section 7).
GROUP_QUOTAS = {"campaign": 5, "solution": 10, "recommender": 5,
                "filter": 10, "eventTracker": 1, "metricAttribution": 1}
MAX_IMPORTS = 5            # pending or in progress per region, fixed
MAX_BATCH_INFERENCE = 5    # pending or in progress per region
MIN_IMPORT_RECORDS = 1000  # per import job (and new ones, INCREMENTAL)
MAX_INCREMENTAL_BYTES = 1 << 30
AUTO_TRAINING_DAYS = 7     # rate(7 days), the default schedule
AUTO_TRAINING_START = 1800  # "within the hour": half an hour, scaled
# Recipes batch inference refuses (personalize-rules.md section 6).
NO_BATCH_INFERENCE = ("aws-trending-now", "aws-next-best-action")
# Job types whose names stay taken forever (they cannot be deleted).
FOREVER_NAMES = ("datasetImportJob", "batchInferenceJob",
                 "batchSegmentJob")
IN_FLIGHT = ("CREATE PENDING", "CREATE IN_PROGRESS")
LATEST = "$LATEST"


class RType:
    def __init__(self, name, desc, arn_path, arn_key, shape, summary,
                 describe_key, name_key="name", parent=None):
        self.name = name
        self.desc = desc
        self.arn_path = arn_path
        self.arn_key = arn_key
        self.shape = shape
        self.summary = summary
        self.describe_key = describe_key
        self.name_key = name_key
        self.parent = parent  # attrs member naming the parent


TYPES = {t.name: t for t in [
    RType("datasetGroup", "dataset group", "dataset-group",
          "datasetGroupArn", "DatasetGroup", "DatasetGroupSummary",
          "datasetGroup"),
    RType("schema", "schema", "schema", "schemaArn", "DatasetSchema",
          "DatasetSchemaSummary", "schema"),
    RType("dataset", "dataset", "dataset", "datasetArn", "Dataset",
          "DatasetSummary", "dataset", parent="datasetGroupArn"),
    RType("datasetImportJob", "dataset import job", "dataset-import-job",
          "datasetImportJobArn", "DatasetImportJob",
          "DatasetImportJobSummary", "datasetImportJob", "jobName",
          "datasetArn"),
    RType("datasetExportJob", "dataset export job", "dataset-export-job",
          "datasetExportJobArn", "DatasetExportJob",
          "DatasetExportJobSummary", "datasetExportJob", "jobName",
          "datasetArn"),
    RType("dataDeletionJob", "data deletion job", "data-deletion-job",
          "dataDeletionJobArn", "DataDeletionJob", "DataDeletionJobSummary",
          "dataDeletionJob", "jobName", "datasetGroupArn"),
    RType("solution", "solution", "solution", "solutionArn", "Solution",
          "SolutionSummary", "solution", parent="datasetGroupArn"),
    RType("solutionVersion", "solution version", "solution",
          "solutionVersionArn", "SolutionVersion", "SolutionVersionSummary",
          "solutionVersion", parent="solutionArn"),
    RType("campaign", "campaign", "campaign", "campaignArn", "Campaign",
          "CampaignSummary", "campaign", parent="solutionArn"),
    RType("eventTracker", "event tracker", "event-tracker",
          "eventTrackerArn", "EventTracker", "EventTrackerSummary",
          "eventTracker", parent="datasetGroupArn"),
    RType("filter", "filter", "filter", "filterArn", "Filter",
          "FilterSummary", "filter", parent="datasetGroupArn"),
    RType("recommender", "recommender", "recommender", "recommenderArn",
          "Recommender", "RecommenderSummary", "recommender",
          parent="datasetGroupArn"),
    RType("batchInferenceJob", "batch inference job", "batch-inference-job",
          "batchInferenceJobArn", "BatchInferenceJob",
          "BatchInferenceJobSummary", "batchInferenceJob", "jobName",
          "solutionVersionArn"),
    RType("batchSegmentJob", "batch segment job", "batch-segment-job",
          "batchSegmentJobArn", "BatchSegmentJob", "BatchSegmentJobSummary",
          "batchSegmentJob", "jobName", "solutionVersionArn"),
    RType("metricAttribution", "metric attribution", "metric-attribution",
          "metricAttributionArn", "MetricAttribution",
          "MetricAttributionSummary", "metricAttribution",
          parent="datasetGroupArn"),
]}

# List operation -> (type, response key, optional request filter member)
LISTS = {
    "ListDatasetGroups": ("datasetGroup", "datasetGroups", None),
    "ListSchemas": ("schema", "schemas", None),
    "ListDatasets": ("dataset", "datasets", "datasetGroupArn"),
    "ListDatasetImportJobs": ("datasetImportJob", "datasetImportJobs",
                              "datasetArn"),
    "ListDatasetExportJobs": ("datasetExportJob", "datasetExportJobs",
                              "datasetArn"),
    "ListDataDeletionJobs": ("dataDeletionJob", "dataDeletionJobs",
                             "datasetGroupArn"),
    "ListSolutions": ("solution", "solutions", "datasetGroupArn"),
    "ListSolutionVersions": ("solutionVersion", "solutionVersions",
                             "solutionArn"),
    "ListCampaigns": ("campaign", "campaigns", "solutionArn"),
    "ListEventTrackers": ("eventTracker", "eventTrackers",
                          "datasetGroupArn"),
    "ListFilters": ("filter", "Filters", "datasetGroupArn"),
    "ListRecommenders": ("recommender", "recommenders", "datasetGroupArn"),
    "ListBatchInferenceJobs": ("batchInferenceJob", "batchInferenceJobs",
                               "solutionVersionArn"),
    "ListBatchSegmentJobs": ("batchSegmentJob", "batchSegmentJobs",
                             "solutionVersionArn"),
    "ListMetricAttributions": ("metricAttribution", "metricAttributions",
                               "datasetGroupArn"),
}
DESCRIBES = {"Describe" + t.describe_key[0].upper() + t.describe_key[1:]: t
             for t in TYPES.values()}

TERMINAL = ("ACTIVE", "CREATE FAILED", "CREATE STOPPED", "INACTIVE",
            "COMPLETED", "FAILED")
# Types whose statuses are not CREATE PENDING > CREATE IN_PROGRESS
JOB_STATUSES = {"dataDeletionJob": ("PENDING", "IN_PROGRESS")}


def in_use(msg):
    return AwsError("ResourceInUseException", msg, 400)


def not_found(msg):
    return AwsError("ResourceNotFoundException", msg, 400)


def invalid(msg):
    return AwsError("InvalidInputException", msg, 400)


def exists(msg):
    return AwsError("ResourceAlreadyExistsException", msg, 400)


def limit(msg):
    return AwsError("LimitExceededException", msg, 400)


def rate_days(expr):
    """Days in a schedulingExpression "rate(N day[s])", else None."""
    m = re.fullmatch(r"rate\((\d+) days?\)", expr or "")
    return int(m.group(1)) if m else None


class Control(JsonService):
    name = "personalize"
    protocol = "json"
    signing_name = "personalize"

    def __init__(self, sim, model):
        super().__init__(sim, model)
        self._heap = []
        self._cache = {}  # blob id -> parsed JSON (datasets, models)
        self._cache_lock = threading.Lock()
        self._rebuild_heap()

    # --- state ---------------------------------------------------------------

    def _sec(self):
        s = self.sim.store.section("personalize")
        for k in ("resources", "data", "models", "events"):
            s.setdefault(k, {})
        s.setdefault("seq", 0)
        return s

    def _res(self):
        return self._sec()["resources"]

    def reset(self):
        self._heap = []
        with self._cache_lock:
            self._cache = {}

    def _rebuild_heap(self):
        with self.sim.store.lock:
            self._heap = [(r["steps"][0][0], r["seq"], arn)
                          for arn, r in self._res().items() if r["steps"]]
            self._heap += [(r["x"]["autoNext"], r["seq"], "auto:" + arn)
                           for arn, r in self._res().items()
                           if r["x"].get("autoNext") is not None]
            heapq.heapify(self._heap)

    def rescale(self, old, new):
        """--time-scale changed from old to new: what is still to come
        comes sooner or later in proportion (0: at the next request)."""
        now = self.sim.now()
        f = (new / old) if old > 0 else 0.0
        with self.sim.store.lock:
            for r in self._res().values():
                for step in r["steps"]:
                    if step[0] > now:
                        step[0] = now + (step[0] - now) * f
                t = r["x"].get("autoNext")
                if t is not None and t > now:
                    r["x"]["autoNext"] = now + (t - now) * f
            self._rebuild_heap()
            self.sim.store.commit()

    def blob_json(self, bid):
        with self._cache_lock:
            v = self._cache.get(bid)
        if v is None:
            v = self.sim.store.read_blob_json(bid)
            with self._cache_lock:
                self._cache[bid] = v
        return v

    def state_resources(self):
        self.advance()
        with self.sim.store.lock:
            out = []
            for r in sorted(self._res().values(), key=lambda r: r["seq"]):
                out.append({"type": r["type"], "name": r["name"],
                            "arn": r["arn"], "status": r["status"]})
                if r["type"] == "campaign":  # which version answers
                    out[-1]["servedVersionArn"] = self.served_version(r)
            return out

    def arn(self, path):
        return "arn:aws:personalize:%s:%s:%s" % (
            self.sim.opts.region, self.sim.opts.account_id, path)

    # --- lifecycle engine ----------------------------------------------------

    def _schedule(self, rec, steps, now):
        """steps: [(realistic delay, status or None, action or None)]."""
        t = now
        out = []
        for delay, status, action in steps:
            t += delay * self.sim.opts.time_scale
            out.append([t, status, action])
        rec["steps"] = out
        if out:
            heapq.heappush(self._heap, (out[0][0], rec["seq"], rec["arn"]))

    def advance(self):
        """Apply every lifecycle step that is due, in time order."""
        heap = self._heap
        now = self.sim.now()
        try:
            if heap[0][0] > now:  # the common case: nothing due, no lock
                return
        except IndexError:
            return
        with self.sim.store.lock:
            res = self._res()
            changed = False
            while heap and heap[0][0] <= now:
                t, _, arn = heapq.heappop(heap)
                if arn.startswith("auto:"):
                    changed |= self._auto_timer(arn[5:], t)
                    continue
                rec = res.get(arn)
                while rec is not None and rec["steps"] and \
                        rec["steps"][0][0] <= now:
                    t, status, action = rec["steps"].pop(0)
                    if status:
                        rec["status"] = status
                        rec["lastUpdatedDateTime"] = t
                    if action:
                        was = rec["status"]
                        getattr(self, "_do_" + action)(rec, t)
                        if rec["status"] != was:  # done (or failed) now
                            rec["lastUpdatedDateTime"] = t
                    changed = True
                    rec = res.get(arn)
                if rec is not None and rec["steps"]:
                    heapq.heappush(heap, (rec["steps"][0][0], rec["seq"],
                                          arn))
            if changed:
                self.sim.store.commit()

    def identify(self, req):
        target = req.headers.get("X-Amz-Target") or ""
        prefix = "AmazonPersonalize."
        if not target.startswith(prefix):
            raise AwsError("UnknownOperationException", "", 400)
        op = target[len(prefix):]
        if op not in self.model.operations:
            raise AwsError("UnknownOperationException", "", 400)
        return op

    # --- helpers -------------------------------------------------------------

    def _get(self, arn, rtype):
        rec = self._res().get(arn)
        if rec is None or rec["type"] != rtype:
            raise not_found("Could not find %s with arn: %s"
                            % (TYPES[rtype].desc, arn))
        return rec

    def _active(self, rec):
        if rec["status"] != "ACTIVE":
            raise in_use("The %s %s is not in ACTIVE state (status: %s)"
                         % (TYPES[rec["type"]].desc, rec["arn"],
                            rec["status"]))
        return rec

    def _tags(self, tags):
        tags = tags or []
        if len(tags) > MAX_TAGS:
            raise AwsError("TooManyTagsException", "You have exceeded the "
                           "maximum number of tags (%d) for this resource"
                           % MAX_TAGS, 400)
        for t in tags:
            if t["tagKey"].lower().startswith("aws:"):
                raise invalid("Tag keys can't start with aws: (%s)"
                              % t["tagKey"])
        return [{"tagKey": t["tagKey"], "tagValue": t["tagValue"]}
                for t in tags]

    def _new(self, rtype, arn, name, attrs, now, tags=None, status=None):
        res = self._res()
        sec = self._sec()
        forever = sec.setdefault("usedNames", {})
        if arn in res or arn in forever:
            raise exists("Another %s with Arn %s already exists%s"
                         % (TYPES[rtype].desc, arn,
                            "" if arn in res else " (the names of "
                            "import and batch jobs stay taken forever)"))
        if rtype in ("dataset", "eventTracker") and name is not None:
            # Their ARNs are not made from the name; names are unique per
            # account and region all the same, until a delete finishes.
            for r in res.values():
                if r["type"] == rtype and r["name"] == name:
                    raise exists("A %s named %s already exists: %s"
                                 % (TYPES[rtype].desc, name, r["arn"]))
        if rtype in FOREVER_NAMES:
            forever[arn] = now
        sec["seq"] += 1
        first, running_status = JOB_STATUSES.get(rtype, (
            "CREATE PENDING", "CREATE IN_PROGRESS"))
        rec = {"type": rtype, "arn": arn, "name": name,
               "status": status or first,
               "creationDateTime": now, "lastUpdatedDateTime": now,
               "attrs": attrs, "steps": [], "tags": self._tags(tags),
               "seq": sec["seq"], "x": {}}
        res[arn] = rec
        if status is None:
            pending, running = CREATE_TIMES[rtype]
            done = "done_" + rtype if hasattr(self, "_do_done_" + rtype) \
                else None
            # A failure injected by a test (POST /__sim/faults "fail"):
            # the service's own, when the creation would have finished.
            fail = self.sim.faults.creation_failure(
                "Create" + rtype[0].upper() + rtype[1:])
            if fail:
                rec["x"]["injected_failure"] = fail
                done = "injected_failure"
            self._schedule(rec, [(pending, running_status, None),
                                 (running, None if done else "ACTIVE",
                                  done)], now)
        return rec

    def _filter_shape(self, shape_name, value):
        """value with only the members the model's shape has."""
        shape = self.model.shapes[shape_name]
        t = shape["type"]
        if t == "structure" and isinstance(value, dict):
            out = {}
            for k, m in shape["members"].items():
                v = value.get(k)
                if v is not None:
                    out[k] = self._filter_shape(m["shape"], v)
            return out
        if t == "list" and isinstance(value, list):
            return [self._filter_shape(shape["member"]["shape"], v)
                    for v in value]
        return value

    def _view(self, rec):
        rt = TYPES[rec["type"]]
        d = dict(rec["attrs"])
        d[rt.arn_key] = rec["arn"]
        if rec["name"] is not None:
            d[rt.name_key] = rec["name"]
        d["status"] = rec["status"]
        d["creationDateTime"] = rec["creationDateTime"]
        d["lastUpdatedDateTime"] = rec["lastUpdatedDateTime"]
        if rec.get("failureReason"):
            d["failureReason"] = rec["failureReason"]
        view = getattr(self, "_view_" + rec["type"], None)
        if view:
            view(rec, d)
        return d

    def _describe(self, rec):
        rt = TYPES[rec["type"]]
        return {rt.describe_key: self._filter_shape(rt.shape,
                                                    self._view(rec))}

    def _children(self, rtype, key, arn):
        return [r for r in self._res().values()
                if r["type"] == rtype and r["attrs"].get(key) == arn]

    def group_of(self, rec):
        """The dataset group ARN a resource belongs to, or None."""
        a = rec["attrs"]
        if a.get("datasetGroupArn"):
            return a["datasetGroupArn"]
        for key in ("solutionArn", "datasetArn", "solutionVersionArn"):
            parent = self._res().get(a.get(key))
            if parent is not None:
                return self.group_of(parent)
        return None

    def _group_members(self, rtype, dsg_arn, statuses=None):
        """The resources of rtype in a dataset group (optionally only in
        the given statuses)."""
        return [r for r in self._res().values()
                if r["type"] == rtype and self.group_of(r) == dsg_arn and
                (statuses is None or r["status"] in statuses)]

    def _quota(self, rtype, dsg_arn, statuses=None):
        """LimitExceededException when the group has its quota of rtype."""
        n = GROUP_QUOTAS[rtype]
        if len(self._group_members(rtype, dsg_arn, statuses)) >= n:
            raise limit("The dataset group %s already has %d %s(s), the "
                        "most it can have" % (dsg_arn, n, TYPES[rtype].desc))

    def _region_quota(self, rtype, n, what):
        busy = [r for r in self._res().values()
                if r["type"] == rtype and r["status"] in IN_FLIGHT]
        if len(busy) >= n:
            raise limit("You have %d %ss pending or in progress in this "
                        "region; at most %d may be (this quota is %s)"
                        % (len(busy), TYPES[rtype].desc, n, what))

    def _delete(self, rec, now):
        rec["status"] = "DELETE PENDING"
        rec["lastUpdatedDateTime"] = now
        p, r = DELETE_TIMES.get(rec["type"], DEFAULT_DELETE)
        self._schedule(rec, [(p, "DELETE IN_PROGRESS", None),
                             (r, None, "remove")], now)
        self.sim.store.commit()

    def _deletable(self, rec, extra=()):
        if rec["status"] not in ("ACTIVE", "CREATE FAILED") + tuple(extra):
            raise in_use("The %s %s can't be deleted while its status is %s"
                         % (TYPES[rec["type"]].desc, rec["arn"],
                            rec["status"]))

    def _do_remove(self, rec, t):
        res = self._res()
        res.pop(rec["arn"], None)
        sec = self._sec()
        # resources that go with their parent
        cascade = {"dataset": ("datasetImportJob", "datasetExportJob"),
                   "solution": ("solutionVersion",),
                   "solutionVersion": ("batchInferenceJob",
                                       "batchSegmentJob"),
                   "datasetGroup": ("dataDeletionJob",)}
        for ctype in cascade.get(rec["type"], ()):
            key = TYPES[ctype].parent
            for child in [r for r in res.values() if r["type"] == ctype and
                          r["attrs"].get(key) == rec["arn"]]:
                self._do_remove(child, t)
        if rec["type"] == "dataset":
            d = sec["data"].pop(rec["arn"], None)
            if d:
                self.sim.store.delete_blob(d["blob"])
        if rec["type"] in ("solutionVersion", "recommender"):
            bid = sec["models"].pop(rec["arn"], None)
            if bid:
                self.sim.store.delete_blob(bid)
        if rec["type"] == "datasetGroup":
            sec["events"].pop(rec["arn"], None)

    def _do_sub(self, rec, field, status, t):
        upd = rec["attrs"].get(field)
        if upd is not None:
            upd["status"] = status
            upd["lastUpdatedDateTime"] = t

    def _inject_update_failure(self, rec, op):
        """A failure a test injected (POST /__sim/faults "fail") for the
        update this call starts: it ends when the update would have."""
        fail = self.sim.faults.creation_failure(op)
        if fail:
            rec["x"]["update_failure"] = fail
        else:
            rec["x"].pop("update_failure", None)

    def _update_failed(self, rec, field, t):
        """Ends an update that was to fail: latest*Update CREATE FAILED
        with the reason; the resource keeps its settings. True if so."""
        fail = rec["x"].pop("update_failure", None)
        if not fail:
            return False
        self._do_sub(rec, field, "CREATE FAILED", t)
        rec["attrs"][field]["failureReason"] = fail
        return True

    # --- pagination ----------------------------------------------------------

    def _page(self, items, params, sig):
        n = params.get("maxResults") or 100
        start = 0
        tok = params.get("nextToken")
        if tok:
            try:
                d = json.loads(base64.b64decode(tok, validate=True))
                start = int(d["o"])
                if d["f"] != sig or start < 0:
                    raise ValueError
            except (ValueError, KeyError, TypeError):
                raise AwsError("InvalidNextTokenException", "Invalid next "
                               "token", 400)
        page = items[start:start + n]
        nxt = None
        if start + n < len(items):
            nxt = base64.b64encode(json.dumps(
                {"o": start + n, "f": sig}).encode()).decode()
        return page, nxt

    @staticmethod
    def _sig(op, params):
        keep = {k: v for k, v in params.items()
                if k not in ("nextToken", "maxResults")}
        return hashlib.sha256((op + json.dumps(keep, sort_keys=True))
                              .encode()).hexdigest()[:16]

    # --- generic Describe / List ---------------------------------------------

    def handle_generic(self, req, params):
        op = req.op
        if op in DESCRIBES:
            rt = DESCRIBES[op]
            with self.sim.store.lock:
                return self._describe(self._get(params[rt.arn_key],
                                                rt.name))
        if op in LISTS:
            rtype, key, fkey = LISTS[op]
            rt = TYPES[rtype]
            with self.sim.store.lock:
                flt = params.get(fkey) if fkey else None
                if op == "ListSolutionVersions" and flt:
                    self._get(flt, "solution")
                recs = [r for r in self._res().values()
                        if r["type"] == rtype and
                        (flt is None or r["attrs"].get(fkey) == flt)]
                recs.sort(key=lambda r: -r["seq"])
                page, nxt = self._page(recs, params, self._sig(op, params))
                out = {key: [self._filter_shape(rt.summary, self._view(r))
                             for r in page]}
            if nxt:
                out["nextToken"] = nxt
            return out
        return None

    def handle(self, req):
        self.advance()
        params = self.validated(req)
        fn = getattr(self, "op_" + req.op, None)
        if fn is not None:
            result = fn(params, req)
        else:
            result = self.handle_generic(req, params)
            if result is None:
                raise AwsError("UnknownOperationException", "The simulator "
                               "does not implement %s" % req.op, 400)
        return self.json_response(result, req)

    # --- dataset groups ------------------------------------------------------

    def op_CreateDatasetGroup(self, p, req):
        now = self.sim.now()
        arn = self.arn("dataset-group/" + p["name"])
        attrs = {k: p[k] for k in ("roleArn", "kmsKeyArn", "domain")
                 if k in p}
        if "kmsKeyArn" in p and "roleArn" not in p:
            raise invalid("A roleArn is required when you provide a "
                          "kmsKeyArn")
        with self.sim.store.lock:
            if sum(1 for r in self._res().values()
                   if r["type"] == "datasetGroup") >= 500:
                raise AwsError("LimitExceededException", "You have reached "
                               "the maximum number of dataset groups (500)",
                               400)
            self._new("datasetGroup", arn, p["name"], attrs, now,
                      p.get("tags"))
            self.sim.store.commit()
        out = {"datasetGroupArn": arn}
        if "domain" in p:
            out["domain"] = p["domain"]
        return out

    def op_DeleteDatasetGroup(self, p, req):
        now = self.sim.now()
        with self.sim.store.lock:
            rec = self._get(p["datasetGroupArn"], "datasetGroup")
            self._deletable(rec)
            for ctype in ("dataset", "solution", "campaign", "eventTracker",
                          "filter", "recommender", "metricAttribution"):
                kids = self._group_members(ctype, rec["arn"])
                if kids:
                    raise in_use("Cannot delete dataset group %s: it still "
                                 "has %d %s resource(s), for example %s"
                                 % (rec["arn"], len(kids),
                                    TYPES[ctype].desc, kids[0]["arn"]))
            self._delete(rec, now)
        return None

    # --- schemas -------------------------------------------------------------

    def op_CreateSchema(self, p, req):
        now = self.sim.now()
        try:
            data.parse_schema(p["schema"])
        except data.SchemaError as e:
            raise invalid(str(e))
        arn = self.arn("schema/" + p["name"])
        attrs = {"schema": p["schema"]}
        if "domain" in p:
            attrs["domain"] = p["domain"]
        with self.sim.store.lock:
            self._new("schema", arn, p["name"], attrs, now, status="ACTIVE")
            self.sim.store.commit()
        return {"schemaArn": arn}

    def op_DeleteSchema(self, p, req):
        with self.sim.store.lock:
            rec = self._get(p["schemaArn"], "schema")
            users = [r["arn"] for r in self._res().values()
                     if r["type"] == "dataset" and (
                         r["attrs"].get("schemaArn") == rec["arn"] or
                         (r["attrs"].get("latestDatasetUpdate") or {})
                         .get("schemaArn") == rec["arn"])]
            if users:
                raise in_use("Schema %s is in use by dataset %s"
                             % (rec["arn"], users[0]))
            self._do_remove(rec, self.sim.now())
            self.sim.store.commit()
        return None

    # --- datasets ------------------------------------------------------------

    def _schema_fields(self, schema_arn):
        rec = self._get(schema_arn, "schema")
        return rec, data.parse_schema(rec["attrs"]["schema"])

    def op_CreateDataset(self, p, req):
        now = self.sim.now()
        dtype = data.DATASET_TYPES.get(p["datasetType"].upper())
        if dtype is None:
            raise invalid("Invalid datasetType %s: must be one of %s"
                          % (p["datasetType"],
                             ", ".join(data.DATASET_TYPES.values())))
        with self.sim.store.lock:
            dsg = self._get(p["datasetGroupArn"], "datasetGroup")
            schema, fields = self._schema_fields(p["schemaArn"])
            self._active(dsg)
            domain = dsg["attrs"].get("domain")
            if domain and dtype in ("Actions", "Action_Interactions"):
                raise invalid("%s datasets can't be created in a domain "
                              "dataset group (%s is %s): next best action "
                              "is for custom dataset groups"
                              % (dtype, dsg["arn"], domain))
            if schema["attrs"].get("domain") != domain:
                raise invalid("The schema's domain (%s) does not match the "
                              "dataset group's domain (%s)"
                              % (schema["attrs"].get("domain"), domain))
            try:
                data.check_dataset_schema(dtype, fields, domain)
            except data.SchemaError as e:
                raise invalid(str(e))
            arn = self.arn("dataset/%s/%s" % (dsg["name"], dtype.upper()))
            attrs = {"datasetGroupArn": dsg["arn"], "datasetType": dtype,
                     "schemaArn": schema["arn"]}
            rec = self._new("dataset", arn, p["name"], attrs, now,
                            p.get("tags"))
            if dtype == "Interactions":
                rec["attrs"]["trackingId"] = None
            self.sim.store.commit()
        return {"datasetArn": arn}

    def _view_dataset(self, rec, d):
        # CreateDataset takes any case; Describe and List answer upper.
        d["datasetType"] = rec["attrs"]["datasetType"].upper()

    def op_UpdateDataset(self, p, req):
        now = self.sim.now()
        with self.sim.store.lock:
            rec = self._get(p["datasetArn"], "dataset")
            schema, fields = self._schema_fields(p["schemaArn"])
            self._active(rec)
            dtype = rec["attrs"]["datasetType"]
            if dtype not in ("Items", "Users"):
                raise invalid("Only Items and Users datasets can be updated"
                              " with a new schema; %s is %s" % (
                                  rec["arn"], dtype.upper()))
            _, old = self._schema_fields(rec["attrs"]["schemaArn"])
            try:
                data.check_dataset_schema(dtype, fields)
            except data.SchemaError as e:
                raise invalid(str(e))
            newnames = {n.upper(): (t, nl, f) for n, t, nl, f in fields}
            oldnames = {n.upper() for n, _, _, _ in old}
            for n, t, nl, f in old:
                if n.upper() not in newnames:
                    raise invalid("The new schema must contain every field "
                                  "of the current schema; %s is missing" % n)
                nt, nnl, nf = newnames[n.upper()]
                if nt != t or nnl != nl:
                    raise invalid("The new schema changes the type of field "
                                  "%s" % n)
                for attr in ("categorical", "textual"):
                    if bool(f.get(attr)) != bool(nf.get(attr)):
                        raise invalid("The new schema changes the %s "
                                      "attribute of field %s" % (attr, n))
            for n, t, nl, f in fields:
                if n.upper() not in oldnames and not nl:
                    raise invalid("Field %s is new: a field added to a "
                                  "schema must accept null (\"type\": "
                                  "[\"null\", ...])" % n)
            rec["attrs"]["latestDatasetUpdate"] = {
                "schemaArn": schema["arn"], "status": "CREATE PENDING",
                "creationDateTime": now, "lastUpdatedDateTime": now}
            rec["status"] = "UPDATE PENDING"
            self._inject_update_failure(rec, "UpdateDataset")
            p1, p2 = UPDATE_TIMES["dataset"]
            self._schedule(rec, [(0, None, "sub_dataset_progress"),
                                 (p1, "UPDATE IN_PROGRESS", None),
                                 (p2, "ACTIVE", "dataset_updated")], now)
            self.sim.store.commit()
        return {"datasetArn": rec["arn"]}

    def _do_sub_dataset_progress(self, rec, t):
        self._do_sub(rec, "latestDatasetUpdate", "CREATE IN_PROGRESS", t)

    def _do_dataset_updated(self, rec, t):
        if self._update_failed(rec, "latestDatasetUpdate", t):
            return
        upd = rec["attrs"]["latestDatasetUpdate"]
        rec["attrs"]["schemaArn"] = upd["schemaArn"]
        self._do_sub(rec, "latestDatasetUpdate", "ACTIVE", t)

    def op_DeleteDataset(self, p, req):
        now = self.sim.now()
        with self.sim.store.lock:
            rec = self._get(p["datasetArn"], "dataset")
            self._deletable(rec)
            self._dataset_blockers(rec)
            self._delete(rec, now)
        return None

    def _dataset_blockers(self, rec):
        """ResourceInUseException naming what must go before the dataset
        (delete-dataset.html)."""
        dsg = rec["attrs"]["datasetGroupArn"]
        dtype = rec["attrs"]["datasetType"]

        def refuse(what, other):
            raise in_use("Cannot delete dataset %s: %s %s must be deleted "
                         "first" % (rec["arn"], what, other["arn"]))
        for f in self._group_members("filter", dsg):
            refuse("every filter of its dataset group, for example", f)
        if dtype == "Interactions":
            for t in self._group_members("eventTracker", dsg):
                refuse("the dataset group's event tracker", t)
        for m in self._group_members("metricAttribution", dsg):
            if self._metrics_reference(m, dtype):
                refuse("the metric attribution that uses it,", m)
        for j in self._children("datasetImportJob", "datasetArn",
                                rec["arn"]):
            if j["status"] not in TERMINAL:
                raise in_use("Cannot delete dataset %s while its import job"
                             " %s is %s" % (rec["arn"], j["arn"],
                                            j["status"]))
        for c in self._group_members("campaign", dsg):
            if not c["status"].startswith("DELETE") and \
                    c["status"] != "CREATE FAILED":
                refuse("every campaign of the dataset group being created "
                       "or active, for example", c)

    @staticmethod
    def _metrics_reference(rec, dtype):
        """Whether a metric attribution's metrics use a dataset type: the
        interactions always (they count events), others when an
        expression names the type (SUM(Items.PRICE))."""
        if dtype == "Interactions":
            return True
        for m in rec["attrs"].get("metrics") or []:
            if re.search(r"\b%s\." % re.escape(dtype),
                         m.get("expression") or "", re.IGNORECASE):
                return True
        return False

    # --- import jobs ---------------------------------------------------------

    @staticmethod
    def _s3_split(url):
        if not url.startswith("s3://"):
            raise invalid("Invalid S3 location %s: it must start with s3://"
                          % url)
        bucket, _, key = url[5:].partition("/")
        if not bucket:
            raise invalid("Invalid S3 location %s" % url)
        return bucket, key

    def op_CreateDatasetImportJob(self, p, req):
        now = self.sim.now()
        loc = (p["dataSource"] or {}).get("dataLocation")
        if not loc:
            raise invalid("dataSource.dataLocation is required")
        self._s3_split(loc)
        with self.sim.store.lock:
            ds = self._get(p["datasetArn"], "dataset")
            self._active(ds)
            jobs = self._children("datasetImportJob", "datasetArn",
                                  ds["arn"])
            if self.sim.opts.import_while_importing == "refuse":
                for j in jobs:
                    if j["status"] not in TERMINAL:
                        raise in_use("Dataset %s already has an import job "
                                     "in progress: %s" % (ds["arn"],
                                                          j["arn"]))
            if p.get("importMode") == "INCREMENTAL" and not any(
                    j["status"] == "ACTIVE" for j in jobs):
                raise invalid("The first import into dataset %s must be "
                              "FULL: it has no data to add to"
                              % ds["arn"])
            self._region_quota("datasetImportJob", MAX_IMPORTS,
                               "not adjustable")
            arn = self.arn("dataset-import-job/" + p["jobName"])
            attrs = {"datasetArn": ds["arn"],
                     "dataSource": {"dataLocation": loc},
                     "importMode": p.get("importMode", "FULL"),
                     "publishAttributionMetricsToS3":
                     p.get("publishAttributionMetricsToS3", False)}
            if "roleArn" in p:
                attrs["roleArn"] = p["roleArn"]
            rec = self._new("datasetImportJob", arn, p["jobName"], attrs,
                            now, p.get("tags"))
            # the run time grows with the data: ~1 s per 10 kB, realistic
            bucket, key = self._s3_split(loc)
            size = sum(s for _, s in self.sim.services["s3"].list_keys(
                bucket, key) or [])
            rec["x"]["bytes"] = size
            rec["steps"][-1][0] += size / 10000.0 * self.sim.opts.time_scale
            self.sim.store.commit()
        return {"datasetImportJobArn": arn}

    def _read_location(self, loc, only_csv=False):
        """[(source url, bytes)] for an object or a prefix; raise
        ValueError with the failure reason. only_csv: of a prefix, only
        the objects directly under it whose names end .csv."""
        s3 = self.sim.services["s3"]
        bucket, key = self._s3_split(loc)
        keys = s3.list_keys(bucket, key)
        if keys is None:
            raise ValueError("Input S3 bucket %s does not exist or is not "
                             "accessible with the role" % bucket)
        exact = [k for k, _ in keys if k == key]
        if exact and not key.endswith("/"):
            chosen = exact
        else:
            pref = key if key.endswith("/") or not key else key
            chosen = [k for k, _ in keys if k.startswith(pref) and
                      not k.endswith("/")]
            if only_csv:
                chosen = [k for k in chosen if "/" not in k[len(pref):]
                          and k.lower().endswith(".csv")]
        if not chosen:
            raise ValueError("No data found at %s: the location must name "
                             "an object or a prefix that holds %s" %
                             (loc, "CSV objects" if only_csv else "objects"))
        out = []
        for k in chosen:
            body = s3.get_object_bytes(bucket, k)
            if body is not None:
                out.append(("s3://%s/%s" % (bucket, k), body))
        return out

    def _do_done_datasetImportJob(self, rec, t):
        ds = self._res().get(rec["attrs"]["datasetArn"])
        if ds is None:
            return self._fail(rec, "The dataset was deleted")
        _, fields = self._schema_fields(ds["attrs"]["schemaArn"])
        loc = rec["attrs"]["dataSource"]["dataLocation"]
        incremental = rec["attrs"]["importMode"] == "INCREMENTAL"
        dtype = ds["attrs"]["datasetType"]
        try:
            rows = []
            cols = None
            for src, body in self._read_location(
                    loc, self.sim.opts.import_objects == "top-csv"):
                cols, more = data.read_csv(body, fields, src)
                rows.extend(more)
            if not rows:
                raise ValueError("The data at %s has a header but no records"
                                 % loc)
            if len(rows) < MIN_IMPORT_RECORDS:
                raise ValueError("Insufficient data: the import has %d "
                                 "records; an import job must bring at "
                                 "least %d" % (len(rows),
                                               MIN_IMPORT_RECORDS))
            if incremental and rec["x"].get("bytes", 0) > \
                    MAX_INCREMENTAL_BYTES:
                raise ValueError("An INCREMENTAL import reads at most 1 GB;"
                                 " %s holds %d bytes" % (loc,
                                                         rec["x"]["bytes"]))
        except ValueError as e:
            return self._fail(rec, str(e))
        sec = self._sec()
        old = sec["data"].get(ds["arn"])
        if old and incremental:
            prev = self.blob_json(old["blob"])
            remap = [prev["columns"].index(c) if c in prev["columns"]
                     else None for c in cols]
            prev_rows = [[r[i] if i is not None else None for i in remap]
                         for r in prev["rows"]]
            rows, added = data.merge_incremental(dtype, cols, prev_rows,
                                                 rows)
            if dtype == "Interactions" and added < MIN_IMPORT_RECORDS:
                return self._fail(rec, "Insufficient data: an INCREMENTAL "
                                  "import into Interactions needs at least "
                                  "%d new records; %d of its records are "
                                  "new" % (MIN_IMPORT_RECORDS, added))
        bid = self.sim.store.put_blob_json({"columns": cols, "rows": rows})
        sec["data"][ds["arn"]] = {"blob": bid, "rows": len(rows),
                                  "job": rec["arn"], "time": t}
        if old:
            self.sim.store.delete_blob(old["blob"])
        rec["status"] = "ACTIVE"

    def _do_injected_failure(self, rec, t):
        self._fail(rec, rec["x"].pop("injected_failure"))

    def _fail(self, rec, reason):
        rec["status"] = ("FAILED" if rec["type"] == "dataDeletionJob"
                         else "CREATE FAILED")
        rec["failureReason"] = reason

    # --- solutions -----------------------------------------------------------

    def op_CreateSolution(self, p, req):
        now = self.sim.now()
        recipe = p.get("recipeArn")
        if p.get("performAutoML"):
            if recipe:
                raise invalid("Specify either performAutoML or recipeArn, "
                              "not both")
            recipe = catalog.recipe_arn("aws-user-personalization")
        if not recipe:
            raise invalid("recipeArn is required unless performAutoML is "
                          "true")
        name = catalog.recipe_name(recipe)
        if name is None:
            raise not_found("Could not find recipe with arn: %s" % recipe)
        if catalog.RECIPES[name][1]:
            raise invalid("Recipe %s is a domain recipe: use it with "
                          "CreateRecommender" % recipe)
        with self.sim.store.lock:
            dsg = self._get(p["datasetGroupArn"], "datasetGroup")
            self._active(dsg)
            self._quota("solution", dsg["arn"])
            arn = self.arn("solution/" + p["name"])
            attrs = {k: p[k] for k in (
                "performHPO", "performAutoML", "performAutoTraining",
                "performIncrementalUpdate", "eventType", "solutionConfig")
                if k in p}
            attrs.setdefault("performHPO", False)
            attrs.setdefault("performAutoML", False)
            # On unless told otherwise (solution-config-auto-training).
            attrs.setdefault("performAutoTraining", True)
            attrs["recipeArn"] = recipe
            attrs["datasetGroupArn"] = dsg["arn"]
            if p.get("performAutoML"):
                attrs["autoMLResult"] = {"bestRecipeArn": recipe}
            rec = self._new("solution", arn, p["name"], attrs, now,
                            p.get("tags"))
            if attrs["performAutoTraining"]:
                # the first automatic training: within the hour after the
                # solution is ACTIVE
                self._auto_at(rec, rec["steps"][-1][0] +
                              AUTO_TRAINING_START * self.sim.opts.time_scale,
                              first=True)
            self.sim.store.commit()
        return {"solutionArn": arn}

    # --- automatic training --------------------------------------------------

    def _auto_days(self, rec):
        for cfg in (rec["x"].get("updateConfig") or {},
                    rec["attrs"].get("solutionConfig") or {}):
            days = rate_days((cfg.get("autoTrainingConfig") or {}).get(
                "schedulingExpression"))
            if days:
                return days
        return AUTO_TRAINING_DAYS

    def _auto_at(self, rec, t, first=False):
        """Arm rec's automatic-training timer at t (replacing the last)."""
        rec["x"]["autoNext"] = t
        rec["x"]["autoForce"] = first
        heapq.heappush(self._heap, (t, rec["seq"], "auto:" + rec["arn"]))

    def _auto_timer(self, arn, t):
        """The automatic-training timer of a solution fired at t: train an
        AUTOMATIC version when data was imported since the last training
        (or when automatic training was just turned on or rescheduled),
        then arm the next run a schedule period later."""
        rec = self._res().get(arn)
        if rec is None or rec["x"].get("autoNext") != t:
            return False  # gone, or re-armed since
        rec["x"]["autoNext"] = None
        force = rec["x"].pop("autoForce", False)
        if not rec["attrs"].get("performAutoTraining"):
            return True
        if rec["status"] != "ACTIVE":
            if rec["steps"]:  # still being created: once it is done
                self._auto_at(rec, rec["steps"][-1][0], first=force)
            return True
        versions = self._children("solutionVersion", "solutionArn", arn)
        busy = any(v["status"] in IN_FLIGHT for v in versions)
        last = max((v["creationDateTime"] for v in versions), default=None)
        sec = self._sec()
        imported = [d["time"] for ds in self._children(
            "dataset", "datasetGroupArn", rec["attrs"]["datasetGroupArn"])
            for d in [sec["data"].get(ds["arn"])] if d]
        fresh = imported and (last is None or max(imported) > last)
        if not busy and (fresh or (force and imported)) and \
                len(self._training_now()) < \
                self.sim.opts.max_concurrent_trainings:
            self._start_version(rec, t, None, "AUTOTRAIN", "AUTOMATIC")
        self._auto_next(rec, t)
        return True

    def _auto_next(self, rec, t):
        """Arm the next scheduled run, a schedule period after t. At
        --time-scale 0 the period is not scaled (it would fire at every
        request): move the clock on with /__sim/clock instead."""
        scale = self.sim.opts.time_scale or 1.0
        self._auto_at(rec, t + self._auto_days(rec) * 86400 * scale)

    def _view_solution(self, rec, d):
        versions = self._children("solutionVersion", "solutionArn",
                                  rec["arn"])
        if versions:
            v = max(versions, key=lambda r: r["seq"])
            d["latestSolutionVersion"] = self._view(v)

    def op_UpdateSolution(self, p, req):
        now = self.sim.now()
        with self.sim.store.lock:
            rec = self._active(self._get(p["solutionArn"], "solution"))
            cur = rec["attrs"].get("latestSolutionUpdate") or {}
            if cur.get("status") in IN_FLIGHT:
                raise in_use("Solution %s is being updated (status: %s)"
                             % (rec["arn"], cur["status"]))
            upd = {"status": "CREATE PENDING", "creationDateTime": now,
                   "lastUpdatedDateTime": now}
            for k in ("performAutoTraining", "performIncrementalUpdate",
                      "solutionUpdateConfig"):
                if k in p:
                    upd[k] = p[k]
            rec["attrs"]["latestSolutionUpdate"] = upd
            self._inject_update_failure(rec, "UpdateSolution")
            p1, p2 = UPDATE_TIMES["solution"]
            self._schedule(rec, [(p1, None, "sub_solution_progress"),
                                 (p2, None, "solution_updated")], now)
            self.sim.store.commit()
        return {"solutionArn": rec["arn"]}

    def _do_sub_solution_progress(self, rec, t):
        self._do_sub(rec, "latestSolutionUpdate", "CREATE IN_PROGRESS", t)

    def _do_solution_updated(self, rec, t):
        if self._update_failed(rec, "latestSolutionUpdate", t):
            return
        upd = rec["attrs"]["latestSolutionUpdate"]
        was_on = rec["attrs"].get("performAutoTraining", True)
        old_days = self._auto_days(rec)
        # what the service trains with, whatever Describe shows
        x = rec["x"]
        for k in ("performAutoTraining", "performIncrementalUpdate"):
            if k in upd:
                rec["attrs"][k] = upd[k]
        if "solutionUpdateConfig" in upd:
            if self.sim.opts.solution_config_after_update == "applied":
                cfg = rec["attrs"].setdefault("solutionConfig", {})
                cfg.update(upd["solutionUpdateConfig"])
            else:
                x["updateConfig"] = dict(x.get("updateConfig") or {},
                                         **upd["solutionUpdateConfig"])
        on = rec["attrs"].get("performAutoTraining", True)
        new_days = rate_days(((upd.get("solutionUpdateConfig") or {}).get(
            "autoTrainingConfig") or {}).get("schedulingExpression"))
        if on and (not was_on or (new_days and new_days != old_days)):
            # turned on or rescheduled: a training within the hour
            self._auto_at(rec, t + AUTO_TRAINING_START *
                          self.sim.opts.time_scale, first=True)
        elif not on:
            x["autoNext"] = None
        self._do_sub(rec, "latestSolutionUpdate", "ACTIVE", t)

    def op_DeleteSolution(self, p, req):
        now = self.sim.now()
        with self.sim.store.lock:
            rec = self._get(p["solutionArn"], "solution")
            self._deletable(rec)
            camps = self._children("campaign", "solutionArn", rec["arn"])
            if camps:
                raise in_use("Solution %s is in use by campaign %s"
                             % (rec["arn"], camps[0]["arn"]))
            upd = rec["attrs"].get("latestSolutionUpdate") or {}
            if upd.get("status") in IN_FLIGHT:
                raise in_use("Solution %s can't be deleted while an update "
                             "is in progress (status: %s)"
                             % (rec["arn"], upd["status"]))
            for v in self._children("solutionVersion", "solutionArn",
                                    rec["arn"]):
                if v["status"] not in TERMINAL:
                    raise in_use("Solution %s has a solution version in "
                                 "progress: %s" % (rec["arn"], v["arn"]))
            self._delete(rec, now)
        return None

    # --- solution versions (training) ----------------------------------------

    def _training_now(self):
        return [r for r in self._res().values()
                if r["type"] in ("solutionVersion", "recommender") and
                r["status"] in ("CREATE PENDING", "CREATE IN_PROGRESS")]

    def op_CreateSolutionVersion(self, p, req):
        now = self.sim.now()
        mode = p.get("trainingMode", "FULL")
        with self.sim.store.lock:
            sol = self._active(self._get(p["solutionArn"], "solution"))
            rname = catalog.recipe_name(sol["attrs"]["recipeArn"])
            versions = self._children("solutionVersion", "solutionArn",
                                      sol["arn"])
            if self.sim.opts.version_while_training == "refuse":
                for v in versions:
                    if v["status"] in IN_FLIGHT:
                        raise in_use("Solution %s already has a solution "
                                     "version in progress: %s"
                                     % (sol["arn"], v["arn"]))
            if mode == "AUTOTRAIN":
                raise invalid("trainingMode AUTOTRAIN is reserved for "
                              "automatic training")
            if mode == "UPDATE":
                if not catalog.RECIPES[rname][4]:
                    raise invalid("trainingMode UPDATE is not supported for "
                                  "recipe %s" % sol["attrs"]["recipeArn"])
                if not any(v["status"] == "ACTIVE" and
                           v["attrs"]["trainingMode"] == "FULL"
                           for v in versions):
                    raise invalid("trainingMode UPDATE requires an ACTIVE "
                                  "solution version trained with FULL")
            limit_n = self.sim.opts.max_concurrent_trainings
            if len(self._training_now()) >= limit_n:
                raise limit("You have exceeded the limit of %d concurrent "
                            "solution version trainings" % limit_n)
            if p.get("name"):
                for v in versions:
                    if v["name"] == p["name"]:
                        raise exists("A solution version named %s already "
                                     "exists for %s" % (p["name"],
                                                        sol["arn"]))
            rec = self._start_version(sol, now, p.get("name"), mode,
                                      "MANUAL", p.get("tags"))
            self.sim.store.commit()
        return {"solutionVersionArn": rec["arn"]}

    def _start_version(self, sol, now, name, mode, training_type,
                       tags=None):
        """A new version of solution sol, training from now."""
        vid = self.sim.random_hex(8)
        arn = "%s/%s" % (sol["arn"], vid)
        attrs = {"solutionArn": sol["arn"], "trainingMode": mode,
                 "trainingType": training_type}
        for k in ("performHPO", "performAutoML", "performIncrementalUpdate",
                  "recipeArn", "eventType", "datasetGroupArn",
                  "solutionConfig"):
            if k in sol["attrs"]:
                attrs[k] = sol["attrs"][k]
        # unnamed versions are named <solution name>/<id>
        rec = self._new("solutionVersion", arn,
                        name or "%s/%s" % (sol["name"], vid), attrs, now,
                        tags)
        rec["x"]["snapshot"] = self._snapshot(attrs["datasetGroupArn"])
        n = self._snapshot_rows(rec["x"]["snapshot"])
        extra = n / 50.0 * (3 if sol["attrs"].get("performHPO") else 1)
        rec["x"]["trainingSeconds"] = CREATE_TIMES["solutionVersion"][1] \
            + extra
        rec["steps"][-1][0] += extra * self.sim.opts.time_scale
        return rec

    def _snapshot(self, dsg_arn):
        """{dataset type: blob id} of the data a training run sees."""
        sec = self._sec()
        snap = {}
        for ds in self._children("dataset", "datasetGroupArn", dsg_arn):
            d = sec["data"].get(ds["arn"])
            snap[ds["attrs"]["datasetType"]] = d["blob"] if d else None
        snap["_events"] = len(sec["events"].get(dsg_arn, []))
        return snap

    def _snapshot_rows(self, snap):
        sec = self._sec()
        return sum(d["rows"] for d in sec["data"].values()
                   if d["blob"] in snap.values())

    def _train(self, rec, recipe_name, dsg_arn, snap, event_type=None,
               threshold=None):
        """Train on a snapshot: (model, None) or (None, failure reason)."""
        required = catalog.RECIPES[recipe_name][3]
        for dtype in required:
            if dtype not in snap:
                return None, ("The dataset group has no %s dataset, which "
                              "recipe %s requires" % (dtype, recipe_name))
            if snap[dtype] is None:
                return None, ("The %s dataset has no imported data; import "
                              "data before training" % dtype)
        inter = self.blob_json(snap["Interactions"])
        live = self._sec()["events"].get(dsg_arn, [])[:snap.get("_events",
                                                                 0)]
        events = data.interactions(inter, event_type, threshold)
        events += [(e[0], e[1], e[2]) for e in live
                   if not event_type or e[3] == event_type]
        problem = data.training_problem(events)
        if problem:
            return None, problem
        model = data.train(events)
        model["kind"] = catalog.RECIPES[recipe_name][2]
        model["recipe"] = recipe_name
        model["items"] = snap.get("Items")
        model["usersData"] = snap.get("Users")
        return model, None

    def _do_done_solutionVersion(self, rec, t):
        if rec["status"] in ("CREATE STOPPING", "CREATE STOPPED"):
            return
        a = rec["attrs"]
        cfg = a.get("solutionConfig") or {}
        thr = cfg.get("eventValueThreshold")
        model, reason = self._train(
            rec, catalog.recipe_name(a["recipeArn"]), a["datasetGroupArn"],
            rec["x"]["snapshot"], a.get("eventType"),
            float(thr) if thr not in (None, "") else None)
        if reason:
            return self._fail(rec, reason)
        rec["x"]["metrics"] = data.metrics(rec["arn"],
                                           model["interactions"],
                                           len(model["counts"]))
        # A test's choice for the versions of this solution (POST
        # /__sim/metrics): the promotion gate's better or worse model.
        rule = self._sec().get("metricRules", {}).get(a["solutionArn"])
        if rule:
            rec["x"]["metrics"].update(rule)
        self._sec()["models"][rec["arn"]] = \
            self.sim.store.put_blob_json(model)
        a["trainingHours"] = round(rec["x"]["trainingSeconds"] / 3600.0, 3)
        if a.get("performHPO"):
            a["tunedHPOParams"] = {"algorithmHyperParameters":
                                   {"hidden_dimension": "149"}}
        rec["status"] = "ACTIVE"

    def op_StopSolutionVersionCreation(self, p, req):
        now = self.sim.now()
        with self.sim.store.lock:
            rec = self._get(p["solutionVersionArn"], "solutionVersion")
            if rec["status"] not in IN_FLIGHT:
                raise in_use("Solution version %s is not being created "
                             "(status: %s)" % (rec["arn"], rec["status"]))
            if rec["status"] == "CREATE PENDING":
                rec["lastUpdatedDateTime"] = now
                rec["status"] = "CREATE STOPPED"
                rec["attrs"]["trainingHours"] = 0.0
                self._schedule(rec, [], now)
            else:
                # training done until the stop is billed (it started when
                # the status last changed, to CREATE IN_PROGRESS)
                scale = self.sim.opts.time_scale or 1.0
                rec["attrs"]["trainingHours"] = round(max(
                    0.0, now - rec["lastUpdatedDateTime"]) / scale /
                    3600.0, 3)
                rec["lastUpdatedDateTime"] = now
                rec["status"] = "CREATE STOPPING"
                self._schedule(rec, [(60, "CREATE STOPPED", None)], now)
            self.sim.store.commit()
        return None

    def set_metrics(self, obj):
        """POST /__sim/metrics: {"solutionVersionArn": V, "metrics": {}}
        changes an ACTIVE version's metrics now; {"solutionArn": S,
        "metrics": {}} those of every version of S that finishes
        training from now on ({} or null: back to the computed ones).
        The given members replace the computed ones. Returns the rules
        and the version's metrics."""
        if not isinstance(obj, dict) or set(obj) - {
                "solutionArn", "solutionVersionArn", "metrics"} or \
                ("solutionArn" in obj) == ("solutionVersionArn" in obj):
            raise ValueError("need {\"solutionVersionArn\" or "
                             "\"solutionArn\": ARN, \"metrics\": "
                             "{name: number}}")
        m = obj.get("metrics") or {}
        if not isinstance(m, dict) or not all(
                isinstance(k, str) and isinstance(v, (int, float)) and
                not isinstance(v, bool) for k, v in m.items()):
            raise ValueError("metrics must map names to numbers")
        try:
            return self._set_metrics(obj, m)
        except AwsError as e:
            raise ValueError(e.message)

    def _set_metrics(self, obj, m):
        with self.sim.store.lock:
            sec = self._sec()
            rules = sec.setdefault("metricRules", {})
            if "solutionArn" in obj:
                self._get(obj["solutionArn"], "solution")
                if m:
                    rules[obj["solutionArn"]] = dict(m)
                else:
                    rules.pop(obj["solutionArn"], None)
                out = {"rules": dict(rules)}
            else:
                rec = self._get(obj["solutionVersionArn"], "solutionVersion")
                if rec["status"] != "ACTIVE":
                    raise ValueError("%s is not ACTIVE (%s): it has no "
                                     "metrics yet" % (rec["arn"],
                                                      rec["status"]))
                rec["x"]["metrics"].update(m)
                out = {"solutionVersionArn": rec["arn"],
                       "metrics": dict(rec["x"]["metrics"])}
            self.sim.store.commit()
        return out

    def op_GetSolutionMetrics(self, p, req):
        with self.sim.store.lock:
            rec = self._get(p["solutionVersionArn"], "solutionVersion")
            if rec["status"] != "ACTIVE":
                raise in_use("Solution version %s is not ACTIVE (status: "
                             "%s); metrics are available once training "
                             "completes" % (rec["arn"], rec["status"]))
            return {"solutionVersionArn": rec["arn"],
                    "metrics": dict(rec["x"]["metrics"])}

    # --- campaigns -----------------------------------------------------------

    def served_version(self, rec):
        """The solution version a campaign answers from: its own, or with
        <solution ARN>/$LATEST the newest ACTIVE version of the solution."""
        sv = rec["attrs"]["solutionVersionArn"]
        if not sv.endswith("/" + LATEST):
            return sv
        active = [v for v in self._children("solutionVersion",
                                            "solutionArn",
                                            sv[:-len(LATEST) - 1])
                  if v["status"] == "ACTIVE"]
        return max(active, key=lambda v: v["seq"])["arn"] if active \
            else None

    def _campaign_version(self, arn, config):
        """(version record, solution ARN) a campaign may use: with
        campaignConfig.syncWithLatestSolutionVersion the version must be
        <solution ARN>/$LATEST (API_CampaignConfig)."""
        sync = bool((config or {}).get("syncWithLatestSolutionVersion"))
        if arn.endswith("/" + LATEST):
            if not sync:
                raise invalid("%s names no solution version: $LATEST is "
                              "only for campaigns with campaignConfig."
                              "syncWithLatestSolutionVersion true" % arn)
            sol = self._active(self._get(arn[:-len(LATEST) - 1],
                                         "solution"))
            active = [v for v in self._children(
                "solutionVersion", "solutionArn", sol["arn"])
                if v["status"] == "ACTIVE"]
            if not active:
                raise in_use("Solution %s has no ACTIVE solution version "
                             "for $LATEST to name" % sol["arn"])
            return max(active, key=lambda v: v["seq"]), sol["arn"]
        if sync:
            raise invalid("With syncWithLatestSolutionVersion, give the "
                          "solution version as <solution ARN>/$LATEST, not "
                          "%s" % arn)
        sv = self._active(self._get(arn, "solutionVersion"))
        return sv, sv["attrs"]["solutionArn"]

    def op_CreateCampaign(self, p, req):
        now = self.sim.now()
        with self.sim.store.lock:
            sv, sol_arn = self._campaign_version(p["solutionVersionArn"],
                                                 p.get("campaignConfig"))
            kind = catalog.RECIPES[catalog.recipe_name(
                sv["attrs"]["recipeArn"])][2]
            if kind == "segment":
                raise invalid("Solution versions of USER_SEGMENTATION recipes"
                              " can only be used in batch segment jobs")
            self._quota("campaign", sv["attrs"]["datasetGroupArn"], [
                st for st in ("CREATE PENDING", "CREATE IN_PROGRESS",
                              "ACTIVE", "UPDATE PENDING",
                              "UPDATE IN_PROGRESS")])
            arn = self.arn("campaign/" + p["name"])
            attrs = {"solutionVersionArn": p["solutionVersionArn"],
                     "solutionArn": sol_arn,
                     "minProvisionedTPS": p.get("minProvisionedTPS", 1)}
            if "campaignConfig" in p:
                attrs["campaignConfig"] = p["campaignConfig"]
            self._new("campaign", arn, p["name"], attrs, now, p.get("tags"))
            self.sim.store.commit()
        return {"campaignArn": arn}

    def _updating(self, rec, field):
        upd = rec["attrs"].get(field) or {}
        if upd.get("status") in IN_FLIGHT or rec["status"] not in (
                "ACTIVE", "CREATE FAILED"):
            raise in_use("%s %s is being updated or is not ACTIVE (status:"
                         " %s; %s: %s)" % (TYPES[rec["type"]].desc,
                                           rec["arn"], rec["status"], field,
                                           upd.get("status")))

    def _update_steps(self, rec, rtype, sub_progress, done, now):
        """An update's lifecycle: latest*Update goes CREATE PENDING >
        CREATE IN_PROGRESS > ACTIVE; the top-level status stays ACTIVE, or
        (--update-status updating) goes UPDATE PENDING > UPDATE
        IN_PROGRESS > ACTIVE."""
        p1, p2 = UPDATE_TIMES[rtype]
        moving = self.sim.opts.update_status == "updating"
        if moving:
            rec["status"] = "UPDATE PENDING"
        rec["lastUpdatedDateTime"] = now
        self._schedule(rec, [(p1, "UPDATE IN_PROGRESS" if moving else None,
                              sub_progress),
                             (p2, "ACTIVE", done)], now)

    def op_UpdateCampaign(self, p, req):
        now = self.sim.now()
        with self.sim.store.lock:
            rec = self._get(p["campaignArn"], "campaign")
            self._updating(rec, "latestCampaignUpdate")
            cfg = rec["attrs"].get("campaignConfig")
            if "campaignConfig" in p:
                if self.sim.opts.campaign_config_update == "merge":
                    cfg = dict(cfg or {}, **p["campaignConfig"])
                else:
                    cfg = p["campaignConfig"]
            svarn = p.get("solutionVersionArn",
                          rec["attrs"]["solutionVersionArn"])
            sv, sol_arn = self._campaign_version(svarn, cfg)
            if sol_arn != rec["attrs"]["solutionArn"] and \
                    self.sim.opts.campaign_other_solution == "refuse":
                raise invalid("Solution version %s belongs to another "
                              "solution than campaign %s"
                              % (svarn, rec["arn"]))
            upd = {"solutionVersionArn": svarn,
                   "minProvisionedTPS": p.get(
                       "minProvisionedTPS", rec["attrs"]["minProvisionedTPS"]),
                   "status": "CREATE PENDING", "creationDateTime": now,
                   "lastUpdatedDateTime": now}
            if cfg is not None:
                upd["campaignConfig"] = cfg
            rec["x"]["updateSolution"] = sol_arn
            rec["attrs"]["latestCampaignUpdate"] = upd
            self._inject_update_failure(rec, "UpdateCampaign")
            self._update_steps(rec, "campaign", "sub_campaign_progress",
                               "campaign_updated", now)
            self.sim.store.commit()
        return {"campaignArn": rec["arn"]}

    def _do_sub_campaign_progress(self, rec, t):
        self._do_sub(rec, "latestCampaignUpdate", "CREATE IN_PROGRESS", t)

    def _do_campaign_updated(self, rec, t):
        if self._update_failed(rec, "latestCampaignUpdate", t):
            rec["x"].pop("updateSolution", None)
            return
        upd = rec["attrs"]["latestCampaignUpdate"]
        for k in ("solutionVersionArn", "minProvisionedTPS",
                  "campaignConfig"):
            if k in upd:
                rec["attrs"][k] = upd[k]
        if rec["x"].get("updateSolution"):
            rec["attrs"]["solutionArn"] = rec["x"].pop("updateSolution")
        self._do_sub(rec, "latestCampaignUpdate", "ACTIVE", t)

    def op_DeleteCampaign(self, p, req):
        now = self.sim.now()
        with self.sim.store.lock:
            rec = self._get(p["campaignArn"], "campaign")
            self._deletable(rec)
            self._delete(rec, now)
        return None

    # --- event trackers ------------------------------------------------------

    def op_CreateEventTracker(self, p, req):
        now = self.sim.now()
        with self.sim.store.lock:
            dsg = self._active(self._get(p["datasetGroupArn"],
                                         "datasetGroup"))
            self._quota("eventTracker", dsg["arn"])
            # the ARN ends with an id, not the name
            arn = self.arn("event-tracker/" + self.sim.random_hex(8))
            h = self.sim.random_hex(32)
            tracking = "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16],
                                           h[16:20], h[20:])
            attrs = {"datasetGroupArn": dsg["arn"], "trackingId": tracking,
                     "accountId": self.sim.opts.account_id}
            self._new("eventTracker", arn, p["name"], attrs, now,
                      p.get("tags"))
            for ds in self._children("dataset", "datasetGroupArn",
                                     dsg["arn"]):
                if ds["attrs"]["datasetType"] == "Interactions":
                    ds["attrs"]["trackingId"] = tracking
            self.sim.store.commit()
        return {"eventTrackerArn": arn, "trackingId": tracking}

    def op_DeleteEventTracker(self, p, req):
        now = self.sim.now()
        with self.sim.store.lock:
            rec = self._get(p["eventTrackerArn"], "eventTracker")
            self._deletable(rec)
            self._delete(rec, now)
        return None

    def tracker(self, tracking_id):
        for r in self._res().values():
            if r["type"] == "eventTracker" and \
                    r["attrs"]["trackingId"] == tracking_id:
                return r
        return None

    # --- filters -------------------------------------------------------------

    def dataset_fields(self, dsg_arn):
        """{dataset type: {FIELD}} of a dataset group."""
        out = {}
        for ds in self._children("dataset", "datasetGroupArn", dsg_arn):
            _, fields = self._schema_fields(ds["attrs"]["schemaArn"])
            out[ds["attrs"]["datasetType"]] = {n.upper() for n, _, _, _ in
                                               fields}
        return out

    def op_CreateFilter(self, p, req):
        now = self.sim.now()
        try:
            clauses = filters.parse(p["filterExpression"])
        except filters.FilterError as e:
            raise invalid(str(e))
        with self.sim.store.lock:
            dsg = self._active(self._get(p["datasetGroupArn"],
                                         "datasetGroup"))
            have = self.dataset_fields(dsg["arn"])
            for dtype, field in sorted(filters.references(clauses)):
                if dtype not in have:
                    raise invalid("Invalid filter expression: the dataset "
                                  "group has no %s dataset" % dtype)
                if field not in have[dtype]:
                    raise invalid("Invalid filter expression: the %s "
                                  "dataset has no field %s" % (dtype, field))
            self._quota("filter", dsg["arn"])
            arn = self.arn("filter/" + p["name"])
            attrs = {"datasetGroupArn": dsg["arn"],
                     "filterExpression": p["filterExpression"]}
            self._new("filter", arn, p["name"], attrs, now, p.get("tags"))
            self.sim.store.commit()
        return {"filterArn": arn}

    def op_DeleteFilter(self, p, req):
        now = self.sim.now()
        with self.sim.store.lock:
            rec = self._get(p["filterArn"], "filter")
            self._deletable(rec)
            self._delete(rec, now)
        return None

    # --- recommenders (domain dataset groups) --------------------------------

    def op_CreateRecommender(self, p, req):
        now = self.sim.now()
        rname = catalog.recipe_name(p["recipeArn"])
        if rname is None:
            raise not_found("Could not find recipe with arn: %s"
                            % p["recipeArn"])
        with self.sim.store.lock:
            dsg = self._active(self._get(p["datasetGroupArn"],
                                         "datasetGroup"))
            domain = dsg["attrs"].get("domain")
            if not domain:
                raise invalid("Recommenders need a Domain dataset group; %s "
                              "is a Custom dataset group" % dsg["arn"])
            if catalog.RECIPES[rname][1] != domain:
                raise invalid("Recipe %s is not a %s use case"
                              % (p["recipeArn"], domain))
            self._quota("recommender", dsg["arn"])
            limit = self.sim.opts.max_concurrent_trainings
            if len(self._training_now()) >= limit:
                raise AwsError("LimitExceededException", "You have exceeded "
                               "the limit of %d concurrent trainings" % limit,
                               400)
            arn = self.arn("recommender/" + p["name"])
            attrs = {"datasetGroupArn": dsg["arn"],
                     "recipeArn": p["recipeArn"],
                     "recommenderConfig": p.get("recommenderConfig") or
                     {"minRecommendationRequestsPerSecond": 1}}
            rec = self._new("recommender", arn, p["name"], attrs, now,
                            p.get("tags"))
            rec["x"]["snapshot"] = self._snapshot(dsg["arn"])
            self.sim.store.commit()
        return {"recommenderArn": arn}

    def _do_done_recommender(self, rec, t):
        a = rec["attrs"]
        model, reason = self._train(rec, catalog.recipe_name(a["recipeArn"]),
                                    a["datasetGroupArn"],
                                    rec["x"]["snapshot"])
        if reason:
            return self._fail(rec, reason)
        self._sec()["models"][rec["arn"]] = \
            self.sim.store.put_blob_json(model)
        a["modelMetrics"] = data.metrics(rec["arn"], model["interactions"],
                                         len(model["counts"]))
        rec["status"] = "ACTIVE"

    def op_UpdateRecommender(self, p, req):
        now = self.sim.now()
        with self.sim.store.lock:
            rec = self._get(p["recommenderArn"], "recommender")
            self._updating(rec, "latestRecommenderUpdate")
            rec["attrs"]["latestRecommenderUpdate"] = {
                "recommenderConfig": p["recommenderConfig"],
                "status": "CREATE PENDING", "creationDateTime": now,
                "lastUpdatedDateTime": now}
            self._inject_update_failure(rec, "UpdateRecommender")
            self._update_steps(rec, "recommender",
                               "sub_recommender_progress",
                               "recommender_updated", now)
            self.sim.store.commit()
        return {"recommenderArn": rec["arn"]}

    def _do_sub_recommender_progress(self, rec, t):
        self._do_sub(rec, "latestRecommenderUpdate", "CREATE IN_PROGRESS", t)

    def _do_recommender_updated(self, rec, t):
        if self._update_failed(rec, "latestRecommenderUpdate", t):
            return
        upd = rec["attrs"]["latestRecommenderUpdate"]
        rec["attrs"]["recommenderConfig"] = upd["recommenderConfig"]
        self._do_sub(rec, "latestRecommenderUpdate", "ACTIVE", t)

    def op_StopRecommender(self, p, req):
        now = self.sim.now()
        with self.sim.store.lock:
            rec = self._get(p["recommenderArn"], "recommender")
            if rec["status"] != "ACTIVE":
                raise in_use("Recommender %s can't be stopped while its "
                             "status is %s" % (rec["arn"], rec["status"]))
            rec["status"] = "STOP PENDING"
            rec["lastUpdatedDateTime"] = now
            self._schedule(rec, [(START_STOP[0], "STOP IN_PROGRESS", None),
                                 (START_STOP[1], "INACTIVE", None)], now)
            self.sim.store.commit()
        return {"recommenderArn": rec["arn"]}

    def op_StartRecommender(self, p, req):
        now = self.sim.now()
        with self.sim.store.lock:
            rec = self._get(p["recommenderArn"], "recommender")
            if rec["status"] != "INACTIVE":
                raise in_use("Recommender %s can't be started while its "
                             "status is %s" % (rec["arn"], rec["status"]))
            rec["status"] = "START PENDING"
            rec["lastUpdatedDateTime"] = now
            self._schedule(rec, [(START_STOP[0], "START IN_PROGRESS", None),
                                 (START_STOP[1], "ACTIVE", None)], now)
            self.sim.store.commit()
        return {"recommenderArn": rec["arn"]}

    def op_DeleteRecommender(self, p, req):
        now = self.sim.now()
        with self.sim.store.lock:
            rec = self._get(p["recommenderArn"], "recommender")
            self._deletable(rec, ("INACTIVE",))
            self._delete(rec, now)
        return None

    # --- batch jobs ----------------------------------------------------------

    def _batch(self, rtype, p, kinds):
        now = self.sim.now()
        for k in ("jobInput", "jobOutput"):
            sub = p[k]
            path = (sub.get("s3DataSource") or sub.get(
                "s3DataDestination"))["path"]
            self._s3_split(path)
        if not p["jobOutput"]["s3DataDestination"]["path"].endswith("/"):
            raise invalid("The output path must be an S3 folder (end with "
                          "/)")
        with self.sim.store.lock:
            sv = self._active(self._get(p["solutionVersionArn"],
                                        "solutionVersion"))
            rname = catalog.recipe_name(sv["attrs"]["recipeArn"])
            if rtype == "batchInferenceJob" and rname in NO_BATCH_INFERENCE:
                raise invalid("Batch inference is not available for recipe "
                              "%s" % sv["attrs"]["recipeArn"])
            if catalog.RECIPES[rname][2] not in kinds:
                raise invalid("Solution version %s was trained with a recipe"
                              " this job type does not support"
                              % sv["arn"])
            if rtype == "batchInferenceJob":
                self._region_quota("batchInferenceJob", MAX_BATCH_INFERENCE,
                                   "per region")
            if p.get("filterArn"):
                self._active(self._get(p["filterArn"], "filter"))
            arn = self.arn("%s/%s" % (TYPES[rtype].arn_path, p["jobName"]))
            attrs = {k: p[k] for k in p if k not in ("jobName", "tags")}
            attrs.setdefault("numResults", 25)
            self._new(rtype, arn, p["jobName"], attrs, now, p.get("tags"))
            self.sim.store.commit()
        return arn

    def op_CreateBatchInferenceJob(self, p, req):
        return {"batchInferenceJobArn": self._batch(
            "batchInferenceJob", p, ("user", "related", "ranking",
                                     "popular"))}

    def op_CreateBatchSegmentJob(self, p, req):
        return {"batchSegmentJobArn": self._batch(
            "batchSegmentJob", p, ("segment",))}

    def _job_lines(self, rec, key):
        src = rec["attrs"][key]["s3DataSource"]["path"]
        lines = []
        for url, body in self._read_location(src):
            for n, line in enumerate(body.decode("utf-8").splitlines(), 1):
                if line.strip():
                    try:
                        lines.append(json.loads(line))
                    except ValueError:
                        raise ValueError("Line %d of %s is not JSON"
                                         % (n, url))
        return src, lines

    def _write_output(self, rec, src, out_lines):
        dest = rec["attrs"]["jobOutput"]["s3DataDestination"]["path"]
        bucket, prefix = self._s3_split(dest)
        name = src.rstrip("/").rsplit("/", 1)[-1] + ".out"
        body = "".join(json.dumps(o) + "\n" for o in out_lines).encode()
        if not self.sim.services["s3"].put_object_bytes(bucket,
                                                        prefix + name, body):
            raise ValueError("Output S3 bucket %s does not exist" % bucket)

    def model_for(self, arn):
        bid = self._sec()["models"].get(arn)
        return self.blob_json(bid) if bid else None

    def _no_model(self, rec):
        """A version seeded without data has no model: the job fails,
        saying so, rather than run on nothing."""
        return self._fail(rec, "The simulator has no model for %s: it was "
                          "seeded without the data to train it on (seed "
                          "its imports first)"
                          % rec["attrs"]["solutionVersionArn"])

    def _do_done_batchInferenceJob(self, rec, t):
        a = rec["attrs"]
        model = self.model_for(a["solutionVersionArn"])
        if model is None:
            return self._no_model(rec)
        try:
            src, lines = self._job_lines(rec, "jobInput")
            out = []
            for inp in lines:
                if model["kind"] == "ranking":
                    r = data.rank(model, inp.get("userId"),
                                  inp.get("itemList") or [])
                elif model["kind"] == "related":
                    r = data.recommend(model, "related",
                                       item=inp.get("itemId"),
                                       n=a["numResults"])
                else:
                    r = data.recommend(model, model["kind"],
                                       user=inp.get("userId"),
                                       n=a["numResults"])
                key = "ranking" if model["kind"] == "ranking" \
                    else "recommendedItems"
                out.append({"input": inp,
                            "output": {key: [i for i, _ in r],
                                       "scores": [s for _, s in r]},
                            "error": None})
            self._write_output(rec, src, out)
        except ValueError as e:
            return self._fail(rec, str(e))
        rec["status"] = "ACTIVE"

    def _do_done_batchSegmentJob(self, rec, t):
        a = rec["attrs"]
        model = self.model_for(a["solutionVersionArn"])
        if model is None:
            return self._no_model(rec)
        try:
            src, lines = self._job_lines(rec, "jobInput")
            out = []
            for inp in lines:
                items = [inp["itemId"]] if "itemId" in inp else []
                users = data.segment(model, items, a["numResults"])
                out.append({"input": inp, "output": {"usersList": users},
                            "error": None})
            self._write_output(rec, src, out)
        except ValueError as e:
            return self._fail(rec, str(e))
        rec["status"] = "ACTIVE"

    # --- dataset export and data deletion ------------------------------------

    def op_CreateDatasetExportJob(self, p, req):
        now = self.sim.now()
        self._s3_split(p["jobOutput"]["s3DataDestination"]["path"])
        with self.sim.store.lock:
            ds = self._active(self._get(p["datasetArn"], "dataset"))
            arn = self.arn("dataset-export-job/" + p["jobName"])
            attrs = {"datasetArn": ds["arn"], "roleArn": p["roleArn"],
                     "ingestionMode": p.get("ingestionMode", "PUT"),
                     "jobOutput": p["jobOutput"]}
            self._new("datasetExportJob", arn, p["jobName"], attrs, now,
                      p.get("tags"))
            self.sim.store.commit()
        return {"datasetExportJobArn": arn}

    def _do_done_datasetExportJob(self, rec, t):
        d = self._sec()["data"].get(rec["attrs"]["datasetArn"])
        dest = rec["attrs"]["jobOutput"]["s3DataDestination"]["path"]
        bucket, prefix = self._s3_split(dest)
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        rows = self.blob_json(d["blob"]) if d else {"columns": [],
                                                     "rows": []}
        lines = [",".join(rows["columns"])]
        for r in rows["rows"]:
            lines.append(",".join("" if v is None else str(v) for v in r))
        body = ("\n".join(lines) + "\n").encode()
        if not self.sim.services["s3"].put_object_bytes(
                bucket, "%s%s_part_00000.csv" % (prefix, rec["name"]), body,
                "text/csv"):
            return self._fail(rec, "Output S3 bucket %s does not exist"
                              % bucket)
        rec["status"] = "ACTIVE"

    def op_CreateDataDeletionJob(self, p, req):
        now = self.sim.now()
        self._s3_split(p["dataSource"].get("dataLocation") or "")
        with self.sim.store.lock:
            dsg = self._active(self._get(p["datasetGroupArn"],
                                         "datasetGroup"))
            arn = self.arn("data-deletion-job/" + p["jobName"])
            attrs = {"datasetGroupArn": dsg["arn"],
                     "dataSource": p["dataSource"], "roleArn": p["roleArn"]}
            self._new("dataDeletionJob", arn, p["jobName"], attrs, now,
                      p.get("tags"))
            self.sim.store.commit()
        return {"dataDeletionJobArn": arn}

    def _do_done_dataDeletionJob(self, rec, t):
        users = set()
        try:
            for src, body in self._read_location(
                    rec["attrs"]["dataSource"]["dataLocation"]):
                lines = body.decode("utf-8").splitlines()
                if not lines or lines[0].strip().upper() != "USER_ID":
                    raise ValueError("%s must be a CSV with a single USER_ID"
                                     " column" % src)
                users.update(x.strip() for x in lines[1:] if x.strip())
        except ValueError as e:
            return self._fail(rec, str(e))
        sec = self._sec()
        deleted = 0
        for ds in self._children("dataset", "datasetGroupArn",
                                 rec["attrs"]["datasetGroupArn"]):
            d = sec["data"].get(ds["arn"])
            if not d:
                continue
            rows = self.blob_json(d["blob"])
            col = [c.upper() for c in rows["columns"]]
            if "USER_ID" not in col:
                continue
            i = col.index("USER_ID")
            keep = [r for r in rows["rows"] if r[i] not in users]
            deleted += len(rows["rows"]) - len(keep)
            bid = self.sim.store.put_blob_json({"columns": rows["columns"],
                                                "rows": keep})
            self.sim.store.delete_blob(d["blob"])
            d.update({"blob": bid, "rows": len(keep)})
        rec["attrs"]["numDeleted"] = deleted
        rec["status"] = "COMPLETED"

    # --- metric attributions -------------------------------------------------

    def op_CreateMetricAttribution(self, p, req):
        now = self.sim.now()
        with self.sim.store.lock:
            dsg = self._active(self._get(p["datasetGroupArn"],
                                         "datasetGroup"))
            self._quota("metricAttribution", dsg["arn"])
            names = [m["metricName"] for m in p["metrics"]]
            if len(set(names)) != len(names):
                raise invalid("Metric names must be unique")
            arn = self.arn("metric-attribution/" + p["name"])
            attrs = {"datasetGroupArn": dsg["arn"], "metrics": p["metrics"],
                     "metricsOutputConfig": p["metricsOutputConfig"]}
            self._new("metricAttribution", arn, p["name"], attrs, now)
            self.sim.store.commit()
        return {"metricAttributionArn": arn}

    def op_UpdateMetricAttribution(self, p, req):
        now = self.sim.now()
        if "metricAttributionArn" not in p:
            raise invalid("metricAttributionArn is required")
        with self.sim.store.lock:
            rec = self._active(self._get(p["metricAttributionArn"],
                                         "metricAttribution"))
            metrics = [m for m in rec["attrs"]["metrics"]
                       if m["metricName"] not in (p.get("removeMetrics") or
                                                  [])]
            have = {m["metricName"] for m in metrics}
            for m in p.get("addMetrics") or []:
                if m["metricName"] in have:
                    raise exists("Metric %s already exists"
                                 % m["metricName"])
                metrics.append(m)
            rec["attrs"]["metrics"] = metrics
            if "metricsOutputConfig" in p:
                rec["attrs"]["metricsOutputConfig"] = p["metricsOutputConfig"]
            rec["status"] = "UPDATE PENDING"
            p1, p2 = UPDATE_TIMES["metricAttribution"]
            self._schedule(rec, [(p1, "UPDATE IN_PROGRESS", None),
                                 (p2, "ACTIVE", None)], now)
            self.sim.store.commit()
        return {"metricAttributionArn": rec["arn"]}

    def op_ListMetricAttributionMetrics(self, p, req):
        with self.sim.store.lock:
            if "metricAttributionArn" not in p:
                raise invalid("metricAttributionArn is required")
            rec = self._get(p["metricAttributionArn"], "metricAttribution")
            page, nxt = self._page(list(rec["attrs"]["metrics"]), p,
                                   self._sig(req.op, p))
        out = {"metrics": page}
        if nxt:
            out["nextToken"] = nxt
        return out

    def op_DeleteMetricAttribution(self, p, req):
        now = self.sim.now()
        with self.sim.store.lock:
            rec = self._get(p["metricAttributionArn"], "metricAttribution")
            self._deletable(rec)
            self._delete(rec, now)
        return None

    # --- /__sim/seed: resources as if created --------------------------------

    # What each type's attrs name, by ARN, that must exist first.
    SEED_REFS = {
        "dataset": (("datasetGroupArn", "datasetGroup"),
                    ("schemaArn", "schema")),
        "datasetImportJob": (("datasetArn", "dataset"),),
        "datasetExportJob": (("datasetArn", "dataset"),),
        "dataDeletionJob": (("datasetGroupArn", "datasetGroup"),),
        "solution": (("datasetGroupArn", "datasetGroup"),),
        "solutionVersion": (("solutionArn", "solution"),),
        "campaign": (("solutionVersionArn", "solutionVersion"),),
        "eventTracker": (("datasetGroupArn", "datasetGroup"),),
        "filter": (("datasetGroupArn", "datasetGroup"),),
        "recommender": (("datasetGroupArn", "datasetGroup"),),
        "metricAttribution": (("datasetGroupArn", "datasetGroup"),),
        "batchInferenceJob": (("solutionVersionArn", "solutionVersion"),
                              ("filterArn", "filter")),
        "batchSegmentJob": (("solutionVersionArn", "solutionVersion"),
                            ("filterArn", "filter")),
    }

    def seed(self, items):
        """Insert resources as if created: [{type (snake case API noun),
        arn, name, status (default ACTIVE), attrs (create-request
        members)}]. Parents named by ARN must exist already or come
        earlier in the list. All or nothing; raise ValueError saying
        which entry is wrong and why."""
        snake = {"".join("_" + c.lower() if c.isupper() else c
                         for c in t): t for t in TYPES}
        now = self.sim.now()
        prefix = self.arn("")
        with self.sim.store.lock:
            saved = json.loads(json.dumps(self._sec()))
            try:
                out = [self._seed_one(i, it, snake, prefix, now)
                       for i, it in enumerate(items)]
            except ValueError:
                self.sim.store.section("personalize").clear()
                self.sim.store.section("personalize").update(saved)
                self._rebuild_heap()
                raise
            self.sim.store.commit()
        return out

    def _seed_one(self, i, it, snake, prefix, now):
        where = "resources[%d]" % i
        if not isinstance(it, dict):
            raise ValueError("%s is not an object" % where)
        unknown = set(it) - {"type", "arn", "name", "status", "attrs",
                             "tags", "created", "failureReason"}
        if unknown:
            raise ValueError("%s has unknown members: %s"
                             % (where, ", ".join(sorted(unknown))))
        rtype = snake.get(it.get("type"))
        if rtype is None:
            raise ValueError("%s: type %r is not one of %s" % (
                where, it.get("type"), ", ".join(sorted(snake))))
        arn = it.get("arn")
        path = TYPES[rtype].arn_path + "/"
        if not isinstance(arn, str) or not arn.startswith(prefix + path):
            raise ValueError("%s: arn must be a %s ARN, %s%s..." % (
                where, TYPES[rtype].desc, prefix, path))
        name = it.get("name")
        if name is not None and not isinstance(name, str):
            raise ValueError("%s: name must be a string" % where)
        status = it.get("status", "ACTIVE")
        if not isinstance(status, str) or not status:
            raise ValueError("%s: status must be a string" % where)
        attrs = it.get("attrs") or {}
        if not isinstance(attrs, dict):
            raise ValueError("%s: attrs must be an object" % where)
        attrs = json.loads(json.dumps(attrs))
        res = self._res()
        for key, ptype in self.SEED_REFS.get(rtype, ()):
            ref = attrs.get(key)
            if ref is None and ptype == "filter":
                continue
            if rtype == "campaign" and isinstance(ref, str) and \
                    ref.endswith("/" + LATEST):
                ref, ptype = ref[:-len(LATEST) - 1], "solution"
            parent = res.get(ref) if isinstance(ref, str) else None
            if parent is None or parent["type"] != ptype:
                raise ValueError("%s (%s %s): attrs.%s must name a %s that "
                                 "exists or comes earlier in the list; %s "
                                 "does not" % (where, it["type"], arn, key,
                                               TYPES[ptype].desc,
                                               json.dumps(ref)))
            if rtype == "campaign":
                attrs["solutionArn"] = parent["arn"] if ptype == \
                    "solution" else parent["attrs"]["solutionArn"]
        if rtype == "dataset":
            dtype = data.DATASET_TYPES.get(str(attrs.get("datasetType",
                                                         "")).upper())
            if dtype is None:
                raise ValueError("%s: attrs.datasetType must be one of %s"
                                 % (where, ", ".join(
                                     data.DATASET_TYPES.values())))
            attrs["datasetType"] = dtype
        if rtype == "solutionVersion":
            sol = res[attrs["solutionArn"]]
            for k in ("recipeArn", "datasetGroupArn", "performHPO",
                      "performAutoML", "eventType", "solutionConfig"):
                if k in sol["attrs"]:
                    attrs.setdefault(k, sol["attrs"][k])
            attrs.setdefault("trainingMode", "FULL")
            attrs.setdefault("trainingType", "MANUAL")
            if name is None:
                name = "%s/%s" % (sol["name"], arn.rsplit("/", 1)[-1])
        if rtype == "solution":
            attrs.setdefault("performAutoTraining", True)
            attrs.setdefault("recipeArn", catalog.recipe_arn(
                "aws-user-personalization"))
        if rtype == "eventTracker":
            h = self.sim.random_hex(32)
            attrs.setdefault("trackingId", "%s-%s-%s-%s-%s" % (
                h[:8], h[8:12], h[12:16], h[16:20], h[20:]))
            attrs.setdefault("accountId", self.sim.opts.account_id)
        if rtype == "datasetImportJob":
            attrs.setdefault("importMode", "FULL")
        if rtype == "campaign":
            attrs.setdefault("minProvisionedTPS", 1)
        created = it.get("created", now)
        if not isinstance(created, (int, float)) or \
                isinstance(created, bool) or created > now + 60:
            raise ValueError("%s: created must be a time in seconds, not "
                             "later than now" % where)
        reason = it.get("failureReason")
        if reason is not None and (not isinstance(reason, str) or
                                   "FAILED" not in status):
            raise ValueError("%s: failureReason is a string, for a failed "
                             "status" % where)
        try:
            rec = self._new(rtype, arn, name, attrs, now, it.get("tags"),
                            status=None if status in IN_FLIGHT else status)
        except AwsError as e:
            raise ValueError("%s: %s" % (where, e.message))
        rec["creationDateTime"] = rec["lastUpdatedDateTime"] = created
        if reason is not None:
            rec["failureReason"] = reason
        if rtype == "datasetImportJob" and status == "ACTIVE":
            # an import done: its data is in the dataset
            self._do_done_datasetImportJob(rec, created)
            if rec["status"] != "ACTIVE":
                raise ValueError("%s: the import cannot have been done: %s"
                                 % (where, rec.get("failureReason")))
        if rtype == "solutionVersion" and status == "ACTIVE":
            # trained: on the data seeded so far, when it allows a model
            # (a version seeded without data has none to answer from)
            model, _ = self._train(
                rec, catalog.recipe_name(attrs["recipeArn"]),
                attrs["datasetGroupArn"],
                self._snapshot(attrs["datasetGroupArn"]),
                attrs.get("eventType"))
            if model is not None:
                self._sec()["models"][arn] = \
                    self.sim.store.put_blob_json(model)
        self._seed_update(where, rtype, rec, now)
        if rtype == "recommender" and status in ("STOP IN_PROGRESS",
                                                 "START IN_PROGRESS"):
            self._schedule(rec, [(START_STOP[1], "INACTIVE" if
                                  status.startswith("STOP") else "ACTIVE",
                                  None)], now)
        if status in IN_FLIGHT:  # a lifecycle that carries on from here
            if rtype == "solutionVersion":
                rec["x"]["snapshot"] = self._snapshot(
                    attrs["datasetGroupArn"])
                rec["x"]["trainingSeconds"] = \
                    CREATE_TIMES["solutionVersion"][1]
            if rtype == "recommender":
                rec["x"]["snapshot"] = self._snapshot(
                    attrs["datasetGroupArn"])
            if status == "CREATE IN_PROGRESS":
                rec["steps"].pop(0)
                rec["status"] = status
        if rtype == "eventTracker":
            for ds in self._children("dataset", "datasetGroupArn",
                                     attrs["datasetGroupArn"]):
                if ds["attrs"]["datasetType"] == "Interactions":
                    ds["attrs"]["trackingId"] = attrs["trackingId"]
        if rtype == "solution" and attrs["performAutoTraining"] and \
                status == "ACTIVE":
            self._auto_next(rec, now)  # as if trained on schedule before
        return {"type": it["type"], "arn": arn, "name": name,
                "status": rec["status"]}

    # A seeded update carried on from its status, for the types whose
    # updates run on _update_steps.
    SEED_UPDATES = {"campaign": ("latestCampaignUpdate",
                                 "sub_campaign_progress", "campaign_updated"),
                    "recommender": ("latestRecommenderUpdate",
                                    "sub_recommender_progress",
                                    "recommender_updated")}

    def _seed_update(self, where, rtype, rec, now):
        field = "latest%s%sUpdate" % (rtype[0].upper(), rtype[1:])
        upd = rec["attrs"].get(field)
        if upd is None:
            return
        if not isinstance(upd, dict) or not isinstance(upd.get("status"),
                                                       str):
            raise ValueError("%s: attrs.%s must be an object with a status"
                             % (where, field))
        upd.setdefault("creationDateTime", rec["creationDateTime"])
        upd.setdefault("lastUpdatedDateTime", now)
        if upd["status"] not in IN_FLIGHT:
            return
        if rtype not in self.SEED_UPDATES or rec["status"] != "ACTIVE":
            raise ValueError("%s: an update in flight is seeded only on an "
                             "ACTIVE %s" % (where, " or ".join(
                                 sorted(self.SEED_UPDATES))))
        _, sub, done = self.SEED_UPDATES[rtype]
        self._update_steps(rec, rtype, sub, done, now)

    # --- recipes and the catalogue -------------------------------------------

    def op_ListRecipes(self, p, req):
        names = [n for n, r in sorted(catalog.RECIPES.items())
                 if "domain" not in p or r[1] == p["domain"]]
        page, nxt = self._page(names, p, self._sig(req.op, p))
        out = {"recipes": [catalog.recipe_summary(n) for n in page]}
        if nxt:
            out["nextToken"] = nxt
        return out

    def op_DescribeRecipe(self, p, req):
        name = catalog.recipe_name(p["recipeArn"])
        if name is None:
            raise not_found("Could not find recipe with arn: %s"
                            % p["recipeArn"])
        return {"recipe": catalog.describe_recipe(name)}

    def op_DescribeAlgorithm(self, p, req):
        prefix = "arn:aws:personalize:::algorithm/"
        arn = p["algorithmArn"]
        name = arn[len(prefix):] if arn.startswith(prefix) else None
        if name not in catalog.RECIPES:
            raise not_found("Could not find algorithm with arn: %s" % arn)
        return {"algorithm": catalog.describe_algorithm(name)}

    def op_DescribeFeatureTransformation(self, p, req):
        prefix = "arn:aws:personalize:::feature-transformation/"
        arn = p["featureTransformationArn"]
        if not arn.startswith(prefix) or arn[len(prefix):] != \
                "JSON-percentile-filtering":
            raise not_found("Could not find feature transformation with "
                            "arn: %s" % arn)
        return {"featureTransformation":
                catalog.describe_feature_transformation(arn[len(prefix):])}

    # --- tags ----------------------------------------------------------------

    def _tagged(self, arn):
        rec = self._res().get(arn)
        if rec is None:
            raise not_found("Could not find resource with arn: %s" % arn)
        return rec

    def op_TagResource(self, p, req):
        with self.sim.store.lock:
            rec = self._tagged(p["resourceArn"])
            tags = {t["tagKey"]: t["tagValue"] for t in rec["tags"]}
            for t in self._tags(p["tags"]):
                tags[t["tagKey"]] = t["tagValue"]
            if len(tags) > MAX_TAGS:
                raise AwsError("TooManyTagsException", "You have exceeded "
                               "the maximum number of tags (%d) for this "
                               "resource" % MAX_TAGS, 400)
            rec["tags"] = [{"tagKey": k, "tagValue": v}
                           for k, v in tags.items()]
            self.sim.store.commit()
        return {}

    def op_UntagResource(self, p, req):
        with self.sim.store.lock:
            rec = self._tagged(p["resourceArn"])
            if len(p["tagKeys"]) > MAX_TAGS:
                raise AwsError("TooManyTagKeysException", "You can remove at"
                               " most %d tag keys at a time" % MAX_TAGS, 400)
            rec["tags"] = [t for t in rec["tags"]
                           if t["tagKey"] not in p["tagKeys"]]
            self.sim.store.commit()
        return {}

    def op_ListTagsForResource(self, p, req):
        with self.sim.store.lock:
            rec = self._tagged(p["resourceArn"])
            return {"tags": [dict(t) for t in rec["tags"]]}
