"""Answering a citizen's question: the staged pipeline from guard to grounded answer."""
