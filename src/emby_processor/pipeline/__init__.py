"""The stages of an item's path: identify → metadata → organize → publish to the media server.

Each stage is a function of the item snapshot, a ``StageContext`` and its collaborators that
returns an outcome (``Advance``, ``Wait`` or ``Fail``); none of them touches the database. The
workers (``workers/lane.py``) apply each outcome in one transaction.
"""
