"""What the UI's events do: ask (streamed), start a new chat, open an article, fill the empty screen.

A browser session's state is a plain dict: the engine's conversation id (so follow-ups resolve
against the earlier turns), the chat messages, and each turn's (question, Answer) for the sources
panel. The engine is read through ``get_engine`` on every call: it exists once the app has started.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import gradio as gr

from ask.engine import Engine
from index.bm25 import Filters
from index.models import Answer
from newsrag.errors import ConversationNotFound, NewsragError, StoreUnavailable
from newsrag.settings import Settings
from ui import render
from ui.examples import example_questions

log = logging.getLogger(__name__)
# 0.05 s: smooth enough to read as streaming, few enough updates for a slow connection.
STREAM_EVERY_S = 0.05
# Articles the example questions are drawn from (the newest first).
EXAMPLE_ARTICLES = 8
EXAMPLES = 4


def new_session() -> dict[str, Any]:
    return {"conversation_id": None, "messages": [], "turns": []}


class EngineNotReady(NewsragError):
    """The app has not finished starting: the engine is not loaded yet."""


class Callbacks:
    """The UI's event handlers over the engine the API uses."""

    def __init__(self, get_engine: Callable[[], Engine | None], settings: Settings) -> None:
        self.get_engine = get_engine
        self.settings = settings
        self._examples: tuple[tuple[tuple[str, str], ...], list[str]] | None = None

    def engine(self) -> Engine:
        engine = self.get_engine()
        if engine is None:
            raise EngineNotReady(
                "newsrag is still starting (loading the model); try again in a moment"
            )
        return engine

    # ---- the empty screen --------------------------------------------------------------------
    def examples(self) -> list[str]:
        """Example questions from the newest indexed articles, recomputed when those change."""
        engine = self.engine()
        infos = sorted(
            engine.list_documents(), key=lambda a: (a.published or "", a.id), reverse=True
        )
        picked = infos[:EXAMPLE_ARTICLES]
        key = tuple((a.id, a.content_hash) for a in picked)
        if self._examples is None or self._examples[0] != key:
            pairs = []
            for info in picked:
                try:
                    pairs.append((info.title, engine.get_document(info.id).text))
                except NewsragError:
                    continue
            self._examples = (key, example_questions(pairs, EXAMPLES))
        return self._examples[1]

    def on_load(self) -> tuple[Any, ...]:
        """Fills the example buttons and the source filter's choices."""
        try:
            questions = self.examples()
            sources = sorted({a.source for a in self.engine().list_documents() if a.source})
        except NewsragError as exc:
            log.warning("ui: no examples: %s", exc)
            questions, sources = [], []
        buttons = [
            gr.update(value=questions[i], visible=True)
            if i < len(questions)
            else gr.update(visible=False)
            for i in range(EXAMPLES)
        ]
        source_box = gr.update(
            choices=sources,
            interactive=bool(sources),
            info=None if sources else "The indexed articles name no source.",
        )
        return (*buttons, source_box)

    # ---- asking ------------------------------------------------------------------------------
    def check(self, question: str | None, date_from: str | None, date_to: str | None) -> str:
        """What is wrong with the request, in words for the user; empty when nothing is."""
        question = question or ""
        if not question.strip():
            return "Type a question first."
        limit = self.settings.answer.max_question_chars
        if len(question) > limit:
            return f"Your question is {len(question):,} characters long; the limit is {limit:,}. Please shorten it."
        for label, value in (("From", date_from), ("To", date_to)):
            if value and value.strip():
                try:
                    date.fromisoformat(value.strip())
                except ValueError:
                    return f"{label} date “{value.strip()}” is not a date like 2025-06-30."
        if date_from and date_to and date_from.strip() > date_to.strip():
            return "The From date is after the To date."
        return ""

    @staticmethod
    def filters(
        sources: list[str] | None, date_from: str | None, date_to: str | None
    ) -> Filters | None:
        f = Filters(
            sources=list(sources) if sources else None,
            published_from=(date_from or "").strip() or None,
            published_to=(date_to or "").strip() or None,
        )
        return None if f.is_empty() else f

    def ask(
        self,
        question: str,
        top_k: float | None,
        sources: list[str] | None,
        date_from: str | None,
        date_to: str | None,
        session: dict[str, Any] | None,
    ) -> Iterator[tuple[Any, ...]]:
        """Streams one answer into the chat. Yields (chat, sources panel, session, question box,
        banner, examples, answer JSON)."""
        session = session or new_session()
        skip = gr.skip()
        problem = self.check(question, date_from, date_to)
        if problem:
            yield skip, skip, session, skip, render.banner(problem), skip, skip
            return
        turn = len(session["turns"]) + 1
        messages = [
            *session["messages"],
            {"role": "user", "content": render.user_message(question)},
        ]
        pending = {"role": "assistant", "content": render.streaming_message("", turn)}
        hide = gr.update(visible=False)
        yield [*messages, pending], skip, session, "", render.banner(""), hide, skip

        answer: Answer | None = None
        expired = False
        try:
            text, shown = "", time.monotonic()
            events = self.engine().stream(
                question,
                conversation_id=session["conversation_id"],
                top_k=int(top_k) if top_k else None,
                filters=self.filters(sources, date_from, date_to),
            )
            for event in events:
                if event.kind == "delta":
                    text += str(event.data)
                    if time.monotonic() - shown >= STREAM_EVERY_S:
                        shown = time.monotonic()
                        pending = {
                            "role": "assistant",
                            "content": render.streaming_message(text, turn),
                        }
                        yield [*messages, pending], skip, session, skip, skip, skip, skip
                elif event.kind == "done":
                    answer = event.data  # type: ignore[assignment]
        except StoreUnavailable:
            failure = "the index is unreachable (is the Chroma server up?). Try again shortly."
        except ConversationNotFound:
            # forgotten after its time to live: the next question starts a new conversation
            expired = True
            failure = (
                "this conversation has expired, so the question was not asked; send it again "
                "to start a new conversation (name what it is about: earlier turns are forgotten)."
            )
        except NewsragError as exc:
            failure = str(exc)
        except Exception:
            log.exception("ui: answering failed")
            failure = "something went wrong on the server; the details are in its log."
        if answer is None:
            messages.append({"role": "assistant", "content": render.error_message(failure)})
            session = {**session, "messages": messages}
            if expired:
                session["conversation_id"] = None
            # the question goes back into the box so it can be sent again
            yield messages, skip, session, question, skip, skip, None
            return
        messages.append(
            {"role": "assistant", "content": render.answer_message(answer, turn, question)}
        )
        turns = [*session["turns"], (question, answer)]
        session = {"conversation_id": answer.conversation_id, "messages": messages, "turns": turns}
        yield (
            messages,
            render.sources_panel(turns),
            session,
            skip,
            skip,
            skip,
            answer.model_dump(mode="json", exclude={"retrieved"}),
        )

    def new_chat(self) -> tuple[Any, ...]:
        """Forgets the conversation: the next question starts a new one."""
        return (
            [],
            render.sources_panel([]),
            new_session(),
            "",
            render.banner(""),
            gr.update(visible=True),
            None,
        )

    # ---- the article viewer ------------------------------------------------------------------
    def open_article(self, evt: gr.EventData) -> str:
        data = getattr(evt, "_data", None) or {}
        try:
            article = self.engine().get_document(str(data.get("article_id", "")))
            span = tuple(int(data.get(k, 0)) for k in ("start", "end", "quote_start", "quote_end"))
        except NewsragError as exc:
            return render.viewer_message(f"The article cannot be shown: {exc}")
        except (TypeError, ValueError):
            return render.viewer_message("The article cannot be shown: bad passage offsets.")
        return render.article_view(
            article.title,
            article.text,
            article.source,
            article.published,
            article.url,
            span,  # type: ignore[arg-type]
        )
