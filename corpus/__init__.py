"""Article files on disk (.txt, .md, .jsonl, .html) into Article records; holds the seed corpus."""
