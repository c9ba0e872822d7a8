"""Reading `pz help -json`, the command and option tables that
gen-man.py and gen-completion.py turn into a man page and completions."""
import json
import subprocess
import sys


def load_tables(path, pz, prog):
    """The tables from a file, from running the binary pz, or from stdin."""
    if pz:
        r = subprocess.run([pz, "help", "-json"], stdout=subprocess.PIPE,
                           check=False)
        if r.returncode != 0:
            sys.exit("%s: '%s help -json' exited %d" % (prog, pz, r.returncode))
        tables = json.loads(r.stdout)
    elif path:
        with open(path, encoding="utf-8") as f:
            tables = json.load(f)
    else:
        tables = json.load(sys.stdin)
    if tables.get("format_version") != 1:
        sys.exit("%s: unknown tables format_version %r"
                 % (prog, tables.get("format_version")))
    return tables
