#!/usr/bin/env python3
"""
Drives a Mapshelf server the way the `koordinates` Python client (0.7.1) does, with `requests`
only (the real package can't be installed here): the same session headers, URL templates
(https://{host}/services/api/v1/...), the 201/202 + Location follow-up GET, list queries
(Expand: list, X-Resource-Range counts, Link page-next), the multipart upload with a JSON-typed
`source` part, tables created through /layers/, publish, and exports (create, poll, streamed
download, cancel by DELETE).

Usage: client.py HOST TOKEN CERT WORKDIR VECTOR_FILE TABLE_FILE
Prints one JSON object with what it saw; the Node test asserts on it.
"""
import json
import mimetypes
import os
import re
import sys
import time

import requests

HOST, TOKEN, CERT, WORK, VECTOR_FILE, TABLE_FILE = sys.argv[1:7]
API = "https://{}/services/api/v1".format(HOST)

out = {"requests": []}


class ServerError(Exception):
    def __init__(self, response):
        super().__init__("{} {}".format(response.status_code, response.text[:300]))
        self.response = response


# koordinates.Client.__init__: one session, no redirects followed, JSON accepted, `key` auth.
session = requests.Session()
session.max_redirects = 0
# An explicit verify= per request: requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override session.verify.
session.headers.update({"Accept": "application/json", "User-Agent": "KoordinatesPython/0.7.1"})
session.headers["Authorization"] = "key {token}".format(token=TOKEN)


def request(method, url, headers=None, **kwargs):
    """koordinates.Client.request: JSON content type on non-GET/HEAD, errors raised, POST 201/202 + Location followed by a GET."""
    headers = dict(headers or {})
    if method not in ("GET", "HEAD"):
        headers.setdefault("Content-Type", "application/json")
    r = session.request(method, url, headers=headers, verify=CERT, **kwargs)
    out["requests"].append([method, url.replace(API, ""), r.status_code])
    if r.status_code >= 400:
        raise ServerError(r)
    if method == "POST" and r.status_code in (201, 202) and "location" in r.headers:
        r2 = request("GET", r.headers["location"])
        r2.parent_response = r
        return r2
    return r


def url(path):
    return API + path


def expect_error(method, target, **kwargs):
    try:
        request(method, target, **kwargs)
    except ServerError as e:
        body = e.response.json() if "json" in e.response.headers.get("content-type", "") else e.response.text
        return {"status": e.response.status_code, "body": body}
    return {"status": None}


class Query:
    """koordinates.base.Query: filters as attr.lookup, sort, Expand: list, X-Resource-Range counts, Link paging."""

    def __init__(self, target, filters=None, sort=None, expand=False, extra=None):
        self.target, self.filters, self.sort, self.expand, self.extra = target, dict(filters or {}), sort, expand, dict(extra or {})
        self.requests = 0

    def _url(self):
        from urllib.parse import urlencode
        params = {k: v for k, v in self.filters.items()}
        if self.sort is not None:
            params["sort"] = self.sort
        params.update(self.extra)
        return self.target + ("?" + urlencode(params, doseq=True) if params else "")

    def _headers(self):
        return {"Expand": "list"} if self.expand else {}

    def _get(self, target):
        self.requests += 1
        return request("GET", target, headers=self._headers())

    def count(self):
        r = self._get(self._url())
        m = re.match(r"\d+-\d+/(\d+)$", r.headers.get("x-resource-range", ""))
        return int(m.group(1)) if m else None

    def __iter__(self):
        target = self._url()
        while target:
            r = self._get(target)
            for item in r.json():
                yield item
            target = r.links.get("page-next", {}).get("url")

    def head(self, n):
        import itertools
        return list(itertools.islice(iter(self), n))


def head_count(target):
    """The seed's len(): a HEAD and its X-Resource-Range."""
    r = request("HEAD", target)
    m = re.match(r"\d+-\d+/(\d+)$", r.headers.get("x-resource-range", ""))
    return {"count": int(m.group(1)) if m else None, "body": r.text, "paginate_by": r.headers.get("x-paginate-by")}


def wait(target, done, timeout=30, what="state"):
    deadline = time.time() + timeout
    while True:
        body = request("GET", target).json()
        if done(body):
            return body
        if time.time() > deadline:
            raise RuntimeError("timed out waiting on {}: {}".format(target, json.dumps(body)[:400]))
        time.sleep(0.2)


def step(name):
    out["step"] = name


try:
    # Bad token: 401 (AuthenticationError).
    step("auth")
    bad = requests.get(url("/layers/"), headers={"Authorization": "key not-a-token", "Accept": "application/json"}, verify=CERT)
    out["bad_token_status"] = bad.status_code

    # UploadSource._create: multipart with `source` = (None, json, 'application/json') and file0..N (upload path, fp[, type]).
    step("upload")
    source = {"type": "upload", "title": "Koordinates client upload"}
    fields = {"source": (None, json.dumps(source), "application/json")}
    opened = []
    for i, path in enumerate([VECTOR_FILE, TABLE_FILE]):
        upload_path = os.path.split(path)[1]
        fp = open(path, "rb")
        opened.append(fp)
        field = [upload_path, fp]
        content_type = mimetypes.guess_type(upload_path, strict=False)[0]
        if content_type:
            field.append(content_type)
        fields["file%d" % i] = tuple(field)
    # requests_toolbelt's MultipartEncoder writes the same parts; requests prepares them here.
    prepared = requests.Request("POST", url("/sources/"), files=fields).prepare()
    for fp in opened:
        fp.close()
    r = request("POST", url("/sources/"), data=prepared.body, headers={"Content-Type": prepared.headers["Content-Type"]})
    src = r.json()
    out["source"] = {"id": src["id"], "url": src["url"], "type": src.get("type"), "created_status": r.parent_response.status_code}

    # Source.get_latest_scan: list_scans().expand()[:1], polled until it finishes.
    step("scan")
    scans_url = url("/sources/{}/scans/".format(src["id"]))
    deadline = time.time() + 30
    while True:
        latest = Query(scans_url, expand=True).head(1)
        if latest and latest[0]["status"] in ("completed", "error", "cancelled"):
            break
        if time.time() > deadline:
            raise RuntimeError("scan did not finish: {}".format(latest))
        time.sleep(0.2)
    out["scan_status"] = latest[0]["status"]

    # list_datasources / get_datasource.
    step("datasources")
    datasources = [request("GET", d["url"]).json() for d in Query(url("/sources/{}/datasources/".format(src["id"])))]
    vector_ds = next(d for d in datasources if d["data_type"] == "vector")
    table_ds = next(d for d in datasources if d["data_type"] == "table")
    out["datasources"] = [{"id": d["id"], "data_type": d["data_type"]} for d in datasources]

    # A vector datasource on /tables/ is refused, naming /layers/.
    step("tables refusal")
    out["vector_on_tables"] = expect_error("POST", url("/tables/"), json={"title": "Nope", "data": {"datasources": [vector_ds["id"]]}})

    # LayerManager.create (layers and tables alike: TableManager = LayerManager) POSTs layer.serialize() to /layers/.
    step("create")
    layer = request("POST", url("/layers/"), json={"title": "Client points", "data": {"datasources": [vector_ds["id"]], "crs": "EPSG:4326"}}).json()
    table = request("POST", url("/layers/"), json={"title": "Client names", "data": {"datasources": [table_ds["id"]]}}).json()
    out["created"] = {"layer": {"url": layer["url"], "type": layer["type"], "kind": layer["kind"]}, "table": {"url": table["url"], "type": table["type"], "kind": table["kind"]}}

    # Layer.get_version until imported, through /layers/ for both (the client's templates).
    step("import")
    def version_url(item):
        return url("/layers/{}/versions/{}/".format(item["id"], item["version"]["id"]))
    layer = wait(version_url(layer), lambda b: b["version"]["status"] in ("ok", "error"))
    table = wait(version_url(table), lambda b: b["version"]["status"] in ("ok", "error"))
    out["imported"] = {
        "layer": {"status": layer["version"]["status"], "data": layer["data"]},
        "table": {"status": table["version"]["status"], "data": table["data"]},
    }

    # layers.list_drafts(): both unpublished, both on /layers/drafts/.
    step("drafts")
    out["drafts_ids"] = sorted(item["id"] for item in Query(url("/layers/drafts/")))

    # Layer.publish(): POST /layers/{id}/versions/{vid}/publish/ without a body (JSON content type),
    # for the table through /layers/ as the client builds it; the Publish comes from the Location.
    step("publish")
    table_publish = request("POST", url("/layers/{}/versions/{}/publish/".format(table["id"], table["version"]["id"]))).json()
    # publishing.create: items by version URL, `strategy` as the Python attribute name.
    layer_publish = request("POST", url("/publish/"), json={"items": [layer["version"]["url"]], "strategy": "together", "error_strategy": "abort"}).json()
    publishes = []
    for p in (table_publish, layer_publish):
        p = wait(p["url"], lambda b: b["state"] not in ("publishing", "pending"))
        publishes.append({"state": p["state"], "items": p.get("items")})
    out["publishes"] = publishes

    # layers.get(id): tables too, as the client reaches them under /layers/.
    step("get")
    got_table = request("GET", url("/layers/{}/".format(table["id"]))).json()
    got_layer = request("GET", url("/layers/{}/".format(layer["id"]))).json()
    out["got"] = {
        "table": {k: got_table.get(k) for k in ("id", "url", "type", "kind", "published_version", "this_version", "data")},
        "layer": {k: got_layer.get(k) for k in ("id", "url", "type", "kind", "published_version", "data")},
    }
    out["table_on_tables"] = request("GET", url("/tables/{}/".format(table["id"]))).json()["id"]
    out["layer_on_tables"] = expect_error("GET", url("/tables/{}/".format(layer["id"])))["status"]
    out["missing_layer"] = expect_error("GET", url("/layers/999999/"))

    # Lists: len() by GET + X-Resource-Range and by HEAD, filters, Expand: list, Link paging, [:N].
    step("lists")
    all_layers = Query(url("/layers/"))
    out["lists"] = {
        "get_count": all_layers.count(),
        "head": head_count(url("/layers/")),
        "ids": sorted(item["id"] for item in Query(url("/layers/"))),
        "kind_table": [(i["id"], i["type"], i["kind"]) for i in Query(url("/layers/"), filters={"kind": "table"})],
        "kind_vector": [(i["id"], i["type"], i["kind"]) for i in Query(url("/layers/"), filters={"kind": "vector"})],
        "kind_table_head": head_count(url("/layers/?kind=table"))["count"],
        "tables_view": [(i["id"], i["type"]) for i in Query(url("/tables/"))],
        "summary_has_data": ["data" in i for i in Query(url("/layers/"))],
        "expanded_has_data": ["data" in i for i in Query(url("/layers/"), expand=True)],
        "sorted_by_name": [i["name"] for i in Query(url("/layers/"), sort="name")],
        "created_gte": len(list(Query(url("/layers/"), filters={"created_at.gte": "2000-01-01T00:00:00Z"}))),
    }
    paged = Query(url("/layers/"), extra={"page_size": 1})
    out["lists"]["paged_ids"] = sorted(i["id"] for i in paged)
    out["lists"]["paged_requests"] = paged.requests
    limited = Query(url("/layers/"), extra={"page_size": 1})
    out["lists"]["limited"] = len(limited.head(1))
    out["lists"]["limited_requests"] = limited.requests

    # Versions of the table through /layers/: start_update (re-import into a new version), list_versions, get_draft.
    step("versions")
    updated = request("POST", url("/layers/{}/versions/import/".format(table["id"]))).json()
    draft = wait(url("/layers/{}/versions/draft/".format(table["id"])), lambda b: b["version"]["status"] in ("ok", "error"))
    out["versions"] = {
        "update_version": updated["version"]["id"],
        "draft_version": draft["version"]["id"],
        "draft_status": draft["version"]["status"],
        "draft_conflict": expect_error("POST", url("/layers/{}/versions/".format(table["id"])))["status"],
        "list": [v["version"]["id"] for v in Query(url("/layers/{}/versions/".format(table["id"])))],
        "published": request("GET", url("/layers/{}/versions/published/".format(table["id"]))).json()["version"]["id"],
    }

    # sets.get(id, expand='items') sends `Expand: i,t,e,m,s`.
    step("sets")
    created_set = request("POST", url("/sets/"), json={"title": "Client set", "items": [layer["url"], table["url"]]}).json()
    expanded = session.get(url("/sets/{}/".format(created_set["id"])), headers={"Expand": ",".join("items")}, verify=CERT)
    out["set_expand_bug"] = {"status": expanded.status_code, "items": len(expanded.json().get("items", [])) if expanded.ok else None}

    # ExportManager.get_formats(): OPTIONS /exports/.
    step("exports")
    options = request("OPTIONS", url("/exports/")).json()
    formats = {kind: {c["value"]: c["display_name"] for c in opts["choices"]} for kind, opts in options["actions"]["POST"]["formats"]["children"].items()}
    out["formats"] = {k: sorted(v) for k, v in formats.items()}

    def export_body(name, crs, fmt, items, extent=None):
        # Export._serialize(): the attributes a user set, items as {"item": url}.
        body = {"name": name, "crs": crs, "formats": fmt, "items": [{"item": i["url"]} for i in items]}
        if extent is not None:
            body["extent"] = extent
        return body

    validation = request("POST", url("/exports/validate/"), json=export_body("check", "EPSG:4326", {"vector": "application/x-ogc-gpkg", "table": "text/csv"}, [got_layer, got_table])).json()
    out["validate"] = {"is_valid": validation.get("is_valid")}

    created_exports = [
        request("POST", url("/exports/"), json=export_body("client-gpkg", "EPSG:4326", {"vector": "application/x-ogc-gpkg", "table": "text/csv"}, [got_layer, got_table])).json(),
        request("POST", url("/exports/"), json=export_body("client-shp", "EPSG:2193", {"vector": "application/x-zipped-shp"}, [got_layer])).json(),
    ]
    downloads = []
    for e in created_exports:
        e = wait(e["url"], lambda b: b["state"] not in ("processing",), timeout=40)
        entry = {"name": e["name"], "state": e["state"], "crs": e.get("crs")}
        if e["state"] == "complete" and e.get("download_url"):
            # Export.download(path=directory): streamed, chunked, with progress callbacks.
            path = os.path.join(WORK, "{}.zip".format(e["name"]))
            progress = []
            r = session.get(e["download_url"], stream=True, verify=CERT)
            out["requests"].append(["GET", e["download_url"].replace(API, ""), r.status_code])
            entry["download_status"] = r.status_code
            try:
                total = int(r.headers.get("content-length", None))
            except TypeError:
                total = None
            written = 0
            progress.append([written, total])
            with open(path, "wb") as fd:
                for chunk in r.iter_content(chunk_size=4096):
                    fd.write(chunk)
                    written += len(chunk)
                    progress.append([written, total])
            r.close()
            entry.update({"path": path, "bytes": written, "content_length": total, "progress_calls": len(progress), "last_progress": progress[-1]})
        downloads.append(entry)
    out["exports"] = downloads

    # ExportManager.cancel(id): DELETE /exports/{id}/, answered by the export (202, cancelled) or a 409.
    step("cancel")
    to_cancel = request("POST", url("/exports/"), json=export_body("client-cancel", "EPSG:3857", {"vector": "application/x-zipped-shp", "table": "text/csv"}, [got_layer, got_table])).json()
    r = session.delete(url("/exports/{}/".format(to_cancel["id"])), headers={"Content-Type": "application/json"}, verify=CERT)
    out["cancel"] = {"status": r.status_code, "body": r.json()}
    out["cancel_after"] = request("GET", to_cancel["url"]).json()["state"]

    step("done")
    out["ok"] = True
except Exception as e:  # report, don't crash: the Node test prints it
    out["ok"] = False
    out["error"] = "{}: {}".format(type(e).__name__, e)

print(json.dumps(out))
