"""The shared state: every table the hosts share, and the stores that read and write it.

The state is created and changed only by the numbered migrations in :mod:`state.migrations`, on
SQLite (the knowledge base's own file, the embedded default) and PostgreSQL alike. The stores
here hold all of the product's SQL about it; ``handlers`` and ``bot`` call them and hold none.

Layers: ``knowledge`` (the plan) → ``state`` → ``handlers`` → ``bot``, with ``scheduler`` beside
``bot``; a module imports only from its own layer or those before it (``tests/test_layers.py``).
"""
