"""Cases of registry_bad_input.sh (which starts the server and passes PORT, ALICE, ADMIN, DATA,
READ_TIMEOUT, TMP in the environment). Prints one line per check; exit 1 if any failed."""
import base64
import hashlib
import http.client
import json
import os
import socket
import sqlite3
import subprocess
import time

PORT = int(os.environ["PORT"])
DATA = os.environ["DATA"]
TMP = os.environ["TMP"]
READ_TIMEOUT = float(os.environ["READ_TIMEOUT"])
USERS = {"alice": os.environ["ALICE"], "admin": os.environ["ADMIN"]}
URL = f"http://127.0.0.1:{PORT}"
failures = 0


def check(what, ok, detail=""):
    global failures
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else f": {detail}"), flush=True)
    if not ok:
        failures += 1


def auth(user):
    return "Basic " + base64.b64encode(f"AWS:{USERS[user]}".encode()).decode()


def req(method, path, user="admin", body=None, headers=None):
    """One request on a fresh connection; the path is sent as is (no normalisation)."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    h = {"Authorization": auth(user)} if user else {}
    h.update(headers or {})
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


def code_of(body):
    try:
        return json.loads(body)["errors"][0]["code"]
    except Exception:  # noqa: BLE001 - any unparsable body is reported as such
        return f"<no OCI error body: {body[:80]!r}>"


def expect_error(what, response, status, code):
    got_status, _, body = response
    got_code = code_of(body)
    check(f"{what} -> {status} {code}", got_status == status and got_code == code,
          f"got {got_status} {got_code}")


def snapshot():
    """What is stored: blob files, upload temp files, metadata rows."""
    files = []
    for base, _, names in os.walk(os.path.join(DATA, "blobs")):
        files += [os.path.join(base, n) for n in names]
    uploads = sorted(os.listdir(os.path.join(DATA, "uploads")))
    db = sqlite3.connect(f"file:{DATA}/metadata.db?mode=ro", uri=True)
    rows = {t: db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
            for t in ("blobs", "manifests", "tags", "manifest_blobs")}
    db.close()
    return sorted(files), uploads, rows


def unchanged(what, before):
    after = snapshot()
    check(f"{what}: nothing stored", after == before,
          f"blob files {len(before[0])}->{len(after[0])}, uploads {before[1]}->{after[1]}")


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def push_blob(repo, data, user="admin"):
    s, h, b = req("POST", f"/v2/{repo}/blobs/uploads/?digest={sha(data)}", user, body=data,
                  headers={"Content-Type": "application/octet-stream"})
    assert s == 201, (s, b)
    return sha(data)


def manifest(config, layers, note=""):
    doc = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                      "digest": sha(config), "size": len(config)},
           "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                       "digest": sha(l), "size": len(l)} for l in layers]}
    if note:
        doc["annotations"] = {"note": note}
    return json.dumps(doc).encode()


MT = {"Content-Type": "application/vnd.oci.image.manifest.v1+json"}
HEX = "a" * 64

# ---------------------------------------------------------------- names, references, digests
before = snapshot()
W = "/v2/payments/worker"
for what, method, path, status, code in [
    ("upper-case repository name", "GET", "/v2/Payments/worker/tags/list", 400, "NAME_INVALID"),
    ("`..` in a repository name", "GET", "/v2/payments/../worker/manifests/v1", 400,
     "NAME_INVALID"),
    ("`..` as a repository component (upload)", "POST", "/v2/../payments/blobs/uploads/", 400,
     "NAME_INVALID"),
    ("%2F encoded slash in a name", "GET", "/v2/payments%2Fworker/manifests/v1", 400,
     "NAME_INVALID"),
    ("%2f encoded slash in a name", "POST", "/v2/payments%2fworker/blobs/uploads/", 400,
     "NAME_INVALID"),
    ("empty name component", "GET", "/v2/payments//worker/tags/list", 400, "NAME_INVALID"),
    ("256-character name", "GET", "/v2/" + "a" * 256 + "/tags/list", 400, "NAME_INVALID"),
    ("name ending in a separator", "GET", "/v2/payments-/tags/list", 400, "NAME_INVALID"),
    ("unknown (valid) repository", "GET", "/v2/payments/nowhere/tags/list", 404, "NAME_UNKNOWN"),
    ("tag with `!`", "GET", W + "/manifests/bad!tag", 400, "TAG_INVALID"),
    ("tag `..`", "PUT", W + "/manifests/..", 400, "TAG_INVALID"),
    ("129-character tag", "GET", W + "/manifests/" + "t" * 129, 400, "TAG_INVALID"),
    ("tag starting with `-`", "PUT", W + "/manifests/-v1", 400, "TAG_INVALID"),
    ("%2F in a digest", "GET", W + "/blobs/sha256%2F" + HEX, 400, "DIGEST_INVALID"),
    ("%3A encoded colon in a digest", "GET", W + "/blobs/sha256%3A" + HEX, 400,
     "DIGEST_INVALID"),
    ("`..` in a digest", "GET", W + "/blobs/sha256:..", 400, "DIGEST_INVALID"),
    ("`../` segments after a digest (no such route)", "GET",
     W + "/blobs/sha256:../../../etc/passwd", 404, "NOT_FOUND"),
    ("digest without algorithm", "GET", W + "/blobs/" + HEX, 400, "DIGEST_INVALID"),
    ("md5 blob digest", "GET", W + "/blobs/md5:" + "0" * 32, 400, "DIGEST_INVALID"),
    ("sha512 blob digest (only sha256 stored)", "GET", W + "/blobs/sha512:" + "0" * 128, 400,
     "DIGEST_INVALID"),
    ("manifest by sha512 digest", "PUT", W + "/manifests/sha512:" + "0" * 128, 400,
     "DIGEST_INVALID"),
    ("upload id with `..`", "PATCH", W + "/blobs/uploads/..", 404, "BLOB_UPLOAD_UNKNOWN"),
    ("upload id with %2F", "GET", W + "/blobs/uploads/a%2Fb", 404, "BLOB_UPLOAD_UNKNOWN"),
    ("unknown upload id", "GET", W + "/blobs/uploads/0123abcd-0000", 404, "BLOB_UPLOAD_UNKNOWN"),
]:
    body = b"{}" if method in ("PUT", "PATCH") else None
    expect_error(what, req(method, path, body=body, headers=MT if method == "PUT" else None),
                 status, code)

# Unknown or wrong digests on uploads: nothing stored, no temporary file left in uploads/.
payload = os.urandom(4096)
for what, digest in [("md5 upload digest", "md5:" + hashlib.md5(payload).hexdigest()),
                     ("sha512 upload digest", "sha512:" + hashlib.sha512(payload).hexdigest()),
                     ("wrong sha256 upload digest", sha(b"something else")),
                     ("upper-case sha256 hex", sha(payload).upper().replace("SHA256", "sha256"))]:
    expect_error(f"{what} (single POST)",
                 req("POST", f"{W}/blobs/uploads/?digest={digest}", body=payload,
                     headers={"Content-Type": "application/octet-stream"}),
                 400, "DIGEST_INVALID")
s, h, _ = req("POST", f"{W}/blobs/uploads/")
loc = h.get("location", "")
req("PATCH", loc, body=payload, headers={"Content-Type": "application/octet-stream"})
expect_error("wrong digest on the final PUT",
             req("PUT", f"{loc}?digest={sha(b'not it')}"), 400, "DIGEST_INVALID")
expect_error("the upload is gone after a digest mismatch", req("GET", loc), 404,
             "BLOB_UPLOAD_UNKNOWN")
expect_error("final PUT without digest", req("PUT", req("POST", f"{W}/blobs/uploads/")[1]
                                               ["location"]), 400, "DIGEST_INVALID")
check("wrong digest: HEAD of the content's digest is 404",
      req("HEAD", f"{W}/blobs/{sha(payload)}")[0] == 404)
# The final PUT without digest leaves its upload open (clients may retry); cancel it.
for name in os.listdir(os.path.join(DATA, "uploads")):
    req("DELETE", f"{W}/blobs/uploads/{name}")
unchanged("bad names, references and digests", before)

# ---------------------------------------------------------------- Content-Range
before = snapshot()
s, h, _ = req("POST", f"{W}/blobs/uploads/")
check("POST starts an upload (202)", s == 202, s)
loc = h["location"]
chunk = os.urandom(100)
s, h, _ = req("PATCH", loc, body=chunk, headers={"Content-Range": "0-99",
                                                  "Content-Type": "application/octet-stream"})
check("PATCH 0-99 -> 202 Range 0-99", s == 202 and h.get("range") == "0-99", (s, h.get("range")))
for what, rng in [("overlapping Content-Range 50-149", "50-149"),
                  ("repeated Content-Range 0-99", "0-99"),
                  ("out-of-order Content-Range 200-299 (gap)", "200-299")]:
    expect_error(what, req("PATCH", loc, body=chunk, headers={"Content-Range": rng}), 416,
                 "RANGE_INVALID")
s, h, _ = req("GET", loc)
check("after refused ranges the upload still holds 0-99", s == 204 and h.get("range") == "0-99",
      (s, h.get("range")))
check("uploads/ holds exactly one temporary file", len(os.listdir(f"{DATA}/uploads")) == 1)
s, _, _ = req("DELETE", loc)
check("DELETE cancels the upload (204)", s == 204, s)
expect_error("the cancelled upload is unknown", req("GET", loc), 404, "BLOB_UPLOAD_UNKNOWN")
unchanged("Content-Range cases", before)

# ---------------------------------------------------------------- someone else's upload id
before = snapshot()
s, h, _ = req("POST", f"{W}/blobs/uploads/", user="alice")
alice_loc = h["location"]
alice_id = alice_loc.rsplit("/", 1)[1]
first = os.urandom(1000)
s, _, _ = req("PATCH", alice_loc, user="alice", body=first, headers={"Content-Range": "0-999"})
check("alice PATCHes her upload (202)", s == 202, s)
api_loc = f"/v2/payments/api/blobs/uploads/{alice_id}"
for what, method, path, kwargs in [
    ("admin PATCH on alice's upload", "PATCH", alice_loc, {"body": b"evil"}),
    ("admin PUT on alice's upload", "PUT", f"{alice_loc}?digest={sha(first)}", {}),
    ("admin GET on alice's upload", "GET", alice_loc, {}),
    ("admin DELETE on alice's upload", "DELETE", alice_loc, {}),
    ("alice's upload id under another repository (PATCH)", "PATCH", api_loc, {"body": b"x"}),
    ("alice's upload id under another repository (PUT)", "PUT",
     f"{api_loc}?digest={sha(first)}", {}),
]:
    user = "alice" if "another repository" in what else "admin"
    if user == "alice":
        # alice may not push to payments/api: use admin's own upload from payments/worker there.
        s, h, _ = req("POST", f"{W}/blobs/uploads/")
        path = path.replace(alice_id, h["location"].rsplit("/", 1)[1])
        user = "admin"
    expect_error(what, req(method, path, user=user, **kwargs), 404, "BLOB_UPLOAD_UNKNOWN")
s, h, _ = req("GET", alice_loc, user="alice")
check("alice's upload is undisturbed (Range 0-999)", s == 204 and h.get("range") == "0-999",
      (s, h.get("range")))
s, _, _ = req("PUT", f"{alice_loc}?digest={sha(first)}", user="alice")
check("alice completes her upload (201)", s == 201, s)
after = snapshot()
check("only alice's blob was stored", len(after[0]) == len(before[0]) + 1 and
      after[2]["blobs"] == sorted(before[2]["blobs"] + [("payments/worker", sha(first))]),
      after[2]["blobs"])
for name in os.listdir(os.path.join(DATA, "uploads")):  # admin's two probes
    req("DELETE", f"{W}/blobs/uploads/{name}")

# ---------------------------------------------------------------- manifests
config = json.dumps({"architecture": "amd64", "os": "linux"}).encode()
layer = os.urandom(2048)
push_blob("payments/worker", config)
push_blob("payments/worker", layer)
other_layer = push_blob("payments/api", os.urandom(512))  # in another repository only
before = snapshot()
big = b'{"schemaVersion":2,"annotations":{"x":"' + b"a" * (4 * 1024 * 1024) + b'"}}'
with open(f"{TMP}/big.json", "wb") as f:
    f.write(big)
for what, extra in [("manifest over 4 MiB (Content-Length)", []),
                    ("manifest over 4 MiB (chunked)", ["-H", "Transfer-Encoding: chunked"])]:
    out = subprocess.run(
        ["curl", "-sS", "-u", f"AWS:{USERS['admin']}", "-X", "PUT", "-H",
         "Content-Type: " + MT["Content-Type"], *extra, "--data-binary", f"@{TMP}/big.json",
         "-w", "\n%{http_code}", URL + W + "/manifests/big"], capture_output=True, check=False)
    body, _, status = out.stdout.decode().rpartition("\n")
    check(f"{what} -> 413 SIZE_INVALID", status == "413" and code_of(body) == "SIZE_INVALID",
          f"{status} {body[:80]} {out.stderr[:80]!r}")
for what, body in [
    ("malformed manifest JSON", b'{"schemaVersion": 2, "layers": ['),
    ("manifest that is not an object", b'[1, 2]'),
    ("manifest with non-array layers", b'{"schemaVersion":2,"layers":{}}'),
    ("manifest with a digest-less descriptor", b'{"schemaVersion":2,"config":{"size":1}}'),
    ("manifest with invalid UTF-8", b'{"schemaVersion":2,"x":"\xff\xfe"}'),
]:
    expect_error(what, req("PUT", W + "/manifests/bad", body=body, headers=MT), 400,
                 "MANIFEST_INVALID")
missing = manifest(config, [layer, b"never pushed"])
expect_error("manifest referencing a missing blob",
             req("PUT", W + "/manifests/missing", body=missing, headers=MT), 400,
             "MANIFEST_BLOB_UNKNOWN")
s, _, body = req("PUT", W + "/manifests/missing", body=missing, headers=MT)
check("MANIFEST_BLOB_UNKNOWN names the missing digest", sha(b"never pushed").encode() in body,
      body[:200])
cross = json.loads(manifest(config, [layer]))
cross["layers"][0]["digest"] = other_layer
expect_error("manifest referencing a blob of another repository",
             req("PUT", W + "/manifests/cross", body=json.dumps(cross).encode(), headers=MT),
             400, "MANIFEST_BLOB_UNKNOWN")
good = manifest(config, [layer])
expect_error("manifest PUT by a digest that does not match",
             req("PUT", W + f"/manifests/{sha(good + b' ')}", body=good, headers=MT), 400,
             "DIGEST_INVALID")
for tag in ("big", "bad", "missing", "cross"):
    expect_error(f"no tag `{tag}` was created", req("GET", W + f"/manifests/{tag}"), 404,
                 "MANIFEST_UNKNOWN")
unchanged("bad manifests", before)

# ---------------------------------------------------------------- huge headers, slow clients
def raw(data, wait=10.0):
    """Sends bytes on a fresh socket; returns (response bytes, seconds until the server closed)."""
    sock = socket.create_connection(("127.0.0.1", PORT), timeout=wait)
    start = time.monotonic()
    got = b""
    try:
        sock.sendall(data)
        while True:
            part = sock.recv(65536)
            if not part:
                break
            got += part
    except (ConnectionResetError, BrokenPipeError):
        pass
    except socket.timeout:
        return got, None
    finally:
        sock.close()
    return got, time.monotonic() - start


ping = f"GET /v2/ HTTP/1.1\r\nHost: x\r\nAuthorization: {auth('admin')}\r\n"
got, _ = raw((ping + "X-Big: " + "a" * (70 * 1024) + "\r\n\r\n").encode())
check("a 70 KiB header line -> 431 and close", got.startswith(b"HTTP/1.1 431"), got[:60])
got, _ = raw((ping + "".join(f"X-H{i}: {'b' * 1000}\r\n" for i in range(80)) + "\r\n").encode())
check("80 KB of header lines -> 431 and close", got.startswith(b"HTTP/1.1 431"), got[:60])
check("the server keeps serving after huge headers", req("GET", "/v2/")[0] == 200)
check("a 3 KB ECR-style Authorization header is fine",
      req("GET", "/v2/", headers={"X-Pad": "p" * 3000})[0] == 200)

slow = socket.create_connection(("127.0.0.1", PORT), timeout=READ_TIMEOUT + 10)
slow.sendall(b"GET /v2/ HTTP/1.1\r\nHost: x\r\nAuthoriz")  # half a header, then nothing
start = time.monotonic()
check("other clients are served while one stalls", req("GET", "/v2/")[0] == 200)
try:
    rest = slow.recv(100)
except (ConnectionResetError, socket.timeout) as e:
    rest = repr(e).encode()
elapsed = time.monotonic() - start
slow.close()
check(f"a stalled half header is dropped after the read timeout ({READ_TIMEOUT:.0f} s)",
      rest == b"" and READ_TIMEOUT - 0.5 <= elapsed <= READ_TIMEOUT + 5,
      f"recv {rest[:40]!r} after {elapsed:.1f} s")
idle = socket.create_connection(("127.0.0.1", PORT), timeout=READ_TIMEOUT + 10)
start = time.monotonic()
rest = idle.recv(100)
elapsed = time.monotonic() - start
idle.close()
check("a connection that sends nothing is dropped after the read timeout",
      rest == b"" and READ_TIMEOUT - 0.5 <= elapsed <= READ_TIMEOUT + 5, f"{elapsed:.1f} s")

# ---------------------------------------------------------------- chunked upload (curl)
def curl(*args):
    out = subprocess.run(["curl", "-sS", "-u", f"AWS:{USERS['admin']}", *args],
                         capture_output=True, check=False)
    return out.stdout


def curl_head(method, path, data_file=None, extra=()):
    args = ["-X", method, "-D", "-", "-o", "/dev/null", *extra]
    if data_file:
        args += ["--data-binary", f"@{data_file}", "-H", "Content-Type: application/octet-stream"]
    text = curl(*args, URL + path).decode()
    lines = text.replace("\r", "").split("\n")
    status = int(lines[0].split()[1]) if lines and lines[0].startswith("HTTP/") else 0
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return status, headers


before = snapshot()
blob = os.urandom(3 * 1024 * 1024 + 12345)
sizes = [1024 * 1024, 1024 * 1024 + 7, len(blob) - 2 * 1024 * 1024 - 7]
s, h = curl_head("POST", f"{W}/blobs/uploads/")
check("chunked: POST -> 202 with a Location", s == 202 and "location" in h, s)
loc = h.get("location", "")
offset = 0
for i, size in enumerate(sizes):
    part = f"{TMP}/chunk{i}"
    with open(part, "wb") as f:
        f.write(blob[offset:offset + size])
    s, h = curl_head("PATCH", loc, part, ["-H", f"Content-Range: {offset}-{offset + size - 1}"])
    offset += size
    check(f"chunked: PATCH {i + 1} -> 202 Range 0-{offset - 1}",
          s == 202 and h.get("range") == f"0-{offset - 1}", (s, h.get("range")))
s, h = curl_head("GET", loc)
check("chunked: status GET -> 204 Range 0-N", s == 204 and h.get("range") == f"0-{len(blob) - 1}",
      (s, h.get("range")))
s, h = curl_head("PUT", f"{loc}?digest={sha(blob)}")
check("chunked: PUT with digest -> 201", s == 201 and h.get("docker-content-digest") == sha(blob),
      (s, h))
s, h = curl_head("HEAD", f"{W}/blobs/{sha(blob)}", extra=["-I"])
check("chunked: HEAD blob -> 200 with its length",
      s == 200 and h.get("content-length") == str(len(blob)), (s, h.get("content-length")))
chunk_config = json.dumps({"architecture": "amd64", "os": "linux", "chunked": True}).encode()
push_blob("payments/worker", chunk_config)
s, _, _ = req("PUT", W + "/manifests/chunked", body=manifest(chunk_config, [blob]), headers=MT)
check("chunked: a manifest referencing the blob -> 201", s == 201, s)
got = curl(URL + f"{W}/blobs/{sha(blob)}")
check("chunked: GET reads the blob back byte-exact", got == blob, f"{len(got)} bytes")
s, h, part = req("GET", f"{W}/blobs/{sha(blob)}", headers={"Range": "bytes=1000-299999"})
check("chunked: Range GET -> 206 with exactly those bytes",
      s == 206 and part == blob[1000:300000] and
      h.get("content-range") == f"bytes 1000-299999/{len(blob)}", (s, h.get("content-range")))
expect_error("chunked: Range past the end",
             req("GET", f"{W}/blobs/{sha(blob)}", headers={"Range": f"bytes={len(blob)}-"}),
             416, "RANGE_INVALID")
check("chunked: uploads/ is empty afterwards", os.listdir(f"{DATA}/uploads") == [])

# ---------------------------------------------------------------- concurrent immutable tag
N = 8
A = "/v2/payments/api"
push_blob("payments/api", config)
push_blob("payments/api", layer)
bodies = [manifest(config, [layer], note=f"contender {i}") for i in range(N)]
procs = []
for i, body in enumerate(bodies):
    with open(f"{TMP}/m{i}.json", "wb") as f:
        f.write(body)
for i in range(N):
    procs.append(subprocess.Popen(
        ["curl", "-sS", "-u", f"AWS:{USERS['admin']}", "-X", "PUT", "-H",
         "Content-Type: application/vnd.oci.image.manifest.v1+json", "--data-binary",
         f"@{TMP}/m{i}.json", "-w", "\n%{http_code}", URL + A + "/manifests/v1"],
        stdout=subprocess.PIPE))
results = []
for p in procs:
    out = p.communicate()[0].decode()
    body, _, status = out.rpartition("\n")
    results.append((int(status), body))
winners = [i for i, (s, _) in enumerate(results) if s == 201]
check(f"{N} concurrent PUTs of one IMMUTABLE tag: exactly one 201", len(winners) == 1,
      [s for s, _ in results])
losers = [(s, b) for s, b in results if s != 201]
check("the others: 400 TAG_INVALID naming ImageTagAlreadyExistsException",
      all(s == 400 and code_of(b) == "TAG_INVALID" and "ImageTagAlreadyExistsException" in b
          for s, b in losers), losers[:2])
if len(winners) == 1:
    s, h, got = req("GET", A + "/manifests/v1", headers={"Accept": MT["Content-Type"]})
    check("the tag points at the winner", got == bodies[winners[0]] and
          h.get("docker-content-digest") == sha(bodies[winners[0]]), h.get("docker-content-digest"))
db = sqlite3.connect(f"file:{DATA}/metadata.db?mode=ro", uri=True)
stored = db.execute("SELECT COUNT(*) FROM manifests WHERE repository='payments/api'").fetchone()[0]
db.close()
check("only the winner's manifest was stored", stored == 1, stored)

print(f"{failures} failure(s)")
raise SystemExit(1 if failures else 0)
