"""Amazon SNS (Query protocol): topics and Publish, every message recorded
(GET /__sim/sns)."""

import json
import re
import uuid

from .errors import AwsError
from .service import QueryService

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
MAX_MESSAGE = 256 * 1024


class SNS(QueryService):
    name = "sns"
    signing_name = "sns"
    validation_code = "InvalidParameter"

    def _sec(self):
        s = self.sim.store.section("sns")
        s.setdefault("topics", {})
        s.setdefault("messages", [])
        return s

    def state_topics(self):
        with self.sim.store.lock:
            return sorted(self._sec()["topics"])

    def messages(self):
        with self.sim.store.lock:
            return list(self._sec()["messages"])

    def _arn(self, name):
        return "arn:aws:sns:%s:%s:%s" % (self.sim.opts.region,
                                         self.sim.opts.account_id, name)

    def _topic(self, arn):
        t = self._sec()["topics"].get(arn)
        if t is None:
            raise AwsError("NotFound", "Topic does not exist", 404)
        return t

    def op_CreateTopic(self, params, req):
        name = params["Name"]
        attrs = params.get("Attributes") or {}
        fifo = str(attrs.get("FifoTopic", "false")).lower() == "true"
        base = name[:-5] if name.endswith(".fifo") else name
        if not _NAME.match(base) or (name.endswith(".fifo") != fifo):
            raise AwsError("InvalidParameter", "Invalid parameter: Topic "
                           "Name", 400)
        arn = self._arn(name)
        with self.sim.store.lock:
            topics = self._sec()["topics"]
            if arn not in topics:
                topics[arn] = {"name": name, "attributes": attrs,
                               "created": self.sim.now()}
                self.sim.store.commit()
        return {"TopicArn": arn}

    def op_DeleteTopic(self, params, req):
        with self.sim.store.lock:
            if self._sec()["topics"].pop(params["TopicArn"], None):
                self.sim.store.commit()
        return None

    def op_ListTopics(self, params, req):
        with self.sim.store.lock:
            arns = sorted(self._sec()["topics"])
        return {"Topics": [{"TopicArn": a} for a in arns]}

    def op_GetTopicAttributes(self, params, req):
        with self.sim.store.lock:
            t = self._topic(params["TopicArn"])
            attrs = dict(t["attributes"])
        attrs.update({"TopicArn": params["TopicArn"],
                      "Owner": self.sim.opts.account_id,
                      "DisplayName": attrs.get("DisplayName", ""),
                      "SubscriptionsConfirmed": "0",
                      "SubscriptionsPending": "0",
                      "SubscriptionsDeleted": "0"})
        return {"Attributes": attrs}

    def op_Publish(self, params, req):
        arn = params.get("TopicArn") or params.get("TargetArn")
        if params.get("TopicArn") and params.get("TargetArn"):
            raise AwsError("InvalidParameter", "Invalid parameter: "
                           "TopicArn or TargetArn Reason: Only one of "
                           "TopicArn or TargetArn may be specified", 400)
        if not arn:
            if params.get("PhoneNumber"):
                raise AwsError("InvalidParameter", "Invalid parameter: "
                               "PhoneNumber Reason: SMS is not simulated",
                               400)
            raise AwsError("InvalidParameter", "Invalid parameter: TopicArn "
                           "or TargetArn Reason: no value for required "
                           "parameter", 400)
        msg = params["Message"]
        if len(msg.encode()) > MAX_MESSAGE:
            raise AwsError("InvalidParameter", "Invalid parameter: Message "
                           "too long", 400)
        subject = params.get("Subject")
        if subject is not None and (not 1 <= len(subject) <= 100 or
                                    "\n" in subject or "\r" in subject):
            raise AwsError("InvalidParameter", "Invalid parameter: Subject",
                           400)
        if params.get("MessageStructure") == "json":
            try:
                doc = json.loads(msg)
                ok = isinstance(doc, dict) and "default" in doc
            except ValueError:
                ok = False
            if not ok:
                raise AwsError("InvalidParameter", "Invalid parameter: "
                               "Message Structure - No default entry in JSON"
                               " message body", 400)
        mid = str(uuid.UUID(self.sim.random_hex(32)))
        with self.sim.store.lock:
            t = self._topic(arn)
            if t["name"].endswith(".fifo") and not params.get(
                    "MessageGroupId"):
                raise AwsError("InvalidParameter", "Invalid parameter: The "
                               "MessageGroupId parameter is required for "
                               "FIFO topics", 400)
            self._sec()["messages"].append({
                "messageId": mid, "topicArn": arn, "subject": subject,
                "message": msg,
                "messageStructure": params.get("MessageStructure"),
                "messageAttributes": params.get("MessageAttributes") or {},
                "time": self.sim.now()})
            self.sim.store.commit()
        return {"MessageId": mid}
