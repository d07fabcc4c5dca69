"""The durable inbound queue behind one interface: Redis Streams, or in-process (embedded)."""
