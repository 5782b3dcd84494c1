"""A local OParl fixture server for the sync tests, serving real data (FastAPI, one process on loopback).

Bodies (listed by the System at ``/oparl/system``):
- **Hürtgenwald**: the complete OParl 1.0 cache ``corpus/oparl/huertgenwald-full-crawl/cache_huertgenwald.tar.zst``
  (papers, meetings with their agenda items, organizations, persons) under ``/huertgenwald/…``; its own
  System is ``/huertgenwald/system``. Files have no text, so their ``accessUrl``/``downloadUrl`` serve real
  PDFs from ``corpus/real/pdf`` (assigned in order of appearance).
- **Karlsruhe**: the 300 evaluation papers of ``corpus/karlsruhe/karlsruhe-eval-300.jsonl.gz`` (OParl 1.1,
  files with ``text``), the meetings and organizations dumps, under ``/karlsruhe/…``.

Lists paginate for real (``page``, ``limit``, ``links.next`` carrying ``modified_since``/``limit``) and honour
``modified_since``. A control file (``--control``, JSON, read on every request) lets a test change the data
while the server runs: ``{"modified": {paper_id: {field: value}}, "deleted": [paper_id], "fail_pages_from": n,
"agenda": {agenda_item_id: {field: value}}}`` (modified papers get a new ``modified`` time; deleted ones become
``{"deleted": true}``; list pages from number ``n`` on answer 503; a changed agenda item – a result recorded
later – changes it and its meeting, which gets a new ``modified`` time, while its paper stays as it was). Every request is appended to ``requests.log`` beside the control file.

Run: ``python -m tests.oparl_server --port 8123 --control /tmp/oparl/control.json [--papers 8] [--page-size 3]``.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import tarfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import uvicorn
import zstandard
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

HUERTGENWALD_ORIGIN = "https://sdnetrim.kdvz-frechen.de/rim4220/webservice/oparl/v1.0"
KARLSRUHE_ORIGIN = "https://web1.karlsruhe.de/oparl"


def _modified(item: dict[str, Any]) -> datetime:
    value = item.get("modified") or "1970-01-01T00:00:00+00:00"
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


class FixtureData:
    """All objects by id and all lists by URL, with URLs rewritten to this server."""

    def __init__(
        self, shared: Path, base: str, papers: int | None, max_pdf_bytes: int | None, max_paper_chars: int | None = None
    ) -> None:
        self.base = base
        self.objects: dict[str, dict[str, Any]] = {}
        self.lists: dict[str, list[dict[str, Any]]] = {}
        self.paper_lists: set[str] = set()
        pdfs = sorted((shared / "corpus/real/pdf").glob("*.pdf"))
        self.pdfs = [p for p in pdfs if max_pdf_bytes is None or p.stat().st_size <= max_pdf_bytes]
        self.file_pdf: dict[str, Path] = {}
        self._load_huertgenwald(shared / "corpus/oparl/huertgenwald-full-crawl/cache_huertgenwald.tar.zst", papers)
        self._load_karlsruhe(shared / "corpus/karlsruhe", papers, max_paper_chars)
        bodies = [self.objects[f"{base}/huertgenwald/body/1"], self.objects[f"{base}/karlsruhe/bodies/0001"]]
        self.lists[f"{base}/oparl/bodies"] = bodies
        self.objects[f"{base}/oparl/system"] = {
            "id": f"{base}/oparl/system",
            "type": "https://schema.oparl.org/1.1/System",
            "oparlVersion": "https://schema.oparl.org/1.1/",
            "name": "OParl-Testserver (echte Daten: Hürtgenwald, Karlsruhe)",
            "body": f"{base}/oparl/bodies",
        }

    def _index(self, item: Any) -> None:
        """Register an object and the objects embedded in it (agenda items, files, locations)."""
        if isinstance(item, dict):
            if isinstance(item.get("id"), str) and "type" in item:
                self.objects.setdefault(item["id"], item)
            for value in item.values():
                self._index(value)
        elif isinstance(item, list):
            for value in item:
                self._index(value)

    def _load_huertgenwald(self, archive: Path, papers: int | None) -> None:
        base = f"{self.base}/huertgenwald"
        pages: dict[str, list[dict[str, Any]]] = {}
        with archive.open("rb") as raw, zstandard.ZstdDecompressor().stream_reader(raw) as stream:
            with tarfile.open(fileobj=io.BufferedReader(stream), mode="r|") as tar:
                for member in tar:
                    if not member.isfile() or not member.name.endswith(".json"):
                        continue
                    text = tar.extractfile(member).read().decode("utf-8").replace(HUERTGENWALD_ORIGIN, base)
                    value = json.loads(text)
                    name = member.name[: -len(".json")].split("?")[0]
                    if name == "system":
                        self.objects[f"{base}/system"] = value
                    elif isinstance(value, dict) and isinstance(value.get("data"), list):
                        pages.setdefault(name, []).extend(value["data"])
        for name, items in pages.items():
            unique = list({item["id"]: item for item in items if "id" in item}.values())
            if name.endswith("/paper"):
                unique.sort(key=lambda item: (_modified(item), item["id"]))
                unique = unique[:papers] if papers else unique
                self.paper_lists.add(f"{base}/{name}")
                self._assign_pdfs(unique)
            self.lists[f"{base}/{name}"] = unique
            self._index(unique)

    def _assign_pdfs(self, papers: list[dict[str, Any]]) -> None:
        for paper in papers:
            files = [paper.get("mainFile"), *(paper.get("auxiliaryFile") or [])]
            for file in files:
                if isinstance(file, dict):
                    for key in ("accessUrl", "downloadUrl"):
                        if isinstance(file.get(key), str):
                            self.file_pdf.setdefault(file[key], self.pdfs[len(self.file_pdf) % len(self.pdfs)])

    def _load_karlsruhe(self, folder: Path, papers: int | None, max_paper_chars: int | None) -> None:
        base = f"{self.base}/karlsruhe"
        body_id = f"{base}/bodies/0001"

        def read(name: str, limit: int | None = None) -> list[dict[str, Any]]:
            items = []
            with gzip.open(folder / name, "rt", encoding="utf-8") as stream:
                for line in stream:
                    if line.strip():
                        items.append(json.loads(line.replace(KARLSRUHE_ORIGIN, base)))
            return items

        paper_items = sorted(read("karlsruhe-eval-300.jsonl.gz"), key=lambda item: (_modified(item), item["id"]))
        if max_paper_chars:  # smaller papers only (embedding time of the tests)
            paper_items = [
                item for item in paper_items
                if sum(len(f.get("text") or "") for f in item.get("auxiliaryFile") or []) <= max_paper_chars
            ]
        paper_items = paper_items[:papers] if papers else paper_items
        self._assign_pdfs(paper_items)  # files whose extracted text is empty are downloaded
        self.lists[f"{body_id}/papers"] = paper_items
        self.paper_lists.add(f"{body_id}/papers")
        self.lists[f"{body_id}/meetings"] = read("karlsruhe-meetings.jsonl.gz")
        self.lists[f"{body_id}/organizations"] = read("karlsruhe-organizations.jsonl.gz")
        for items in self.lists.values():
            self._index(items)
        self.objects[body_id] = {
            "id": body_id,
            "type": "https://schema.oparl.org/1.1/Body",
            "system": f"{self.base}/oparl/system",
            "name": "Stadt Karlsruhe",
            "shortName": "Karlsruhe",
            "paper": f"{body_id}/papers",
            "meeting": f"{body_id}/meetings",
            "organization": f"{body_id}/organizations",
        }


class Control:
    """The test's changes, read from the control file on every request."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.log = path.with_name("requests.log") if path else None

    def read(self) -> dict[str, Any]:
        if self.path is None or not self.path.exists():
            return {}
        return json.loads(self.path.read_text(encoding="utf-8") or "{}")

    def record(self, request: Request) -> None:
        if self.log is not None:
            with self.log.open("a", encoding="utf-8") as handle:
                handle.write(f"{request.url}\n")


def _apply(paper: dict[str, Any], control: dict[str, Any]) -> dict[str, Any]:
    changed = (control.get("modified") or {}).get(paper["id"])
    if paper["id"] in (control.get("deleted") or []):
        return {"id": paper["id"], "type": paper.get("type"), "deleted": True,
                "modified": control.get("changed_at", datetime.now(timezone.utc).isoformat())}
    if changed:
        return {**paper, **changed, "modified": control.get("changed_at", datetime.now(timezone.utc).isoformat())}
    return paper


def _apply_agenda(item: dict[str, Any], control: dict[str, Any]) -> dict[str, Any]:
    """An agenda item with the control file's changes, or a meeting whose embedded agenda items changed."""
    changes = control.get("agenda") or {}
    if not changes:
        return item
    changed_at = control.get("changed_at", datetime.now(timezone.utc).isoformat())
    if item.get("id") in changes:
        return {**item, **changes[item["id"]], "modified": changed_at}
    agenda = item.get("agendaItem")
    if isinstance(agenda, list) and any(isinstance(e, dict) and e.get("id") in changes for e in agenda):
        return {**item, "modified": changed_at, "agendaItem": [_apply_agenda(e, control) if isinstance(e, dict) else e for e in agenda]}
    return item


def create_app(data: FixtureData, control: Control, page_size: int) -> FastAPI:
    app = FastAPI(title="OParl-Testserver")

    @app.get("/{path:path}")
    def serve(path: str, request: Request) -> Response:
        control.record(request)
        url = f"{data.base}/{path}"
        if url in data.file_pdf:
            if control.read().get("fail_files"):  # the file store is down; the API still answers
                return JSONResponse({"error": "Dateiablage nicht verfügbar"}, status_code=503)
            return Response(data.file_pdf[url].read_bytes(), media_type="application/pdf")
        if url in data.lists:
            return _list(url, request, control.read())
        if url in data.objects:
            item = data.objects[url]
            if object_type_of(item) == "Paper":
                item = _apply(item, control.read())
            elif object_type_of(item) in ("Meeting", "AgendaItem"):
                item = _apply_agenda(item, control.read())
            return JSONResponse(item)
        return JSONResponse({"error": "not found"}, status_code=404)

    def _list(url: str, request: Request, settings: dict[str, Any]) -> Response:
        page = int(request.query_params.get("page", "1"))
        limit = int(request.query_params.get("limit", str(page_size)))
        if url in data.paper_lists and settings.get("fail_pages_from") and page >= settings["fail_pages_from"]:
            return JSONResponse({"error": "Wartung"}, status_code=503)
        items = data.lists[url]
        if url in data.paper_lists:
            items = sorted((_apply(item, settings) for item in items), key=lambda item: (_modified(item), item["id"]))
        elif settings.get("agenda"):
            items = [_apply_agenda(item, settings) for item in items]
        since = request.query_params.get("modified_since")
        if since:
            threshold = datetime.fromisoformat(since)
            items = [item for item in items if _modified(item) >= threshold]
        pages = max(1, -(-len(items) // limit))
        params = {key: value for key, value in request.query_params.items() if key != "page"}

        def link(number: int) -> str:
            return f"{url}?{urlencode({**params, 'page': str(number)})}"

        links = {"first": link(1), "self": link(page), "last": link(pages)}
        if page < pages:
            links["next"] = link(page + 1)
        return JSONResponse({
            "data": items[(page - 1) * limit : page * limit],
            "pagination": {"totalElements": len(items), "elementsPerPage": limit, "currentPage": page, "totalPages": pages},
            "links": links,
        })

    return app


def object_type_of(item: dict[str, Any]) -> str:
    return str(item.get("type", "")).rstrip("/").rsplit("/", 1)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--control", type=Path)
    parser.add_argument("--papers", type=int, help="only the first N papers of each body (by modified)")
    parser.add_argument("--page-size", type=int, default=25)
    parser.add_argument("--max-pdf-bytes", type=int, help="serve only PDFs up to this size")
    parser.add_argument("--max-paper-chars", type=int, help="only Karlsruhe papers with at most this much text")
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}"
    data = FixtureData(args.shared, base, args.papers, args.max_pdf_bytes, args.max_paper_chars)
    uvicorn.run(create_app(data, Control(args.control), args.page_size), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
