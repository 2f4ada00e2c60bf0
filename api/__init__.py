"""The HTTP API: FastAPI app factory, routes and request/response models; no retrieval logic."""
