"""The read path: history, replies, reactions, search, the recent cache."""
