"""The read path: where a question becomes an answer.

search (hybrid retrieval, ranker) → answer (the articles' sentences, scored by the rules; optionally
re-ordered by the learned selector and the sentence reader) → focus and history (follow-ups, stored
conversations) → llm (an optional language model) → engine (the whole ask, and the edits the API
exposes). The write path (cutting, embedding and storing articles) is in ``index``.
"""
