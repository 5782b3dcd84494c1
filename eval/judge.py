"""Optional LLM-judged faithfulness (an OpenAI-compatible endpoint): reported separately, never gated."""

from __future__ import annotations

import json
import re
from importlib import resources

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from eval.results import JudgeVerdict
from vorlagen.domain import Answer
from vorlagen.settings import Settings

_JSON_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


class FaithfulnessJudge:
    """Asks a chat model whether the answer is covered by its cited passages."""

    def __init__(self, model: BaseChatModel, model_name: str) -> None:
        self._model = model
        self.model_name = model_name
        self._prompt = resources.files("eval").joinpath("judge_prompt.txt").read_text(encoding="utf-8")

    def judge(self, question: str, answer: Answer) -> JudgeVerdict:
        evidence = "\n".join(f"[{c.index}] {c.source_name}: „{c.quote}“" for c in answer.citations) or "(keine)"
        prompt = self._prompt.format(question=question, answer=answer.text, evidence=evidence)
        try:
            reply = self._model.invoke([HumanMessage(content=prompt)])
        except Exception as error:  # noqa: BLE001 - a judge failure is reported, it never stops the run
            return JudgeVerdict(faithful=None, reason=f"Bewertung fehlgeschlagen: {error}")
        return parse_verdict(str(reply.content))


def parse_verdict(reply: str) -> JudgeVerdict:
    """Read ``{"treu": bool, "begruendung": str}`` from a model reply; unreadable -> faithful=None."""
    match = _JSON_OBJECT.search(reply)
    if match:
        try:
            data = json.loads(match.group(0))
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("treu"), bool):
            return JudgeVerdict(faithful=data["treu"], reason=str(data.get("begruendung", "")))
    return JudgeVerdict(faithful=None, reason=f"Antwort des Prüfmodells nicht lesbar: {reply[:200]}")


def build_judge(settings: Settings) -> FaithfulnessJudge | None:
    """The judge configured in ``settings.evaluation`` (judge_base_url + judge_model), else None."""
    config = settings.evaluation
    if not config.judge_base_url or not config.judge_model:
        return None
    from langchain_openai import ChatOpenAI

    model = ChatOpenAI(
        base_url=config.judge_base_url,
        api_key=config.judge_api_key.get_secret_value() if config.judge_api_key else "keiner",
        model=config.judge_model,
        temperature=0,
        timeout=config.judge_timeout_s,
        max_retries=1,
    )
    return FaithfulnessJudge(model, config.judge_model)
