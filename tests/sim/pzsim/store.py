"""State kept under --data-dir so a restart keeps it.

state.json holds every service's section (plain JSON data); large payloads
(S3 object bodies, imported dataset rows, trained models) live in blobs/.
Every write is atomic: a temporary file in the same directory, then
os.replace. Callers mutate a section while holding Store.lock and then call
commit() before releasing it.
"""

import json
import os
import shutil
import tempfile
import threading
import uuid

FORMAT = 1


def atomic_write(path, data):
    """Write bytes to path through a temporary file and a rename."""
    d = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class Store:
    def __init__(self, data_dir):
        self.dir = os.path.abspath(data_dir)
        self.path = os.path.join(self.dir, "state.json")
        self.blob_dir = os.path.join(self.dir, "blobs")
        os.makedirs(self.blob_dir, exist_ok=True)
        self.lock = threading.RLock()
        self.data = self._fresh()
        if os.path.exists(self.path):
            with open(self.path, encoding="utf-8") as f:
                loaded = json.load(f)
            if loaded.get("format") == FORMAT:
                self.data = loaded

    @staticmethod
    def _fresh():
        return {"format": FORMAT, "sections": {}}

    def section(self, name):
        """The mutable dict of one service's state (created when absent)."""
        return self.data["sections"].setdefault(name, {})

    def commit(self):
        """Persist everything; call with lock held after a mutation."""
        data = json.dumps(self.data, separators=(",", ":"),
                          sort_keys=True).encode()
        atomic_write(self.path, data)

    def reset(self):
        with self.lock:
            self.data = self._fresh()
            shutil.rmtree(self.blob_dir, ignore_errors=True)
            os.makedirs(self.blob_dir, exist_ok=True)
            self.commit()

    # --- blobs -------------------------------------------------------------

    def put_blob(self, data):
        """Store bytes; return the blob id."""
        bid = uuid.uuid4().hex
        atomic_write(os.path.join(self.blob_dir, bid), data)
        return bid

    def put_blob_json(self, obj):
        return self.put_blob(json.dumps(obj, separators=(",", ":")).encode())

    def read_blob(self, bid):
        with open(os.path.join(self.blob_dir, bid), "rb") as f:
            return f.read()

    def read_blob_json(self, bid):
        return json.loads(self.read_blob(bid))

    def delete_blob(self, bid):
        try:
            os.unlink(os.path.join(self.blob_dir, bid))
        except OSError:
            pass
