"""The stages of the answer path, one module each; :mod:`assistant.answering.pipeline` lists them in order."""
