"""The Gradio layout: chat on the left, sources beside it (below it on a narrow screen), settings folded."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from newsrag.settings import Settings
from ui import render
from ui.callbacks import EXAMPLES, Callbacks, new_session

HERE = Path(__file__).resolve().parent


def build(callbacks: Callbacks, settings: Settings) -> gr.Blocks:
    """The Blocks app; event names (api_name) are what gradio_client calls: /ask, /new_chat."""
    with gr.Blocks(title="newsrag", analytics_enabled=False, fill_width=True) as blocks:
        session = gr.State(new_session())
        with gr.Row(elem_id="nr-header"):
            gr.HTML(
                '<div class="nr-brand"><span class="nr-logo">▤</span> newsrag'
                '<span class="nr-tagline">answers from your news articles, with their sources</span></div>',
                js_on_load=None,
            )
            new_chat = gr.Button(
                "New chat", variant="secondary", size="sm", scale=0, elem_id="nr-new"
            )
        with gr.Row(equal_height=False, elem_id="nr-main"):
            with gr.Column(scale=3, min_width=340, elem_id="nr-chat-col"):
                chat = gr.Chatbot(
                    value=[],
                    show_label=False,
                    height="62vh",
                    min_height=320,
                    elem_id="nr-chat",
                    buttons=[],
                    feedback_options=None,
                    placeholder="**Ask about the indexed news.** Every statement cites its source.",
                    # ui/client.js keeps a new question in view instead of following the answer
                    autoscroll=False,
                    line_breaks=False,
                    group_consecutive_messages=False,
                )
                with gr.Column(elem_id="nr-examples") as examples:
                    gr.HTML('<div class="nr-examples-label">Try asking</div>', js_on_load=None)
                    with gr.Row():
                        example_buttons = [
                            gr.Button("…", visible=False, size="sm", elem_classes="nr-example")
                            for _ in range(EXAMPLES)
                        ]
                banner = gr.HTML("", elem_id="nr-banner", js_on_load=None)
                question = gr.Textbox(
                    placeholder="Ask a question about the news… (Enter to send, Shift+Enter for a new line)",
                    show_label=False,
                    lines=1,
                    max_lines=6,
                    submit_btn="Ask",
                    autofocus=True,
                    elem_id="nr-question",
                )
                with gr.Accordion("Search settings", open=False, elem_id="nr-settings"):
                    top_k = gr.Slider(
                        1,
                        20,
                        value=settings.retrieval.top_k,
                        step=1,
                        label="Passages to read (top-k)",
                    )
                    sources = gr.Dropdown(
                        choices=[], multiselect=True, label="Only these sources", interactive=True
                    )
                    with gr.Row():
                        date_from = gr.Textbox("", label="Published from", placeholder="YYYY-MM-DD")
                        date_to = gr.Textbox("", label="Published to", placeholder="YYYY-MM-DD")
            with gr.Column(scale=2, min_width=300, elem_id="nr-sources-col"):
                sources_panel = gr.HTML(
                    render.sources_panel([]),
                    elem_id="nr-sources",
                    js_on_load=(HERE / "client.js").read_text(encoding="utf-8"),
                )
        viewer = gr.HTML(
            "", elem_id="nr-viewer", js_on_load=(HERE / "viewer.js").read_text(encoding="utf-8")
        )
        last_answer = gr.JSON(visible=False)

        outputs = [chat, sources_panel, session, question, banner, examples, last_answer]
        ask_inputs = [question, top_k, sources, date_from, date_to, session]
        question.submit(callbacks.ask, ask_inputs, outputs, api_name="ask", show_progress="hidden")
        for button in example_buttons:
            button.click(
                lambda q: q, button, question, show_progress="hidden", api_visibility="private"
            ).then(
                callbacks.ask, ask_inputs, outputs, show_progress="hidden", api_visibility="private"
            )
        new_chat.click(
            callbacks.new_chat, None, outputs, api_name="new_chat", show_progress="hidden"
        )
        # the chat's own trash button clears the conversation too, not just the screen
        chat.clear(
            callbacks.new_chat, None, outputs, show_progress="hidden", api_visibility="private"
        )
        sources_panel.click(
            callbacks.open_article, None, viewer, show_progress="hidden", api_visibility="private"
        )
        blocks.load(callbacks.on_load, None, [*example_buttons, sources], api_visibility="private")
    return blocks
