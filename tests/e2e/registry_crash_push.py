"""Helper of registry_crash_e2e.sh (environment: PORT, PASSWORD, REPO, OUT, DATA for verify).
  complete N: push N small images (config + 2 layers + manifest under tag cN), append each to OUT
  loop 0:     push images forever (tags lN); each manifest answered 201 is appended to OUT
  verify 0:   every image in OUT reads back byte-exact; every blob file hashes to its name"""
import base64
import hashlib
import http.client
import json
import os
import sys

PORT = int(os.environ["PORT"])
REPO = os.environ["REPO"]
OUT = os.environ["OUT"]
AUTH = "Basic " + base64.b64encode(f"AWS:{os.environ['PASSWORD']}".encode()).decode()
MT = "application/vnd.oci.image.manifest.v1+json"


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def req(method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    h = {"Authorization": AUTH}
    h.update(headers or {})
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


def push(tag):
    """Pushes one image; returns its record once the manifest PUT answered 201, else None."""
    blobs = [json.dumps({"architecture": "amd64", "os": "linux", "tag": tag}).encode(),
             os.urandom(200 * 1024), os.urandom(64 * 1024)]
    for b in blobs:
        s, _, _ = req("POST", f"/v2/{REPO}/blobs/uploads/?digest={sha(b)}", b,
                      {"Content-Type": "application/octet-stream"})
        if s != 201:
            return None
    doc = {"schemaVersion": 2, "mediaType": MT,
           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                      "digest": sha(blobs[0]), "size": len(blobs[0])},
           "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                       "digest": sha(b), "size": len(b)} for b in blobs[1:]]}
    manifest = json.dumps(doc).encode()
    s, _, _ = req("PUT", f"/v2/{REPO}/manifests/{tag}", manifest, {"Content-Type": MT})
    if s != 201:
        return None
    return {"tag": tag, "manifest": base64.b64encode(manifest).decode(),
            "blobs": [base64.b64encode(b).decode() for b in blobs]}


def record(entry):
    with open(OUT, "a") as f:
        f.write(json.dumps(entry) + "\n")
        f.flush()


def verify():
    bad = 0
    with open(OUT) as f:
        entries = [json.loads(line) for line in f if line.strip()]
    for e in entries:
        manifest = base64.b64decode(e["manifest"])
        s, h, got = req("GET", f"/v2/{REPO}/manifests/{e['tag']}", headers={"Accept": MT})
        if s != 200 or got != manifest or h.get("docker-content-digest") != sha(manifest):
            print(f"FAIL manifest {e['tag']}: {s}")
            bad += 1
        for b in map(base64.b64decode, e["blobs"]):
            s, h, got = req("GET", f"/v2/{REPO}/blobs/{sha(b)}")
            if s != 200 or got != b or sha(got) != sha(b):
                print(f"FAIL blob {sha(b)} of {e['tag']}: {s}, {len(got)} bytes")
                bad += 1
    for base, _, names in os.walk(os.path.join(os.environ["DATA"], "blobs")):
        for n in names:
            with open(os.path.join(base, n), "rb") as f:
                if hashlib.sha256(f.read()).hexdigest() != n:
                    print(f"FAIL blob file {n} does not hash to its name")
                    bad += 1
    print(f"     verified {len(entries)} images byte-exact, {bad} problem(s)")
    return bad == 0


mode, count = sys.argv[1], int(sys.argv[2])
if mode == "complete":
    for i in range(count):
        entry = push(f"c{i}")
        if entry is None:
            sys.exit(1)
        record(entry)
elif mode == "loop":
    i = 0
    while True:
        try:
            entry = push(f"l{i}")
        except OSError:
            break  # the server is gone
        if entry is not None:
            record(entry)
        i += 1
elif mode == "verify":
    sys.exit(0 if verify() else 1)
