"""Socket.IO: the server and its manager, the event handlers, the emitters."""
