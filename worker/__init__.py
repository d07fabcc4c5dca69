"""chatty's queue worker: inbound stream → database → every gateway node."""
