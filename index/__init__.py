"""Articles into passages, vectors, Chroma and BM25; hybrid search; grounded answers with citations."""
