"""Personalize runtime (GetRecommendations, GetPersonalizedRanking,
GetActionRecommendations) and events (PutEvents, PutItems, PutUsers,
PutActions, PutActionInteractions), both REST-JSON and signed as
"personalize".

Answers come from the model trained on the imported interactions
(popularity and item co-occurrence, see data.py), plus the events a
tracker recorded since, with filters applied."""

import json
import re
import threading
import uuid

from ..errors import AwsError
from ..service import JsonService
from . import data, filters

MAX_RESULTS = 500
LIVE = ("ACTIVE", "UPDATE PENDING", "UPDATE IN_PROGRESS")


def _invalid(msg):
    return AwsError("InvalidInputException", msg, 400)


def _missing(msg):
    return AwsError("ResourceNotFoundException", msg, 404)


def _camel_to_field(name):
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).upper()


class _RestOnControl(JsonService):
    """A REST-JSON service of Personalize's (runtime, events): operations
    by POST path, answered from the control plane's resources, whose
    lifecycles advance first."""

    PATHS = {}

    @property
    def control(self):
        return self.sim.services["personalize"]

    def identify(self, req):
        op = self.PATHS.get(req.path)
        if op is None or req.method != "POST":
            raise AwsError("UnknownOperationException", "Unknown operation "
                           "%s %s" % (req.method, req.path), 404)
        return op

    def handle(self, req):
        self.control.advance()
        return super().handle(req)


class Runtime(_RestOnControl):
    name = "personalize-runtime"
    protocol = "rest-json"
    signing_name = "personalize"
    PATHS = {"/recommendations": "GetRecommendations",
             "/personalize-ranking": "GetPersonalizedRanking",
             "/action-recommendations": "GetActionRecommendations"}

    def __init__(self, sim, model):
        super().__init__(sim, model)
        self._tables = {}
        self._tables_lock = threading.Lock()

    def reset(self):
        with self._tables_lock:
            self._tables = {}

    # --- helpers ---------------------------------------------------------

    def table(self, bid, key):
        """{id: {FIELD: value}} of a dataset blob, cached."""
        if not bid:
            return {}
        with self._tables_lock:
            t = self._tables.get((bid, key))
        if t is None:
            d = self.control.blob_json(bid)
            cols = [c.upper() for c in d["columns"]]
            t = {}
            if key in cols:
                i = cols.index(key)
                for r in d["rows"]:
                    t[r[i]] = dict(zip(cols, r))
            with self._tables_lock:
                self._tables[(bid, key)] = t
        return t

    def _target(self, p, ranking=False):
        """(resource record, model, dataset group arn) to answer from."""
        c = self.control
        arn = p.get("campaignArn")
        rarn = p.get("recommenderArn")
        if ranking and not arn:
            raise _invalid("campaignArn is required")
        if bool(arn) == bool(rarn):
            raise _invalid("Provide either a campaignArn or a "
                           "recommenderArn")
        with self.sim.store.lock:
            res = c._res()
            if arn:
                rec = res.get(arn)
                if rec is None or rec["type"] != "campaign":
                    raise _missing("Campaign not found: %s" % arn)
                if rec["status"] not in LIVE:
                    raise _missing("Campaign %s is not ACTIVE (status: %s)"
                                   % (arn, rec["status"]))
                served = c.served_version(rec)
                model = c.model_for(served) if served else None
                sv = res.get(served) if served else None
                dsg = sv["attrs"]["datasetGroupArn"] if sv else None
            else:
                rec = res.get(rarn)
                if rec is None or rec["type"] != "recommender":
                    raise _missing("Recommender not found: %s" % rarn)
                if rec["status"] not in LIVE:
                    raise _missing("Recommender %s is not ACTIVE (status: "
                                   "%s)" % (rarn, rec["status"]))
                model = c.model_for(rarn)
                dsg = rec["attrs"]["datasetGroupArn"]
            live = list(c._sec()["events"].get(dsg, []))
        if model is None:
            raise _missing("No trained model behind %s" % (arn or rarn))
        return rec, model, dsg, live

    def _filter(self, p, dsg, model, user, live, item=None):
        farn = p.get("filterArn")
        if not farn:
            if p.get("filterValues"):
                raise _invalid("filterValues requires a filterArn")
            return None
        with self.sim.store.lock:
            f = self.control._res().get(farn)
            if f is None or f["type"] != "filter":
                raise _missing("Filter not found: %s" % farn)
            if f["status"] != "ACTIVE":
                raise _invalid("Filter %s is not ACTIVE" % farn)
            if f["attrs"]["datasetGroupArn"] != dsg:
                raise _invalid("Filter %s belongs to another dataset group"
                               % farn)
            expr = f["attrs"]["filterExpression"]
        clauses = filters.parse(expr)
        values = p.get("filterValues") or {}
        unknown = set(values) - {x[1:] for x in filters.params(clauses)}
        if unknown:
            raise _invalid("Unknown filter parameters: %s"
                           % ", ".join(sorted(unknown)))
        items = self.table(model.get("items"), "ITEM_ID")
        users = self.table(model.get("usersData"), "USER_ID")
        ev = self._user_events(model, user, live)
        ctx = filters.Context(items=items, users=users, user_events=ev,
                              user=users.get(user), values=values,
                              current_item=items.get(item))
        return lambda ids: filters.apply(clauses, ids, ctx)

    def _user_events(self, model, user, live):
        """[(item, event type)] of a user: training data and live events."""
        out = [(i, "*") for i in model["users"].get(user, [])]
        out += [(e[1], e[3]) for e in live if e[0] == user]
        return out

    @staticmethod
    def _history(user, live):
        return [e[1] for e in reversed(live) if e[0] == user and e[1]]

    def _metadata(self, p, rec, model):
        cols = p.get("metadataColumns")
        if not cols:
            return None
        cfg = (rec["attrs"].get("campaignConfig") or
               rec["attrs"].get("recommenderConfig") or {})
        if not cfg.get("enableMetadataWithRecommendations"):
            raise _invalid("metadataColumns requires "
                           "enableMetadataWithRecommendations in the "
                           "campaign or recommender configuration")
        items = self.table(model.get("items"), "ITEM_ID")
        wanted = [c.upper() for c in cols.get("Items", [])]

        def meta(i):
            row = items.get(i) or {}
            return {c.lower(): str(row[c]) for c in wanted
                    if row.get(c) is not None}
        return meta

    @staticmethod
    def _rid():
        return "RID-" + str(uuid.uuid4())

    # --- operations ------------------------------------------------------

    def op_GetRecommendations(self, p, req):
        rec, model, dsg, live = self._target(p)
        n = p.get("numResults", 25)
        if n > MAX_RESULTS:
            raise _invalid("numResults must be at most %d" % MAX_RESULTS)
        kind = model["kind"]
        user = p.get("userId")
        item = p.get("itemId")
        if kind == "ranking":
            raise _invalid("GetRecommendations is not supported for "
                           "PERSONALIZED_RANKING recipes; use "
                           "GetPersonalizedRanking")
        if kind == "related" and not item:
            raise _invalid("itemId is required for RELATED_ITEMS recipes")
        if kind == "user" and not user:
            raise _invalid("userId is required for USER_PERSONALIZATION "
                           "recipes")
        flt = self._filter(p, dsg, model, user, live, item)
        meta = self._metadata(p, rec, model)
        hist = self._history(user, live) if user else []
        exclude = set()
        if kind == "user":
            exclude = set(model["users"].get(user, [])) | set(hist)
        if kind == "related":
            exclude = {item}
        allowed = None
        if flt:
            allowed = set(flt(list(model["counts"])))
        scored = data.recommend(model, kind, user=user, item=item, n=n,
                                history=hist, exclude=exclude,
                                allowed=allowed)
        items = []
        for i, s in scored:
            e = {"itemId": i, "score": s}
            if meta:
                e["metadata"] = meta(i)
            items.append(e)
        return {"itemList": items, "recommendationId": self._rid()}

    def op_GetPersonalizedRanking(self, p, req):
        rec, model, dsg, live = self._target(p, ranking=True)
        if model["kind"] != "ranking":
            raise _invalid("GetPersonalizedRanking needs a campaign of a "
                           "PERSONALIZED_RANKING recipe")
        if len(p["inputList"]) > MAX_RESULTS:
            raise _invalid("inputList can hold at most %d items"
                           % MAX_RESULTS)
        user = p["userId"]
        flt = self._filter(p, dsg, model, user, live)
        meta = self._metadata(p, rec, model)
        items = list(dict.fromkeys(p["inputList"]))
        if flt:
            items = flt(items)
        ranked = data.rank(model, user, items, self._history(user, live))
        out = []
        for i, s in ranked:
            e = {"itemId": i, "score": s}
            if meta:
                e["metadata"] = meta(i)
            out.append(e)
        return {"personalizedRanking": out, "recommendationId": self._rid()}

    def op_GetActionRecommendations(self, p, req):
        rec, model, dsg, live = self._target(p, ranking=True)
        if model["kind"] != "actions":
            raise _invalid("GetActionRecommendations needs a campaign of "
                           "the Next-Best-Action recipe")
        n = p.get("numResults", 5)
        scored = data.recommend(model, "popular", n=n)
        return {"actionList": [{"actionId": i, "score": s}
                               for i, s in scored],
                "recommendationId": self._rid()}


class Events(_RestOnControl):
    name = "personalize-events"
    protocol = "rest-json"
    signing_name = "personalize"
    PATHS = {"/events": "PutEvents", "/items": "PutItems",
             "/users": "PutUsers", "/actions": "PutActions",
             "/action-interactions": "PutActionInteractions"}

    def op_PutEvents(self, p, req):
        user = p.get("userId") or p["sessionId"]
        with self.sim.store.lock:
            tr = self.control.tracker(p["trackingId"])
            if tr is None or tr["status"] != "ACTIVE":
                raise _missing("No active event tracker with tracking ID %s"
                               % p["trackingId"])
            dsg = tr["attrs"]["datasetGroupArn"]
            evs = self.control._sec()["events"].setdefault(dsg, [])
            for e in p["eventList"]:
                if not e.get("itemId"):
                    raise _invalid("itemId is required for events of an "
                                   "Item interactions dataset")
                evs.append([user, e["itemId"], int(e["sentAt"]),
                            e["eventType"], e.get("eventValue")])
            self.sim.store.commit()
        return None

    def _put_rows(self, p, dtype, key, id_member, list_member):
        c = self.control
        with self.sim.store.lock:
            ds = c._res().get(p["datasetArn"])
            if ds is None or ds["type"] != "dataset":
                raise _missing("Dataset not found: %s" % p["datasetArn"])
            if ds["attrs"]["datasetType"] != dtype:
                raise _invalid("Dataset %s is not a %s dataset"
                               % (ds["arn"], dtype))
            if ds["status"] != "ACTIVE":
                raise AwsError("ResourceInUseException", "Dataset %s is not "
                               "ACTIVE" % ds["arn"], 409)
            _, fields = c._schema_fields(ds["attrs"]["schemaArn"])
            byname = {n.upper(): (n, t, nl) for n, t, nl, _ in fields}
            cols = [n for n, _, _, _ in fields]
            new_rows = []
            for entry in p[list_member]:
                props = json.loads(entry.get("properties") or "{}")
                row = {key: entry[id_member]}
                for k, v in props.items():
                    f = _camel_to_field(k)
                    if f not in byname:
                        raise _invalid("Property %s does not match a field "
                                       "of the %s schema" % (k, dtype))
                    row[f] = v
                new_rows.append([row.get(n.upper()) for n in cols])
            sec = c._sec()
            old = sec["data"].get(ds["arn"])
            rows = c.blob_json(old["blob"])["rows"] if old else []
            bid = self.sim.store.put_blob_json({"columns": cols,
                                                "rows": rows + new_rows})
            sec["data"][ds["arn"]] = {"blob": bid,
                                      "rows": len(rows) + len(new_rows),
                                      "job": "put", "time": self.sim.now()}
            if old:
                self.sim.store.delete_blob(old["blob"])
            self.sim.store.commit()
        return None

    def op_PutItems(self, p, req):
        return self._put_rows(p, "Items", "ITEM_ID", "itemId", "items")

    def op_PutUsers(self, p, req):
        return self._put_rows(p, "Users", "USER_ID", "userId", "users")

    def op_PutActions(self, p, req):
        return self._put_rows(p, "Actions", "ACTION_ID", "actionId",
                              "actions")

    def op_PutActionInteractions(self, p, req):
        with self.sim.store.lock:
            if self.control.tracker(p["trackingId"]) is None:
                raise _missing("No active event tracker with tracking ID %s"
                               % p["trackingId"])
        return None
