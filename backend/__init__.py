"""chatty: the gateway (REST + Socket.IO), the domain services and the ports they use."""
